"""The models that moved app keep their rows and their permissions (issue 13's migrations)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.access import CHAIN_DIRECTOR, VIEW_DASHBOARDS
from accounts.models import OrganisationAPIKey, UserProfile
from chain.models import Extract
from reports.models import Subscription

BEFORE_THE_MOVE = [
    ("chain", "0009_case_chain_without_constraints"),
    ("ingest", "0006_source_failure"),
    ("dashboard", "0004_subscription_preview_requested_at"),
    ("accounts", None),
    ("reports", None),
]


def migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


# Serialized rollback restores the roles' groups (made by a migration) that the flush empties.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_made_before_the_move_are_read_by_the_moved_models_and_keep_their_grants() -> None:
    executor = migrate(BEFORE_THE_MOVE)
    old = executor.loader.project_state(
        [(app, name) for app, name in BEFORE_THE_MOVE if name is not None]
    ).apps
    user = old.get_model("auth", "User").objects.create(username="director", is_active=True)
    old.get_model("auth", "Group").objects.get(name=CHAIN_DIRECTOR).user_set.add(user)
    old.get_model("dashboard", "UserProfile").objects.create(user=user, organisation_id="IND")
    old.get_model("dashboard", "Subscription").objects.create(user=user, chain="NL")
    old.get_model("ingest", "OrganisationAPIKey").objects.create(
        id="prefix.hash", prefix="prefix", hashed_key="hash", name="IND push", scope="push",
        organisation_id="IND",
    )  # fmt: skip
    old.get_model("ingest", "Extract").objects.create(
        organisation_id="IND", channel="file", name="ind.csv", sha256="0" * 64
    )

    migrate(executor.loader.graph.leaf_nodes())

    assert UserProfile.objects.get(user__username="director").organisation_id == "IND"
    assert Subscription.objects.get(user__username="director").chain == "NL"
    assert OrganisationAPIKey.objects.get(name="IND push").scope == "push"
    assert Extract.objects.get(name="ind.csv").organisation_id == "IND"
    assert User.objects.get(username="director").has_perm(VIEW_DASHBOARDS)
    assert (
        Group.objects.get(name=CHAIN_DIRECTOR)
        .permissions.filter(content_type__app_label="accounts", codename="view_dashboards")
        .exists()
    )
