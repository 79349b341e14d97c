"""``bench_ingest --smoke``: the ingest benchmark runs end to end on a tiny file."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from chain.models import StatusEvent

# The child ``ingest_file`` process commits to the test database, which this test must see.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LAST_LINE = re.compile(
    r"bench-ingest events=2000 project_s=[\d.]+ project_eps=(\d+) copy_bare_eps=(\d+) "
    r"copy_indexed_eps=(\d+) peak_rss_mb=(\d+) ratio_copy_indexed=(\d+\.\d\d)"
)


def test_the_smoke_run_ingests_the_file_and_prints_the_ratio_to_indexed_copy() -> None:
    out = io.StringIO()
    call_command("bench_ingest", "--smoke", stdout=out)
    match = LAST_LINE.fullmatch(out.getvalue().splitlines()[-1])
    assert match is not None, out.getvalue()
    project_eps, bare_eps, indexed_eps, peak_mb = map(int, match.groups()[:4])
    assert min(project_eps, bare_eps, indexed_eps) > 0
    assert 30 < peak_mb < 400
    assert float(match.group(5)) == pytest.approx(project_eps / indexed_eps, abs=0.01)
    assert StatusEvent.objects.count() == 2000
