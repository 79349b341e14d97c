"""The production processes a benchmark measures: gunicorn, and a Celery worker and beat.

They run as ``docker-compose.yml`` runs them: ``DEBUG`` off, with every setting production
requires (a fresh secret key, the public address, where mail goes), on this process's database
and Redis, and with this process's pseudonym key, so that the people of generated data are the
people a push names. A process that refuses to start fails the benchmark at once, with its exit
code, instead of leaving it to wait for a server that will never answer.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from django.conf import settings

from devtools.clocked import on_this_clock
from devtools.database import database_url

HOST = "127.0.0.1"
# The imagined TLS-terminating proxy in front of gunicorn says the request came in over HTTPS;
# without it production answers every request with a redirect.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
START_SECONDS = 90


def production_environ(*, scratch: Path) -> dict[str, str]:
    """The environment of a production process on this database; ``scratch`` is an empty
    folder of its own (no partner file lands there, beat keeps its schedule there)."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PSI_PSEUDONYM_KEY": settings.PSI_PSEUDONYM_KEY,
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"https://{HOST}",
        "EMAIL_URL": "console://",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "LANDING_ROOT": str(scratch / "landing"),
        "FEDASIL_FEED_URL": "",
        "LOG_LEVEL": "WARNING",
    }


@contextmanager
def production_processes(*, worker: bool = False, beat: bool = False) -> Iterator[str]:
    """Run gunicorn with 2 workers (and, if asked, a Celery worker of concurrency 2 and beat)
    until the block ends; yields the web's base URL once it answers and the worker listens."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="psi-bench-") as folder:
        scratch = Path(folder)
        commands = {
            "gunicorn": [*on_this_clock("gunicorn"), "psi.wsgi:application", "--workers", "2",
                         "--bind", f"{HOST}:{port}", "--log-level", "warning"],
        }  # fmt: skip
        if worker:
            commands["celery worker"] = [
                *on_this_clock("celery"), "-A", "psi", "worker", "-l", "warning",
                "--concurrency", "2", "--hostname", _worker_name(port),
            ]  # fmt: skip
        if beat:
            commands["celery beat"] = [
                *on_this_clock("celery"), "-A", "psi", "beat", "-l", "warning",
                "--schedule", str(scratch / "celerybeat-schedule"),
            ]  # fmt: skip
        environ = production_environ(scratch=scratch)
        processes = {
            name: subprocess.Popen(command, cwd=settings.BASE_DIR, env=environ)  # noqa: S603
            for name, command in commands.items()
        }
        try:
            base = f"http://{HOST}:{port}"
            _wait_until(lambda: _answers(base), processes, "gunicorn to answer")
            if worker:
                _wait_until(lambda: _worker_listens(port), processes, "the Celery worker")
            yield base
            _check_running(processes)
        finally:
            for process in processes.values():
                process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _answers(base: str) -> bool:
    try:
        httpx.get(f"{base}/api/v1/indicators", headers=PROXY_HEADERS)
    except httpx.TransportError:
        return False
    return True


def _worker_listens(port: int) -> bool:
    from psi.celery import app

    return bool(app.control.ping(destination=[_worker_name(port)], timeout=0.5))


def _worker_name(port: int) -> str:
    return f"bench-{port}@{HOST}"


def _check_running(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """Fail with the name and exit code of a process that stopped (its log is above)."""
    for name, process in processes.items():
        if process.poll() is not None:
            raise RuntimeError(
                f"{name} exited with code {process.returncode}; its output above says why"
            )


def _wait_until(
    ready: Callable[[], bool], processes: dict[str, subprocess.Popen[bytes]], what: str
) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        _check_running(processes)
        if ready():
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {START_SECONDS} s waiting for {what}")
        time.sleep(0.2)
