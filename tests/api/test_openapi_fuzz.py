"""Schemathesis against ``/api/v1/openapi.json``: the document and the server agree.

Every operation is tried as a partner's developer would, with requests generated from the
document (valid and invalid ones): no answer may be a server error, and every answer must be
one the document describes, in status, content type, headers and body. The read operations
run with a read key, the push with a push key, on real Postgres with stored values.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from psi.wsgi import application
from tests.api.conftest import Catalogue, api_key, make_extract, make_rejection, store_value

SCHEMA_PATH = "/api/v1/openapi.json"
# Enough to find what the document leaves open, few enough to keep the run under a minute.
EXAMPLES_PER_OPERATION = 30
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]
PUSH_CHECKS = [check for check in CHECKS if check is not openapi_checks.negative_data_rejection]


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    """Keep the test's database connection open across WSGI requests, as Django's test client
    does: the handler would close it at the start and end of each request."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def stored_chain(
    catalogue_rows: Catalogue, fresh_deliveries: None, wsgi_in_test_transaction: None,
    settings: Any,
) -> dict[str, str]:  # fmt: skip
    """Values to read and a delivery with rejected rows; a read key and a push key."""
    # Every push must reach the view: the throttle would answer most of them with 429.
    settings.PUSH_THROTTLE_RATE = "10000/min"
    for label in ("2023-03", "2023-04"):
        store_value(catalogue_rows["count"], label, 12, n=12)
        store_value(catalogue_rows["share"], label, 0.8, numerator=8, denominator=10, n=10)
    make_rejection(make_extract("IND"), line=3)
    return {
        "read": f"Api-Key {api_key('read')}",
        "push": f"Api-Key {api_key('push', 'IND')}",
    }


# Loaded from the application itself (WSGI, no network) when the module is collected: the
# lazy ``schemathesis.pytest.from_fixture`` does not run under pytest 9.
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, application)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES_PER_OPERATION,
    deterministic=True,
    with_security_parameters=False,
)
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None,
    suppress_health_check=list(HealthCheck),
)  # fmt: skip
def test_every_operation_answers_as_documented(case: Any, stored_chain: dict[str, str]) -> None:
    if case.method == "POST":
        # By contract a bad item does not fail the batch: the push answers 200 and lists the
        # item among its conflicts. Only a body that cannot be read as a whole is a 400.
        headers, checks = {"Authorization": stored_chain["push"]}, PUSH_CHECKS
    else:
        headers, checks = {"Authorization": stored_chain["read"]}, CHECKS
    case.call_and_validate(headers=headers, checks=checks)
