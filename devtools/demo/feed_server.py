"""A small local Fedasil feed serving the pages ``generate_demo`` wrote, for ``make demo``.

Same paging, bearer token and capacity endpoint as the real feed (``docs/reference/formats.md``):
``GET /v1/occupancy-events[?cursor=…]`` answers the page that follows the cursor, and
``GET /v1/capacity?date=yyyy-mm-dd`` the latest capacity document on or before that date.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

Start = Callable[[str, list[tuple[str, str]]], Any]


def make_app(folder: Path, token: str) -> Callable[[dict[str, Any], Start], Iterable[bytes]]:
    """A WSGI app over ``folder/pages/*.json`` and ``folder/capacity/*.json``."""
    pages = sorted((folder / "pages").glob("*.json"))
    after_cursor = {}
    for page, following in pairwise(pages):
        after_cursor[json.loads(page.read_bytes())["next_cursor"]] = following
    capacity = {json.loads(p.read_bytes())["date"]: p for p in (folder / "capacity").glob("*.json")}

    def app(environ: dict[str, Any], start: Start) -> Iterable[bytes]:
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {token}":
            return _answer(start, "401 Unauthorized", {"detail": "bad or missing bearer token"})
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        path = environ.get("PATH_INFO", "")
        if path == "/v1/occupancy-events":
            page = after_cursor.get(query["cursor"]) if "cursor" in query else pages[0]
            if page is None:
                return _answer(start, "400 Bad Request", {"detail": "unknown cursor"})
            return _answer(start, "200 OK", page.read_bytes())
        if path == "/v1/capacity" and "date" in query:
            dates = [d for d in sorted(capacity) if d <= query["date"]]
            if not dates:
                return _answer(start, "200 OK", {"date": query["date"], "data": []})
            return _answer(start, "200 OK", capacity[dates[-1]].read_bytes())
        return _answer(start, "404 Not Found", {"detail": f"no resource at {path}"})

    return app


def _answer(start: Start, status: str, body: dict[str, Any] | bytes) -> list[bytes]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    start(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    """``python -m devtools.demo.feed_server FOLDER PORT TOKEN``."""
    folder, port, token = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    server = make_server("127.0.0.1", port, make_app(folder, token), handler_class=_QuietHandler)
    server.serve_forever()


if __name__ == "__main__":
    main()
