"""The database this process uses, as a URL for a child process (a worker, a timed command)."""

from __future__ import annotations

from django.db import connection


def database_url() -> str:
    """This process's database as a URL, so a child process uses the same one (even in tests)."""
    db = connection.settings_dict
    # The embedded server is reached by a socket folder, which dj-database-url puts in OPTIONS.
    host = db["HOST"] or db["OPTIONS"].get("host", "")
    port = f"&port={db['PORT']}" if db["PORT"] else ""
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@/{db['NAME']}?host={host}{port}"
