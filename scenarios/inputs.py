"""The inputs of a scenario: parsed, checked and completed with their defaults.

``parse_inputs`` turns the JSON of a scenario (docs/reference/scenarios.md, "Inputs") into a
frozen ``ScenarioInputs``, or raises ``InvalidInputs`` naming every bad field at once, so that
the API can answer one problem+json listing them all. Numbers are kept as ``Decimal`` made from
their written form: the model computes on the decimal values (0.145 x 100 is 14.5).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from django.core.cache import cache
from django.db import connection

from chain import clock
from chain.indicators.engine import DATA_VERSION_KEY
from chain.vocabulary import CHAINS, TRACKS
from scenarios import months

# A chain's extent lives as long as its data version; this only bounds an old one.
EXTENT_TTL = 24 * 3600
MAX_HORIZON = 36
MAX_PATHS = 5000
MAX_WINDOW = 120
MAX_TERM_MONTHS = 120
DEFAULT_HORIZON = 12
DEFAULT_PATHS = 500
DEFAULT_WINDOW = 12
DEFAULT_SHARE = Decimal("0.7")
DEFAULT_NOTICE_RATE = Decimal("1.0")
DEFAULT_PLANNING_NORM = Decimal("0.96")
POLICIES = ("fifo", "over_term_share", "lifo")
_NATIONALITY = re.compile(r"[A-Z]{3}")

# Overridable calibration parameters and the shape of their values.
SHARE_MAPS = ("track_shares", "nationality_shares", "grant_share")
SHARES = (
    "reception_entry_share", "status_holder_leave_rate", "other_leave_rate",
    "return_case_share", "departure_rate",
)  # fmt: skip
AMOUNTS = ("inflow_monthly_mean", "inflow_dispersion", "productivity", "fte")
OVERRIDES = (*AMOUNTS, "seasonal_profile", *SHARE_MAPS, *SHARES)
_TOP = (
    "chain", "origin", "horizon", "paths", "seed", "window", "inflow", "capacity", "policy",
    "fast_track", "term_rules", "penalty", "reception", "overrides",
)  # fmt: skip


class InvalidInputs(ValueError):
    """Bad scenario inputs; ``errors`` maps each bad field (``overrides.foo``) to why."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Hire:
    """FTE added from ``month`` on, reaching full strength after ``ramp_months``."""

    month: int
    fte: Decimal
    ramp_months: int


@dataclass(frozen=True)
class TermRule:
    """A scenario term: ``months`` for every case lodged on or after ``lodged_from``."""

    lodged_from: date
    months: int


@dataclass(frozen=True)
class ScenarioInputs:
    """One scenario's inputs with every default filled in (None: the calibrated value)."""

    chain: str
    origin: int
    horizon: int
    paths: int
    seed: int
    window: int
    inflow_kind: str  # "baseline", "annual" or "monthly"
    inflow_annual: Decimal | None
    inflow_monthly: tuple[Decimal, ...] | None
    fte: tuple[Decimal, ...] | None  # one per month of the horizon; None: the latest FTE
    fte_as_list: bool
    productivity: Decimal | None
    hires: tuple[Hire, ...]
    policy: str
    share: Decimal
    fast_track_nationalities: tuple[str, ...]
    fast_track_extra: Decimal
    term_rules: tuple[TermRule, ...]
    notice_rate: Decimal
    notice_lag_days: int
    planning_norm: Decimal
    overrides: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def months(self) -> list[int]:
        """The months of the horizon, after the origin."""
        return [self.origin + k for k in range(1, self.horizon + 1)]


def default_origin(today: date) -> int:
    """The last complete calendar month before ``today``."""
    return months.month_of(today) - 1


def chain_extent(chain: str) -> tuple[int | None, frozenset[str]]:
    """The first month of the chain's data and the nationalities its cases have (cached per
    indicator data version, as the calibration)."""
    key = f"scenario-extent:{cache.get(DATA_VERSION_KEY, 0)}:{chain}"
    found = cache.get(key)
    if found is not None:
        return found
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(first_event) FROM chain_casefact WHERE chain_id = %s", [chain])
        first = cursor.fetchone()[0]
        cursor.execute(
            "SELECT DISTINCT nationality FROM chain_casefact "
            "WHERE chain_id = %s AND nationality IS NOT NULL",
            [chain],
        )
        nationalities = frozenset(row[0] for row in cursor.fetchall())
    found = ((months.month_of(first) if first else None), nationalities)
    cache.set(key, found, EXTENT_TTL)
    return found


class _Checker:
    """Collects every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, name: str, why: str) -> None:
        self.errors.setdefault(name, why)

    def integer(self, value: Any, name: str, low: int, high: int | None = None) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, "must be a whole number")
            return None
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"at least {low}"
            self.fail(name, f"must be {span}")
            return None
        return value

    def number(
        self, value: Any, name: str, *, low: Decimal = Decimal(0), high: Decimal | None = None,
        above_low: bool = False,
    ) -> Decimal | None:  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self.fail(name, "must be a number")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(name, "must be a number")
            return None
        if not number.is_finite():
            self.fail(name, "must be a number")
            return None
        too_low = number <= low if above_low else number < low
        if too_low or (high is not None and number > high):
            if high is None:
                self.fail(name, f"must be {'above' if above_low else 'at least'} {low}")
            else:
                self.fail(name, f"must be {'above' if above_low else 'from'} {low} "
                          f"{'and at most' if above_low else 'to'} {high}")  # fmt: skip
            return None
        return number

    def share(self, value: Any, name: str) -> Decimal | None:
        return self.number(value, name, high=Decimal(1))

    def obj(self, value: Any, name: str, keys: tuple[str, ...]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(name, "must be an object")
            return {}
        for key in value:
            if key not in keys:
                self.fail(f"{name}.{key}", "unknown field")
        return value


def parse_inputs(*, data: object, today: date | None = None) -> ScenarioInputs:
    """The completed inputs of ``data`` (a decoded JSON object), or ``InvalidInputs``.

    Reads the chain's first month of data and its nationalities to check the origin and the
    nationalities named.
    """
    chain = data.get("chain") if isinstance(data, dict) else None
    first_month, nationalities = chain_extent(chain) if chain in CHAINS else (None, frozenset())
    return check_inputs(
        data=data, today=today or clock.today(), first_month=first_month,
        nationalities=nationalities,
    )  # fmt: skip


def check_inputs(
    *, data: object, today: date, first_month: int | None, nationalities: frozenset[str]
) -> ScenarioInputs:
    """``parse_inputs`` for a chain whose data begins in ``first_month`` and whose cases have
    ``nationalities``."""
    check = _Checker()
    if not isinstance(data, dict):
        raise InvalidInputs({"": "the scenario must be a JSON object"})
    for key in data:
        if key not in _TOP:
            check.fail(key, "unknown field")
    chain = data.get("chain")
    if chain not in CHAINS:
        check.fail("chain", f"must be one of {', '.join(CHAINS)}")
        raise InvalidInputs(check.errors)
    assert isinstance(chain, str)

    origin = default_origin(today)
    if "origin" in data:
        parsed = months.parse_month(data["origin"])
        if parsed is None:
            check.fail("origin", "must be a month written YYYY-MM")
        elif parsed > default_origin(today):
            check.fail("origin", "must be a complete month in the past")
        elif first_month is None or parsed < first_month:
            check.fail("origin", "lies before the chain's data")
        else:
            origin = parsed
    elif first_month is None or origin < first_month:
        check.fail("origin", "the chain has no data before the last complete month")

    horizon = check.integer(data.get("horizon", DEFAULT_HORIZON), "horizon", 1, MAX_HORIZON)
    paths = check.integer(data.get("paths", DEFAULT_PATHS), "paths", 1, MAX_PATHS)
    seed = data.get("seed")
    if seed is None:
        seed = secrets.randbelow(2**31)
    seed = check.integer(seed, "seed", 0, 2**63 - 1)
    window = check.integer(data.get("window", DEFAULT_WINDOW), "window", 1, MAX_WINDOW)
    h = horizon or 1

    inflow = check.obj(data.get("inflow"), "inflow", ("baseline", "annual", "monthly"))
    given = [key for key in ("baseline", "annual", "monthly") if key in inflow]
    kind, annual, monthly = "baseline", None, None
    if len(given) > 1:
        check.fail("inflow", "give one of baseline, annual or monthly")
    elif given == ["annual"]:
        kind, annual = "annual", check.number(inflow["annual"], "inflow.annual")
    elif given == ["monthly"]:
        kind = "monthly"
        monthly = _series(check, inflow["monthly"], "inflow.monthly", h, horizon is not None)
    elif given == ["baseline"] and inflow["baseline"] is not True:
        check.fail("inflow.baseline", "must be true")

    capacity = check.obj(data.get("capacity"), "capacity", ("fte", "productivity", "hires"))
    fte, fte_as_list = None, False
    if "fte" in capacity:
        if isinstance(capacity["fte"], list):
            fte_as_list = True
            fte = _series(check, capacity["fte"], "capacity.fte", h, horizon is not None)
        else:
            one = check.number(capacity["fte"], "capacity.fte")
            fte = (one,) * h if one is not None else None
    productivity = None
    if "productivity" in capacity:
        productivity = check.number(capacity["productivity"], "capacity.productivity")
    hires = _hires(check, capacity.get("hires", []), origin)

    policy = check.obj(data.get("policy"), "policy", ("kind", "share"))
    kind_of_policy = policy.get("kind", "fifo")
    if kind_of_policy not in POLICIES:
        check.fail("policy.kind", f"must be one of {', '.join(POLICIES)}")
    share = check.share(policy.get("share", DEFAULT_SHARE), "policy.share")

    fast = check.obj(
        data.get("fast_track"), "fast_track", ("nationalities", "extra_decisions_per_month")
    )
    fast_nationalities = _nationalities(check, fast.get("nationalities", []), nationalities)
    fast_extra = check.number(
        fast.get("extra_decisions_per_month", 0), "fast_track.extra_decisions_per_month"
    )
    # The completed inputs of an answer carry an empty fast track: they must read back.
    if fast_extra and not fast_nationalities and "fast_track.nationalities" not in check.errors:
        check.fail("fast_track.nationalities", "must name at least one nationality")

    term_rules = _term_rules(check, data.get("term_rules", []))

    penalty = check.obj(data.get("penalty"), "penalty", ("notice_rate", "notice_lag_days"))
    notice_rate = check.share(
        penalty.get("notice_rate", DEFAULT_NOTICE_RATE), "penalty.notice_rate"
    )
    lag = check.integer(penalty.get("notice_lag_days", 0), "penalty.notice_lag_days", 0, 3650)

    reception = check.obj(data.get("reception"), "reception", ("planning_norm",))
    norm = check.number(
        reception.get("planning_norm", DEFAULT_PLANNING_NORM), "reception.planning_norm",
        high=Decimal(1), above_low=True,
    )  # fmt: skip

    overrides = _overrides(check, data.get("overrides"), chain, nationalities)

    if check.errors:
        raise InvalidInputs(check.errors)
    assert horizon is not None and paths is not None and seed is not None
    assert window is not None and share is not None and fast_extra is not None
    assert notice_rate is not None and lag is not None and norm is not None
    return ScenarioInputs(
        chain=chain, origin=origin, horizon=horizon, paths=paths, seed=seed, window=window,
        inflow_kind=kind, inflow_annual=annual, inflow_monthly=monthly, fte=fte,
        fte_as_list=fte_as_list, productivity=productivity, hires=hires,
        policy=kind_of_policy, share=share, fast_track_nationalities=fast_nationalities,
        fast_track_extra=fast_extra, term_rules=term_rules, notice_rate=notice_rate,
        notice_lag_days=lag, planning_norm=norm, overrides=MappingProxyType(overrides),
    )  # fmt: skip


def _series(
    check: _Checker, value: Any, name: str, horizon: int, horizon_known: bool
) -> tuple[Decimal, ...] | None:
    if not isinstance(value, list):
        check.fail(name, "must be a list of numbers")
        return None
    if horizon_known and len(value) != horizon:
        check.fail(name, f"must hold {horizon} numbers, one per month of the horizon")
        return None
    numbers = [check.number(v, f"{name}[{i}]") for i, v in enumerate(value)]
    if any(n is None for n in numbers):
        return None
    return tuple(n for n in numbers if n is not None)


def _hires(check: _Checker, value: Any, origin: int) -> tuple[Hire, ...]:
    if not isinstance(value, list):
        check.fail("capacity.hires", "must be a list")
        return ()
    hires = []
    for i, hire in enumerate(value):
        name = f"capacity.hires[{i}]"
        hire = check.obj(hire, name, ("month", "fte", "ramp_months"))
        month = months.parse_month(hire.get("month"))
        if month is None:
            check.fail(f"{name}.month", "must be a month written YYYY-MM")
        elif month <= origin:
            check.fail(f"{name}.month", "must lie after the origin")
        fte = check.number(hire.get("fte"), f"{name}.fte")
        ramp = check.integer(hire.get("ramp_months", 1), f"{name}.ramp_months", 1, 120)
        if month is not None and fte is not None and ramp is not None:
            hires.append(Hire(month=month, fte=fte, ramp_months=ramp))
    return tuple(hires)


def _nationalities(check: _Checker, value: Any, known: frozenset[str]) -> tuple[str, ...]:
    name = "fast_track.nationalities"
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        check.fail(name, "must be a list of nationality codes")
        return ()
    unknown = sorted(v for v in set(value) if v not in known)
    if unknown:
        check.fail(name, f"unknown nationality: {', '.join(unknown)}")
        return ()
    return tuple(sorted(set(value)))


def _term_rules(check: _Checker, value: Any) -> tuple[TermRule, ...]:
    if not isinstance(value, list):
        check.fail("term_rules", "must be a list")
        return ()
    rules: list[TermRule] = []
    for i, rule in enumerate(value):
        name = f"term_rules[{i}]"
        rule = check.obj(rule, name, ("lodged_from", "months"))
        try:
            start = date.fromisoformat(rule.get("lodged_from"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            check.fail(f"{name}.lodged_from", "must be a date written YYYY-MM-DD")
            start = None
        term = check.integer(rule.get("months"), f"{name}.months", 1, MAX_TERM_MONTHS)
        if start is not None and any(r.lodged_from == start for r in rules):
            check.fail(f"{name}.lodged_from", "two term rules start on the same date")
        elif start is not None and term is not None:
            rules.append(TermRule(lodged_from=start, months=term))
    return tuple(sorted(rules, key=lambda r: r.lodged_from))


def _overrides(
    check: _Checker, value: Any, chain: str, nationalities: frozenset[str]
) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        check.fail("overrides", "must be an object")
        return {}
    given: dict[str, Any] = value
    done: dict[str, Any] = {}
    for key, item in given.items():
        name = f"overrides.{key}"
        if key not in OVERRIDES:
            check.fail(name, "unknown parameter")
        elif key in AMOUNTS:
            done[key] = check.number(item, name)
        elif key in SHARES:
            done[key] = check.share(item, name)
        elif key == "seasonal_profile":
            if not isinstance(item, list) or len(item) != 12:
                check.fail(name, "must hold 12 factors, January to December")
                continue
            factors = [check.number(v, f"{name}[{i}]", above_low=True) for i, v in enumerate(item)]
            if all(f is not None for f in factors):
                done[key] = tuple(factors)
        else:
            done[key] = _share_map(check, item, name, key, chain, nationalities)
    return {k: v for k, v in done.items() if v is not None}


def _share_map(
    check: _Checker, item: Any, name: str, key: str, chain: str, nationalities: frozenset[str]
) -> Mapping[str, Decimal] | None:
    if not isinstance(item, dict) or not item:
        check.fail(name, "must map codes to shares")
        return None
    shares: dict[str, Decimal] = {}
    for code, share in item.items():
        if key == "nationality_shares":
            if not _NATIONALITY.fullmatch(code) or code not in nationalities:
                check.fail(f"{name}.{code}", "unknown nationality")
                continue
        elif code not in TRACKS[chain]:
            check.fail(f"{name}.{code}", "unknown track")
            continue
        parsed = check.share(share, f"{name}.{code}")
        if parsed is not None:
            shares[code] = parsed
    if len(shares) != len(item):
        return None
    if key != "grant_share" and sum(shares.values()) <= 0:
        check.fail(name, "shares must not all be 0")
        return None
    return MappingProxyType(shares)
