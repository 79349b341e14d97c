"""Event identities are keyed with the deployment's secret, and stored ones are converted.

A plain SHA-256 over a line that holds a V- or SP-number is reversed by trying every number, so
IND and DVZ identities are ``HMAC-SHA256(secret, sha256_hex(natural key))``; a partner's own id
that holds the person's number is keyed too. The pseudonym key a database was built with is
the only one it ingests with.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json

import pytest
from django.apps import apps
from django.core.checks import run_checks
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import OrganisationAPIKey
from chain.models import Extract, StatusEvent
from ingest.models import PseudonymKey
from ingest.pseudonym_key import PseudonymKeyChanged
from ingest.pseudonymize import event_identity, person_key
from ingest.services import ingest_file
from tests import known_chain

pytestmark = pytest.mark.django_db
migration = importlib.import_module("ingest.migrations.0004_key_natural_event_identities")

DVZ = (
    "numero_sp,type_evenement,date_evenement,nationalite,procedure,mena\n"
    "81000001,INTRODUCTION,2023-01-12,AFG,P,N\n"
    "81000001,CGRA_AUDITION,2023-02-20,AFG,P,N\n"
    "8100002,INTRODUCTION,2023-01-10,SYR,U,O\n"
)


def natural_keys() -> list[str]:
    """The natural keys of the events of ``known_chain.extract()`` and ``DVZ``."""
    ind = [row.split(";") for row in known_chain.ROWS]
    dvz = [row.split(",") for row in DVZ.splitlines()[1:]]
    return [f"IND|{r[0]}|{r[1]}|{r[4]}|{r[5]}|{r[6]}" for r in ind] + [
        f"DVZ|{r[0]}|{r[1]}|{r[2]}" for r in dvz
    ]


def plain_sha256(natural_key: str) -> str:
    return hashlib.sha256(natural_key.encode()).hexdigest()


@pytest.fixture
def ingested(write_extract) -> None:
    ingest_file(partner="IND", path=write_extract("ind.csv", known_chain.extract()))
    ingest_file(partner="DVZ", path=write_extract("dvz.csv", DVZ))


def stored_ids() -> set[str]:
    return set(StatusEvent.objects.values_list("source_event_id", flat=True))


def push(body: dict[str, object]) -> dict[str, object]:
    _, key = OrganisationAPIKey.objects.create_key(name="IND", organisation_id="IND", scope="push")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    answer = api.post("/api/v1/events", data=json.dumps(body), content_type="application/json")
    assert answer.status_code == 200, answer.content
    return answer.json()


def pushed_event(source_event_id: str) -> dict[str, object]:
    return {
        "source_event_id": source_event_id, "person_ref": "3012345678",
        "event_type": "DECISION_GRANTED", "occurred_at": "2023-04-28T00:00:00+02:00",
    }  # fmt: skip


def test_no_stored_identity_is_the_plain_sha256_of_its_natural_key(ingested) -> None:
    keys = natural_keys()
    assert stored_ids() == {event_identity(key) for key in keys}
    assert stored_ids().isdisjoint(plain_sha256(key) for key in keys)


@pytest.mark.parametrize("secret", ["k" * 32, "é" * 40, "a-secret-longer-than-a-block-" * 4])
def test_the_identity_is_hmac_sha256_of_the_inner_hex(secret: str) -> None:
    key = "DVZ|8123456|INTRODUCTION|2023-01-10"
    expected = hmac.new(secret.encode(), plain_sha256(key).encode(), "sha256").hexdigest()
    with override_settings(PSI_PSEUDONYM_KEY=secret):
        assert event_identity(key) == expected


def test_the_identity_depends_on_the_secret() -> None:
    key = "IND|3012345678|Z1|AANVRAAG|10-01-2023|09:00"
    with override_settings(PSI_PSEUDONYM_KEY="another-deployment-secret-of-32-bytes"):
        other = event_identity(key)
    assert other != event_identity(key)


def test_the_migration_keys_identities_stored_the_old_way_and_a_re_ingest_adds_nothing(
    ingested, write_extract
) -> None:
    push({"events": [pushed_event("IND-2023-000123")]})
    with connection.cursor() as cursor:
        for key in natural_keys():
            cursor.execute(
                "UPDATE chain_statusevent SET source_event_id = %s WHERE source_event_id = %s",
                [plain_sha256(key), event_identity(key)],
            )
    assert stored_ids() >= {plain_sha256(key) for key in natural_keys()}
    events = StatusEvent.objects.count()

    with connection.schema_editor() as editor:
        migration.key_identities(apps, editor)

    assert stored_ids() == {event_identity(key) for key in natural_keys()} | {"IND-2023-000123"}
    # The same rows in another order: a new delivery, not a repeated file.
    again = ingest_file(
        partner="IND", path=write_extract("ind2.csv", known_chain.extract(known_chain.ROWS[::-1]))
    )
    assert (again.accepted, again.duplicates) == (0, len(known_chain.ROWS))
    again = ingest_file(partner="DVZ", path=write_extract("dvz2.csv", DVZ + "\n"))
    assert (again.accepted, again.duplicates) == (0, 3)
    assert StatusEvent.objects.count() == events


def test_the_migration_keys_a_stored_partner_id_that_holds_the_persons_number() -> None:
    holding, other = "V3012345678-DECISION", "IND-2023-3099999999"
    push({"events": [pushed_event(holding), pushed_event(other)]})
    StatusEvent.objects.filter(source_event_id=event_identity(holding)).update(
        source_event_id=holding
    )  # as stored before ids holding a number were keyed

    with connection.schema_editor() as editor:
        migration.key_identities(apps, editor)

    assert stored_ids() == {event_identity(holding), other}


def test_the_migration_records_the_key_the_stored_pseudonyms_depend_on(ingested) -> None:
    PseudonymKey.objects.all().delete()
    with connection.schema_editor() as editor:
        migration.key_identities(apps, editor)
    with override_settings(PSI_PSEUDONYM_KEY="a-new-deployment-secret-of-32-bytes!"):
        assert "ingest.E001" in [message.id for message in run_checks(databases=["default"])]


def test_a_partner_id_that_holds_the_persons_number_is_keyed(write_extract) -> None:
    given = "V3012345678-DECISION"
    first = push({"events": [pushed_event(given)]})
    again = push({"events": [pushed_event(given)]})
    assert (first["accepted"], again["duplicates"]) == (1, 1)
    assert stored_ids() == {event_identity(given)}


def test_a_partner_id_without_the_persons_number_is_kept_as_given() -> None:
    push({"events": [pushed_event("IND-2023-000123")]})
    assert stored_ids() == {"IND-2023-000123"}


def test_it_refuses_to_ingest_with_another_key_than_the_databases(write_extract) -> None:
    first = known_chain.extract(known_chain.ROWS[:3])
    ingest_file(partner="IND", path=write_extract("a.csv", first))
    cases = StatusEvent.objects.values("case").distinct().count()
    person_key.cache_clear()
    try:
        with (
            override_settings(PSI_PSEUDONYM_KEY="a-new-deployment-secret-of-32-bytes!"),
            pytest.raises(PseudonymKeyChanged, match=r"docs/operations\.md"),
        ):
            ingest_file(partner="IND", path=write_extract("b.csv", known_chain.extract()))
    finally:
        person_key.cache_clear()
    assert StatusEvent.objects.values("case").distinct().count() == cases
    assert Extract.objects.get(name="b.csv").status == Extract.Status.RECEIVED


def test_a_push_with_another_key_than_the_databases_is_a_503_and_stores_nothing(
    ingested,
) -> None:
    _, key = OrganisationAPIKey.objects.create_key(name="IND", organisation_id="IND", scope="push")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    events = StatusEvent.objects.count()
    with override_settings(PSI_PSEUDONYM_KEY="a-new-deployment-secret-of-32-bytes!"):
        answer = api.post(
            "/api/v1/events", data=json.dumps({"events": [pushed_event("IND-2023-000123")]}),
            content_type="application/json",
        )  # fmt: skip
    assert answer.status_code == 503
    assert "nothing was stored" in answer.json()["detail"]
    assert StatusEvent.objects.count() == events


def test_the_start_up_check_passes_with_the_databases_key(ingested) -> None:
    assert PseudonymKey.objects.count() == 1
    assert "ingest.E001" not in [message.id for message in run_checks(databases=["default"])]
