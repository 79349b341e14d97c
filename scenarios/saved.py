"""Saved scenarios: a run kept under a name, shared with the users of its chain.

A user works for an organisation (``accounts.UserProfile``) and so for a chain: the saved
scenarios of that chain are theirs to see, with their own of any chain. A user linked to no
organisation (an administrator, a director of both chains) sees those of every chain.
"""

from __future__ import annotations

import math
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import UserProfile
from chain.models import Organisation
from chain.vocabulary import CHAINS
from scenarios.models import SavedScenario
from scenarios.services import ScenarioResult, result_json

NAME_LENGTH = SavedScenario._meta.get_field("name").max_length


def default_name(inputs: dict[str, Any]) -> str:
    """``NL 2026-11 +12``: the chain, the origin and the horizon."""
    return f"{inputs['chain']} {inputs['origin']} +{inputs['horizon']}"


def save_result(*, result: ScenarioResult, name: str = "", author: Any = None) -> SavedScenario:
    """Keep a run and its whole answer under ``name`` (default: chain, origin, horizon)."""
    answer = result_json(result)
    return save_answer(answer=answer, name=name, author=author)


def _finite(value: Any) -> Any:
    """The answer with any NaN or infinity as null: JSON (and PostgreSQL's jsonb) has neither."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def save_answer(*, answer: dict[str, Any], name: str = "", author: Any = None) -> SavedScenario:
    """Keep an answer of ``result_json`` under ``name``."""
    answer = _finite(answer)
    inputs = answer["inputs"]
    return SavedScenario.objects.create(
        name=(name.strip() or default_name(inputs))[:NAME_LENGTH], chain_id=inputs["chain"],
        author=author if author is not None and author.is_authenticated else None,
        inputs=inputs, answer=answer,
    )  # fmt: skip


def chains_of_user(user: Any) -> list[str]:
    """The chains whose saved scenarios a user sees: their organisation's, else every one."""
    organisation = (
        UserProfile.objects.filter(user=user, organisation__isnull=False)
        .values_list("organisation__chain_id", flat=True)
        .first()
    )
    return [organisation] if organisation else list(CHAINS)


def chains_of_organisation(organisation: str | None) -> list[str]:
    """The chains an organisation's callers see (None: no organisation, every chain)."""
    if organisation is None:
        return list(CHAINS)
    chain = Organisation.objects.filter(code=organisation).values_list("chain_id", flat=True)
    return list(chain)


def visible_scenarios(
    *, chains: list[str], author: Any = None, chain: str | None = None
) -> QuerySet[SavedScenario]:
    """Saved scenarios of ``chains`` and the ``author``'s own, newest first; one chain if given."""
    seen = Q(chain_id__in=chains)
    if author is not None and author.is_authenticated:
        seen |= Q(author=author)
    found = SavedScenario.objects.filter(seen).select_related("author")
    return found.filter(chain_id=chain) if chain else found
