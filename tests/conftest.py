"""Shared fixtures: the catalogue, a real Celery worker on the real broker, partner files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

DATA = Path(__file__).parent / "data"


@pytest.fixture
def catalogue(db: None) -> None:
    """The catalogue of catalogue/catalogue-v1.json, loaded as an operator would."""
    call_command("load_catalogue", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def celery_worker() -> Iterator[object]:
    """A real Celery worker (in a thread of this process) consuming from the real Redis.

    Tests using it need ``django_db(transaction=True, serialized_rollback=True)``: the worker
    thread sees only committed rows.
    """
    from celery.contrib.testing.worker import start_worker

    from psi.celery import app

    app.control.purge()
    with start_worker(app, perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


@pytest.fixture
def write_extract(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a partner file into tmp_path and return its path."""

    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write
