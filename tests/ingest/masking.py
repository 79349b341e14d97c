"""What every adapter's tests check of an identifier put in a field where it does not belong."""

from __future__ import annotations

from ingest.adapters.base import Rejection

# A V-number and SP-numbers of both lengths.
IDENTIFIERS = ["3098765432", "8123456", "81234567"]


def assert_quoted_masked(rejection: Rejection, field: str, identifier: str) -> None:
    """The rejection names ``field`` and quotes ``identifier`` masked, nowhere in clear."""
    assert rejection.field == field
    assert f"'{'*' * (len(identifier) - 2)}{identifier[-2:]}'" in rejection.reason
    assert identifier not in rejection.reason + rejection.excerpt
