"""The read side for ``bench_indicators``: the API under load, and the overview page's render.

The API runs under gunicorn with 2 workers, as in production (``devtools.bench_servers``) behind
an imagined TLS-terminating proxy (wrk, 16 connections, sends ``X-Forwarded-Proto: https``, as
the proxy would). The overview page is rendered in this process by Django's test client.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from datetime import date
from statistics import median

import httpx
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client

from accounts.access import CHAIN_DIRECTOR
from accounts.models import OrganisationAPIKey
from chain.periods import MONTH, Period, latest_complete
from devtools.bench_servers import PROXY_HEADERS

MONTHS = 36
# wrk alternates the URLs and prints the latency percentiles it measured, in microseconds.
_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1],
    {["Authorization"] = "Api-Key %s", ["X-Forwarded-Proto"] = "https"})
end
done = function(summary, latency, requests)
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("p%%d %%d\\n", p, latency:percentile(p)))
  end
  local errors = summary.errors.status + summary.errors.connect + summary.errors.timeout
  io.write(string.format("requests %%d\\nseconds %%f\\nerrors %%d\\n",
    summary.requests, summary.duration / 1e6, errors))
end
"""


def values_months(today: date) -> tuple[Period, Period]:
    """The first and last of the 36 complete months before ``today``."""
    last = first = latest_complete(today, MONTH)
    for _ in range(MONTHS - 1):
        first = first.previous()
    return first, last


def urls(today: date) -> list[str]:
    """The two requests under load: the indicator list, and one indicator over 36 months."""
    first, last = values_months(today)
    return [
        "/api/v1/indicators?chain=NL",
        "/api/v1/indicators/decision_lead_time_median/values"
        f"?chain=NL&period=month&from={first.label}&to={last.label}",
    ]


def api_under_load(*, base: str, seconds: int, today: date) -> dict[str, str]:
    """p50/p95/p99 latency (ms) and requests per second of the read API at ``base`` under wrk."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    _, key = OrganisationAPIKey.objects.create_key(name="bench", scope="read")
    paths = urls(today)
    _check_answers(base, paths, key)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(_SCRIPT % (", ".join(f'"{u}"' for u in paths), key))
        script.flush()
        result = subprocess.run(  # noqa: S603
            [wrk, "-t", "2", "-c", "16", "-d", f"{seconds}s", "-s", script.name, base],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    found = dict(re.findall(r"^(p\d+|requests|seconds|errors) ([\d.]+)$", result.stdout, re.M))
    if int(found["errors"]):
        raise RuntimeError(f"wrk saw {found['errors']} errors:\n{result.stdout}")
    return {
        "api_p50_ms": f"{int(found['p50']) / 1000:.1f}",
        "api_p95_ms": f"{int(found['p95']) / 1000:.1f}",
        "api_p99_ms": f"{int(found['p99']) / 1000:.1f}",
        "api_rps": f"{int(found['requests']) / float(found['seconds']):.0f}",
    }


def _check_answers(base: str, paths: list[str], key: str) -> None:
    """Every URL under load answers 200 before it is measured."""
    headers = {"Authorization": f"Api-Key {key}", **PROXY_HEADERS}
    for path in paths:
        answer = httpx.get(base + path, headers=headers)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code}: {answer.text[:300]}")


# The naive way: the same monthly medians, from the events table, at request time.
_NAIVE = """
WITH lodged AS (
    SELECT case_id, min(local_date) AS lodged FROM chain_statusevent
    WHERE chain_id = 'NL' AND event_type = 'APPLICATION_LODGED' GROUP BY case_id
), decided AS (
    SELECT DISTINCT ON (e.case_id) e.case_id, e.local_date AS decided
    FROM chain_statusevent e JOIN lodged l ON l.case_id = e.case_id
    WHERE e.chain_id = 'NL' AND e.event_type LIKE 'DECISION\\_%%' AND e.local_date >= l.lodged
    ORDER BY e.case_id, e.occurred_at, e.id
)
SELECT to_char(d.decided, 'YYYY-MM'),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY d.decided - l.lodged)
FROM decided d JOIN lodged l USING (case_id)
WHERE d.decided BETWEEN %(start)s AND %(end)s
GROUP BY 1 ORDER BY 1
"""


def naive_values_ms(*, today: date, runs: int = 3) -> float:
    """Median time (ms) of answering the values request straight from the events table."""
    first, last = values_months(today)
    timings = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            started = time.perf_counter()
            cursor.execute(_NAIVE, {"start": first.start, "end": last.end})
            cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return median(timings)


def overview_render_ms(*, chain: str, renders: int = 7) -> float:
    """Median time (ms) of rendering the overview page for a chain director, after a warm-up."""
    director, _ = User.objects.get_or_create(username="bench director")
    director.groups.add(Group.objects.get(name=CHAIN_DIRECTOR))
    client = Client()
    client.force_login(director)
    url = f"/?chain={chain}"
    timings = []
    for _ in range(renders + 1):
        started = time.perf_counter()
        answer = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{url} answered {answer.status_code}")
    return median(timings[1:])
