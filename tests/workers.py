"""Real Celery workers in a child process, pointed at the test database."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable

from django.conf import settings

from devtools.clocked import on_this_clock
from devtools.database import database_url


def child_environ() -> dict[str, str]:
    """This process's environment for a child, without the browser tests' async escape hatch."""
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def start_worker(**env: str) -> subprocess.Popen[bytes]:
    """``celery worker --pool solo`` on the test database and the real broker, on our clock."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter and modules
        [*on_this_clock("celery"), "-A", "psi", "worker", "--pool", "solo", "-l", "warning"],
        cwd=settings.BASE_DIR,
        env={
            **child_environ(),
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            **env,
        },
    )


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll until ``condition`` holds; fail the test naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
