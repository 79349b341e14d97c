"""The read API under load for ``bench_indicators``: gunicorn, 2 workers; wrk, 16 connections."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from statistics import median

import httpx
from django.conf import settings
from django.db import connection

from ingest.models import OrganisationAPIKey

URLS = (
    "/api/v1/indicators?chain=NL",
    "/api/v1/indicators/decision_lead_time_median/values"
    "?chain=NL&period=month&from=2022-01&to=2024-12",
)
# wrk alternates the two URLs and prints the latency percentiles it measured, in microseconds.
_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Authorization"] = "Api-Key %s"})
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_under_load(*, seconds: int) -> dict[str, str]:
    """p50/p95/p99 latency (ms) and requests per second of the read API under wrk."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    _, key = OrganisationAPIKey.objects.create_key(name="bench", scope="read")
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
        [sys.executable, "-m", "gunicorn", "psi.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=settings.BASE_DIR, env={**os.environ, "LOG_LEVEL": "WARNING"},
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base, key)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(_SCRIPT % (", ".join(f'"{u}"' for u in URLS), key))
        result = subprocess.run(  # noqa: S603
            [wrk, "-t", "2", "-c", "16", "-d", f"{seconds}s", "-s", script.name, base],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        os.unlink(script.name)
    finally:
        server.terminate()
        server.wait(timeout=30)
    found = dict(re.findall(r"^(p\d+|requests|seconds|errors) ([\d.]+)$", result.stdout, re.M))
    if int(found["errors"]):
        raise RuntimeError(f"wrk saw {found['errors']} errors:\n{result.stdout}")
    return {
        "api_p50_ms": f"{int(found['p50']) / 1000:.1f}",
        "api_p95_ms": f"{int(found['p95']) / 1000:.1f}",
        "api_p99_ms": f"{int(found['p99']) / 1000:.1f}",
        "api_rps": f"{int(found['requests']) / float(found['seconds']):.0f}",
    }


def _wait_until_up(base: str, key: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            answer = httpx.get(base + URLS[0], headers={"Authorization": f"Api-Key {key}"})
            if answer.status_code == 200:
                return
            raise RuntimeError(f"{URLS[0]} answered {answer.status_code}: {answer.text[:300]}")
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


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
WHERE d.decided BETWEEN date '2022-01-01' AND date '2024-12-31'
GROUP BY 1 ORDER BY 1
"""


def naive_values_ms(*, runs: int = 3) -> float:
    """Median time (ms) of answering the values request straight from the events table."""
    timings = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            started = time.perf_counter()
            cursor.execute(_NAIVE)
            cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return median(timings)
