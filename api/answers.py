"""Whole answers of the read API, cached per URL and indicator data version.

The values change only when the engine recomputes, and the engine then bumps the data version
(``chain.indicators.engine.DATA_VERSION_KEY``): an answer built before is never served after.
Staleness changes with the clock instead, so an answer lives for ``ANSWER_TTL`` at most; the
latest complete period changes with the date, which is part of the key too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from rest_framework.request import Request

from chain import clock
from chain.indicators.engine import DATA_VERSION_KEY

# Partners' expected intervals are hours or days: a minute late on turning stale is nothing.
ANSWER_TTL = 60


def cached_answer(request: Request, build: Callable[[], Any]) -> Any:
    """The answer's data for this request's URL from the cache, else built and cached.

    ``build`` raises for a bad request; nothing is cached then.
    """
    version = cache.get(DATA_VERSION_KEY, 0)
    identity = f"{version}|{clock.today()}|{request.get_full_path()}"
    key = "api-answer:" + hashlib.sha256(identity.encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = build()
        cache.set(key, data, ANSWER_TTL)
    return data
