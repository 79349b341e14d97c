"""What the read API answers, and the query parameters it takes.

Query parameters are serializers too, so drf-spectacular documents them from the same fields
that check them. Unlike a plain DRF serializer, a ``QuerySerializer`` reports every problem at
once: the cross-field checks run beside the field errors, on the fields that passed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import Field, SkipField

from chain import clock
from chain.indicators.engine import SUPPRESSION_THRESHOLD
from chain.models import (
    EventOfNote,
    Extract,
    Goal,
    Indicator,
    IndicatorValue,
    Organisation,
    Suppression,
)
from chain.periods import (
    MAX_PERIODS,
    MONTH,
    PERIOD_TYPES,
    SERIES_TYPES,
    YEAR_TO_DATE,
    OutOfRange,
    Period,
    Reversed,
    TooLong,
    check_day,
    check_started,
    checked_range,
    parse_period,
    period_containing,
    periods_back,
)
from chain.selectors import bands_for, difference, latest_complete_period
from chain.vocabulary import CHAINS, TRACKS
from ingest.models import RejectedRow

DEFAULT_PERIODS = 12
NATIONALITY = "nationality"
# ``compare``: beside each period, the same period one year before, or one and two years.
PREVIOUS_YEAR = "previous_year"
PREVIOUS_TWO_YEARS = "previous_two_years"
COMPARE_YEARS = {PREVIOUS_YEAR: 1, PREVIOUS_TWO_YEARS: 2}
# The members an item gains per year compared: the earlier value, the change and its share.
COMPARE_COLUMNS = {
    1: ("previous_year_value", "change", "change_share"),
    2: ("two_years_before_value", "two_years_change", "two_years_change_share"),
}
# Lists of deliveries and rejected rows come in pages of this many rows by default, at most.
DEFAULT_PAGE = 50
MAX_PAGE = 500
# DRF reads ``format`` (``?format=csv``) itself, before a view does; every query may carry it.
COMMON_PARAMS = frozenset({"format"})
EMPTY = "empty; leave the parameter out for its default"
NUL = "contains a NUL character"

Problems = dict[str, list[Any]]


def _add(problems: Problems, name: str, message: str) -> None:
    problems.setdefault(name, []).append(message)


class QuerySerializer(serializers.Serializer):
    """Query parameters, checked all at once so that a 400 lists every problem.

    Each field is checked on its own; then ``combine`` checks the valid fields against each
    other, adds what it finds to ``problems`` and derives the values the view works with.
    """

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        valid: dict[str, Any] = {}
        problems: Problems = {}
        for name in sorted(set(self.fields) | COMMON_PARAMS):
            values = data.getlist(name)
            # ``period=`` would otherwise count as absent and quietly answer for the default.
            if "" in values:
                _add(problems, name, EMPTY)
            # PostgreSQL cannot compare text with a NUL byte: no check may take it there.
            elif any("\x00" in value for value in values):
                _add(problems, name, NUL)
        for name, field in self.fields.items():
            if name in problems:
                continue
            try:
                valid[name] = field.run_validation(field.get_value(data))
            except serializers.ValidationError as exc:
                problems[name] = list(exc.detail)
            except SkipField:
                continue
        # A misspelt parameter (``chian=NL``) would otherwise be ignored and answer the wrong
        # question without a word.
        for name in sorted(set(data) - set(self.fields) - COMMON_PARAMS):
            _add(problems, name, "unknown parameter")
        combined = self.combine(valid, problems)
        if problems:
            raise serializers.ValidationError(problems)
        return combined

    def combine(self, valid: dict[str, Any], problems: Problems) -> dict[str, Any]:
        """Cross-field checks and derived values; ``valid`` holds only the fields that passed."""
        return valid


# The form of a month (2023-04), ISO week (2023-W17), half-year (2023-H1) or year to date
# (2023-YTD04) label, for the document; the query parses the label against the period type
# asked, which says more than a pattern can.
PERIOD_LABEL = r"^[0-9]{4}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4][0-9]|5[0-3])|H[12]|YTD(0[1-9]|1[0-2]))$"


@extend_schema_field({"type": "string", "pattern": PERIOD_LABEL, "example": "2023-04"})
class PeriodLabelField(serializers.CharField):
    """A month, week, half-year or year-to-date label: 2023-04, 2023-W17, 2023-H1, 2023-YTD04."""


@extend_schema_field(
    {"type": "string", "pattern": f"^({'|'.join(sorted(set().union(*TRACKS.values())))})$"}
)
class TrackField(serializers.CharField):
    """A procedure track; the query checks it against the chain asked, which names the tracks."""


class RangeQuery(QuerySerializer):
    """A query with the bounds ``from`` and ``to``, which Python cannot declare as attributes."""

    def range_field(self, bound: str) -> Field:
        raise NotImplementedError

    def get_fields(self) -> dict[str, Field]:
        return {**super().get_fields(), "from": self.range_field("first"),
                "to": self.range_field("last")}  # fmt: skip


class ChainsQuery(QuerySerializer):
    chain = serializers.ChoiceField(
        choices=CHAINS, required=False, help_text="A chain; absent: one item per chain."
    )
    period = serializers.ChoiceField(choices=PERIOD_TYPES, default=MONTH)

    def combine(self, valid: dict[str, Any], problems: Problems) -> dict[str, Any]:
        chain = valid.get("chain")
        return {**valid, "chains": [chain] if chain else list(CHAINS)}


class ValuesQuery(RangeQuery):
    """``/indicators/{code}/values``; needs the indicator in the context."""

    chain = serializers.ChoiceField(choices=CHAINS)
    period = serializers.ChoiceField(
        choices=SERIES_TYPES, default=MONTH,
        help_text="`month`, `week` (ISO), `half_year`, or `year_to_date` (1 January to the end "
        "of a month, computed when asked; no breakdown by nationality).",
    )  # fmt: skip
    track = TrackField(
        required=False,
        help_text="One procedure track (NL 1-4, BE P or U); absent: all tracks together.",
    )
    by = serializers.ChoiceField(
        choices=[NATIONALITY], required=False,
        help_text="`nationality`: one item per period and nationality; small cells suppressed.",
    )  # fmt: skip
    compare = serializers.ChoiceField(
        choices=list(COMPARE_YEARS), required=False,
        help_text="`previous_year`: each item also has the value of the same period a year "
        "before, the change and the change as a share of that value; `previous_two_years`: "
        "also those against two years before. A week 53 is set against the last week of the "
        "earlier year when that year has only 52.",
    )  # fmt: skip

    def range_field(self, bound: str) -> Field:
        return PeriodLabelField(
            required=False,
            help_text=f"The {bound} period, as 2023-04 (month), 2023-W17 (week), 2023-H1 "
            "(half-year) or 2023-YTD04 (year to date through April); default: the last "
            f"{DEFAULT_PERIODS} complete periods.",
        )

    def combine(self, valid: dict[str, Any], problems: Problems) -> dict[str, Any]:
        indicator: Indicator = self.context["indicator"]
        track = valid.get("track", "")
        by_nationality = valid.get("by") == NATIONALITY
        if track and not indicator.per_track:
            _add(problems, "track", f"{indicator.code} is not split by track")
        elif track and valid.get("chain") and track not in TRACKS[valid["chain"]]:
            allowed = ", ".join(sorted(TRACKS[valid["chain"]]))
            _add(problems, "track", f"{track!r} is not a track of {valid['chain']} ({allowed})")
        if by_nationality and not indicator.by_nationality:
            _add(problems, "by", f"{indicator.code} has no breakdown by nationality")
        if by_nationality and track:
            _add(problems, "by", "a breakdown by nationality covers all tracks; leave out track")
        if by_nationality and valid.get("period") == YEAR_TO_DATE:
            _add(problems, "by", "a year to date has no breakdown by nationality")
        periods = self._periods(valid, problems) if "period" in valid else None
        years = COMPARE_YEARS.get(valid.get("compare", ""), 0)
        return {
            **valid, "track": track, "by_nationality": by_nationality, "periods": periods,
            "compare_years": years,
        }  # fmt: skip

    def _periods(self, valid: dict[str, Any], problems: Problems) -> list[Period] | None:
        period_type = valid["period"]
        bounds: dict[str, Period] = {}
        today = clock.today()
        for name in ("from", "to"):
            if name in valid:
                try:
                    bounds[name] = check_started(parse_period(valid[name], period_type), today)
                except ValueError as err:
                    _add(problems, name, str(err))
        if len(bounds) != sum(name in valid for name in ("from", "to")):
            return None
        last = bounds.get("to") or latest_complete_period(period_type=period_type)
        first = bounds.get("from") or periods_back(last, DEFAULT_PERIODS - 1)
        try:
            return checked_range(first, last)
        except Reversed as err:
            _add(problems, "from", str(err))
        except TooLong as err:
            _add(problems, "to", str(err))
        return None


def _drop_days_out_of_range(valid: dict[str, Any], problems: Problems) -> None:
    """``from`` and ``to`` as days: one outside the years served is a problem, and dropped."""
    for name in ("from", "to"):
        if name not in valid:
            continue
        try:
            check_day(valid[name])
        except OutOfRange as err:
            _add(problems, name, str(err))
            del valid[name]


class FlowsQuery(RangeQuery):
    chain = serializers.ChoiceField(choices=CHAINS)

    def range_field(self, bound: str) -> Field:
        return serializers.DateField(
            required=False,
            help_text=f"The {bound} day, inclusive; default: the last {DEFAULT_PERIODS} complete "
            "months.",
        )

    def combine(self, valid: dict[str, Any], problems: Problems) -> dict[str, Any]:
        _drop_days_out_of_range(valid, problems)
        last_month = latest_complete_period(period_type=MONTH)
        end: date = valid.get("to", last_month.end)
        start: date = valid.get("from", periods_back(last_month, DEFAULT_PERIODS - 1).start)
        if start > end:
            _add(problems, "from", f"{start} is after {end}")
            return {**valid, "from": start, "to": end}
        try:
            checked_range(period_containing(start, MONTH), period_containing(end, MONTH))
        except TooLong as err:
            _add(problems, "from", f"{err.count} months asked; at most {MAX_PERIODS}")
        return {**valid, "from": start, "to": end}


class EventsOfNoteQuery(RangeQuery):
    """``/events-of-note``: a chain (absent: both) and an optional range of days."""

    chain = serializers.ChoiceField(
        choices=CHAINS, required=False,
        help_text="A chain: its events and those of both chains; absent: every event.",
    )  # fmt: skip

    def range_field(self, bound: str) -> Field:
        return serializers.DateField(
            required=False,
            help_text=f"The {bound} day, inclusive; absent: open on that side. An event over a "
            "range of days is listed if any of its days is in range.",
        )

    def combine(self, valid: dict[str, Any], problems: Problems) -> dict[str, Any]:
        _drop_days_out_of_range(valid, problems)
        start, end = valid.get("from"), valid.get("to")
        if start is not None and end is not None and start > end:
            _add(problems, "from", f"{start} is after {end}")
        return {"chain": valid.get("chain"), "from": start, "to": end}


def _known_partner(code: str) -> None:
    if not Organisation.objects.filter(code=code).exists():
        known = ", ".join(Organisation.objects.order_by("code").values_list("code", flat=True))
        raise serializers.ValidationError(f"{code!r} is not a partner ({known})")


class PageQuery(QuerySerializer):
    """``limit`` and ``offset`` of a paged list, checked instead of silently corrected."""

    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE, help_text="Rows per page."
    )
    offset = serializers.IntegerField(
        required=False, min_value=0, help_text="Rows to skip before the page."
    )


class ExtractsQuery(PageQuery):
    partner = serializers.CharField(
        required=False, validators=[_known_partner], help_text="A partner code, such as IND."
    )


class IndicatorNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["code", "name_nl", "name_en"]


class GoalSerializer(serializers.ModelSerializer):
    indicators = IndicatorNameSerializer(many=True)

    class Meta:
        model = Goal
        fields = ["code", "name_nl", "name_en", "indicators"]


class ReadingSerializer(serializers.Serializer):
    """An indicator's value in the latest complete period of one chain."""

    code = serializers.CharField(source="indicator.code")
    goal = serializers.CharField(source="indicator.goal_id")
    name_nl = serializers.CharField(source="indicator.name_nl")
    name_en = serializers.CharField(source="indicator.name_en")
    unit = serializers.CharField(source="indicator.unit")
    direction = serializers.CharField(source="indicator.direction")
    chain = serializers.CharField()
    period = serializers.CharField(source="value.period")
    value = serializers.FloatField(source="value.value", allow_null=True)
    n = serializers.IntegerField(source="value.n")
    signal = serializers.CharField(source="value.signal")
    stale = serializers.BooleanField()


class BandSerializer(serializers.Serializer):
    signal = serializers.CharField()
    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)


class SourceSerializer(serializers.Serializer):
    """A partner the values rest on, and whether it delivered within its expected interval."""

    partner = serializers.CharField()
    last_delivery = serializers.DateTimeField(allow_null=True)
    expected_interval = serializers.DurationField(format="iso-8601")
    stale = serializers.BooleanField()


class IndicatorSerializer(serializers.ModelSerializer):
    """An indicator's definition, with its signal bands and source partners per chain."""

    # The context carries ``freshness``, from ``chain.selectors.partner_freshness``.

    bands = serializers.SerializerMethodField(help_text="Signal bands per chain, in order.")
    sources = serializers.SerializerMethodField(help_text="Source partners per chain.")

    class Meta:
        model = Indicator
        fields = [
            "code", "goal", "name_nl", "name_en", "definition_nl", "definition_en", "unit",
            "direction", "kind", "per_track", "by_nationality", "bands", "sources",
        ]  # fmt: skip

    @extend_schema_field(serializers.DictField(child=BandSerializer(many=True)))
    def get_bands(self, indicator: Indicator) -> dict[str, Any]:
        return {
            chain: BandSerializer(bands_for(indicator=indicator, chain=chain), many=True).data
            for chain in CHAINS
        }

    @extend_schema_field(serializers.DictField(child=SourceSerializer(many=True)))
    def get_sources(self, indicator: Indicator) -> dict[str, Any]:
        freshness = self.context["freshness"]
        return {
            chain: SourceSerializer(
                [freshness[p] for p in indicator.sources.get(chain, []) if p in freshness],
                many=True,
            ).data
            for chain in CHAINS
        }


@extend_schema_field(
    {
        "oneOf": [{"type": "boolean"}, {"type": "string", "enum": [Suppression.SECONDARY]}],
        "description": f"`false`: shown. `true`: rests on fewer than {SUPPRESSION_THRESHOLD} "
        "cases (or none). "
        '`"secondary"`: withheld beside the only `true` cell of its period, so that the total '
        "minus the cells shown does not give that one away. A suppressed cell has no `value`, "
        "`numerator`, `denominator` or `n`, and signal `none`.",
    }
)
class SuppressedField(serializers.Field):
    """``true`` for primary suppression, ``"secondary"`` for secondary, else ``false``."""

    def to_representation(self, value: str) -> bool | str:
        if value == Suppression.SECONDARY:
            return str(Suppression.SECONDARY)
        return value == Suppression.PRIMARY


@extend_schema_field({"type": "number", "format": "double", "nullable": True})
class ComparedField(serializers.Field):
    """One member of the comparison with the same period ``years`` years before: the earlier
    value (``member`` 0), the change (1) or its share (2). Present only when asked for."""

    def __init__(self, years: int, member: int, **kwargs: Any) -> None:
        super().__init__(source="*", required=False, allow_null=True, **kwargs)
        self.years, self.member = years, member

    def to_representation(self, value: IndicatorValue) -> float | None:
        return self.parent.compared(value, self.years)[self.member]


class ValueSerializer(serializers.Serializer):
    """One item of a series: `track` only when a track was asked, `nationality` only in a
    breakdown by nationality, the comparison with earlier years only when `compare` was asked;
    `stale` holds for the whole series."""

    # The context may carry ``compare_years`` (0, 1 or 2) and ``earlier``: per number of years,
    # the earlier values keyed by (period, nationality) (``chain.selectors.series_years_before``).

    period = serializers.CharField()
    chain = serializers.CharField(source="chain_id")
    track = serializers.CharField(required=False, help_text="Only when a track was asked.")
    nationality = serializers.CharField(
        required=False, help_text="Only with by=nationality (ISO 3166-1 alpha-3)."
    )
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField(allow_null=True, help_text="null in a suppressed cell.")
    signal = serializers.CharField()
    stale = serializers.SerializerMethodField()
    suppressed = SuppressedField()
    previous_year_value = ComparedField(
        1, 0, help_text="With compare: the value of the same period a year before."
    )
    change = ComparedField(
        1, 1, help_text="With compare: `value` minus `previous_year_value`; null when either is."
    )
    change_share = ComparedField(
        1, 2, help_text="With compare: `change` as a fraction of `previous_year_value` (0.25 is "
        "25 %); null when that is 0 or null.",
    )  # fmt: skip
    two_years_before_value = ComparedField(
        2, 0, help_text="With compare=previous_two_years: the value of the same period two "
        "years before.",
    )  # fmt: skip
    two_years_change = ComparedField(
        2, 1, help_text="With compare=previous_two_years: `value` minus `two_years_before_value`."
    )
    two_years_change_share = ComparedField(
        2, 2, help_text="With compare=previous_two_years: `two_years_change` as a fraction of "
        "`two_years_before_value`.",
    )  # fmt: skip

    def columns(self) -> list[str]:
        """The members of an item in this context, in order: also the header of a CSV."""
        years = self.context.get("compare_years", 0)
        compared = {name for back in range(1, years + 1) for name in COMPARE_COLUMNS[back]}
        hidden = {
            name
            for name, shown in (
                ("track", self.context.get("track")),
                ("nationality", self.context.get("by_nationality")),
            )
            if not shown
        } | {name for names in COMPARE_COLUMNS.values() for name in names} - compared
        return [name for name in self.fields if name not in hidden]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        item = super().to_representation(instance)
        return {name: item[name] for name in self.columns()}

    def get_stale(self, value: object) -> bool:
        return bool(self.context.get("stale"))

    def compared(self, value: IndicatorValue, years: int) -> tuple[float | None, ...]:
        """The value ``years`` years before, the change and its share (all None unless asked)."""
        if self.context.get("compare_years", 0) < years:
            return (None, None, None)
        before = self.context["earlier"][years].get((value.period, value.nationality))
        earlier = before.value if before is not None else None
        found = difference(value=value.value, earlier=earlier)
        return (earlier, found.change, found.change_share)


class FlowSerializer(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()
    value = serializers.IntegerField()


class FlowsSerializer(serializers.Serializer):
    chain = serializers.CharField()
    links = FlowSerializer(many=True)

    def get_fields(self) -> dict[str, Field]:
        fields = super().get_fields()
        # ``from`` is a Python keyword, so the bounds cannot be declared as attributes.
        return {"chain": fields["chain"], "from": serializers.DateField(),
                "to": serializers.DateField(), "links": fields["links"]}  # fmt: skip


class EventOfNoteSerializer(serializers.ModelSerializer):
    """A policy or context event that explains a bend in a curve."""

    chain = serializers.CharField(
        source="chain_id", allow_null=True, help_text="NL or BE; null: both chains."
    )
    end = serializers.DateField(
        allow_null=True, help_text="The last day, inclusive; null: an event of one day."
    )
    link_nl = serializers.CharField(help_text="A public source in Dutch; may be empty.")
    link_en = serializers.CharField(help_text="A public source in English; may be empty.")

    class Meta:
        model = EventOfNote
        fields = ["code", "chain", "start", "end", "title_nl", "title_en", "link_nl", "link_en"]


class ExtractSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="organisation_id")

    class Meta:
        model = Extract
        fields = [
            "id", "partner", "channel", "name", "status", "reason", "received_at",
            "started_at", "finished_at", "rows_read", "accepted", "duplicates", "rejected",
            "earliest_date", "latest_date",
        ]  # fmt: skip


class RejectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RejectedRow
        fields = ["line", "field", "reason", "excerpt"]
