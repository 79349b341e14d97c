"""The query parameters of the dashboard pages, as forms: checked, with defaults, and shown.

An absent (or empty) parameter takes its default; a bad one is a problem that names the
parameter and the value, and the page answers 400 with every problem listed.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from chain import clock
from chain.models import Organisation
from chain.periods import (
    FIRST_YEAR,
    HALF_YEAR,
    LAST_YEAR,
    MAX_PERIODS,
    MONTH,
    WEEK,
    InTheFuture,
    OutOfRange,
    Period,
    Reversed,
    TooLong,
    check_day,
    check_started,
    checked_range,
    parse_period,
    period_containing,
    periods_ending,
)
from chain.selectors import latest_complete_period
from chain.vocabulary import BE, NL
from dashboard.selectors import PREVIOUS_PERIOD, PREVIOUS_YEAR

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BOTH = "ALL"
CHAIN_CHOICES = [(NL, gettext_lazy("Netherlands")), (BE, gettext_lazy("Belgium"))]
PERIOD_TYPE_CHOICES = [
    (MONTH, gettext_lazy("Month")), (WEEK, gettext_lazy("Week")),
    # In a context: the English is part of "Half-years", which the toggle says.
    (HALF_YEAR, pgettext_lazy("period type", "Half-year")),
]  # fmt: skip
PERIOD_NAMES = {
    MONTH: gettext_lazy("month"), WEEK: gettext_lazy("week"), HALF_YEAR: gettext_lazy("half-year"),
}  # fmt: skip
PERIOD_EXAMPLE = {MONTH: "2024-03", WEEK: "2024-W12", HALF_YEAR: "2024-H1"}
PERIOD_HELP = gettext_lazy("For example 2024-03 (month), 2024-W12 (week) or 2024-H1 (half-year).")
SERIES_PERIODS = 24
FLOW_MONTHS = 12


class QueryForm(forms.Form):
    """A page's GET parameters; a field's ``initial`` is the default of an absent parameter."""

    def __init__(self, params: QueryDict) -> None:
        defaults = {name: f.initial for name, f in self.base_fields.items() if f.initial}
        # Only a key set to an empty list has no string value; it is as good as absent.
        given = {
            name: value
            for name, value in params.items()
            if isinstance(value, str) and value.strip()
        }
        super().__init__({**defaults, **given})

    def problems(self) -> list[str]:
        """Every problem, each naming the parameter it is about."""
        out: list[str] = []
        for name, errors in self.errors.items():
            where = _("parameter “%(name)s”") % {"name": name} if name != "__all__" else ""
            out.extend(f"{where}: {error}" if where else str(error) for error in errors)
        return out

    def clean(self) -> dict[str, Any]:
        # Form.clean returns cleaned_data; the stubs allow None, which only an override returns.
        return self.cleaned_data

    def parse_period(self, name: str, period_type: str) -> Period | None:
        """The period in parameter ``name``, or None (with a problem added) if it is bad."""
        label = self.cleaned_data.get(name)
        if not label:
            return None
        try:
            period = parse_period(label, period_type)
        except OutOfRange:
            self.add_error(name, _out_of_range(label))
            return None
        except ValueError:
            message = _("“%(value)s” is not a %(type)s; write it as %(example)s.") % {
                "value": label, "type": PERIOD_NAMES[period_type],
                "example": PERIOD_EXAMPLE[period_type],
            }  # fmt: skip
            self.add_error(name, message)
            return None
        try:
            return check_started(period, clock.today())
        except InTheFuture:
            self.add_error(name, _("%(period)s lies in the future.") % {"period": period.label})
            return None

    def check_day(self, name: str) -> None:
        """Adds a problem when the day in parameter ``name`` lies outside the years served."""
        day = self.cleaned_data.get(name)
        if day is None:
            return
        try:
            check_day(day)
        except OutOfRange:
            self.add_error(name, _out_of_range(day))


def _out_of_range(value: object) -> str:
    return _("%(value)s lies outside the years %(first)s to %(last)s.") % {
        "value": value, "first": FIRST_YEAR, "last": LAST_YEAR,
    }  # fmt: skip


def _chain_field(*, both: bool = False) -> forms.ChoiceField:
    choices = [(BOTH, gettext_lazy("Both chains")), *CHAIN_CHOICES] if both else CHAIN_CHOICES
    return forms.ChoiceField(
        label=gettext_lazy("Chain"), choices=choices, initial=BOTH if both else NL
    )


def _period_type_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=gettext_lazy("Period"), choices=PERIOD_TYPE_CHOICES, initial=MONTH,
        widget=forms.HiddenInput,
    )  # fmt: skip


def _period_label_field(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=8, help_text=help_text,
        widget=forms.TextInput(attrs={"size": 9, "autocomplete": "off"}),
    )  # fmt: skip


def _date_field(label: StrOrPromise) -> forms.DateField:
    return forms.DateField(
        label=label, required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip


COMPARE_CHOICES = [
    (PREVIOUS_PERIOD, gettext_lazy("the previous period")),
    (PREVIOUS_YEAR, gettext_lazy("the same period last year")),
]


class OverviewQuery(QueryForm):
    """``?chain=NL|BE|ALL&period_type=month|week|half_year&period=2024-03&compare=previous|
    previous_year``."""

    chain = _chain_field(both=True)
    period_type = _period_type_field()
    period = _period_label_field(gettext_lazy("Period"), PERIOD_HELP)
    compare = forms.ChoiceField(
        label=gettext_lazy("Change against"), choices=COMPARE_CHOICES, initial=PREVIOUS_PERIOD
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chain, period_type = data.get("chain"), data.get("period_type")
        if period_type:
            period = self.parse_period("period", period_type)
            if not self.has_error("period"):
                data["period"] = period or latest_complete_period(period_type=period_type)
        if chain:
            data["chains"] = [NL, BE] if chain == BOTH else [chain]
        return data


class RangeQuery(QueryForm):
    """A query whose bounds are the parameters ``from`` and ``to`` (keywords in Python)."""

    def __init__(self, params: QueryDict) -> None:
        super().__init__(params)
        self.fields.update(self.range_fields())

    def range_fields(self) -> dict[str, forms.Field]:
        raise NotImplementedError


class IndicatorQuery(RangeQuery):
    """``?chain=NL&period_type=month|week|half_year&from=2023-01&to=2024-03``: the periods of
    the series."""

    chain = _chain_field()
    period_type = _period_type_field()

    def range_fields(self) -> dict[str, forms.Field]:
        return {
            "from": _period_label_field(gettext_lazy("From"), PERIOD_HELP),
            "to": _period_label_field(gettext_lazy("To"), PERIOD_HELP),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        period_type = data.get("period_type")
        if not period_type:
            return data
        first = self.parse_period("from", period_type)
        last = self.parse_period("to", period_type)
        if self.has_error("from") or self.has_error("to"):
            return data
        last = last or latest_complete_period(period_type=period_type)
        if first is None:
            data["periods"] = periods_ending(last, SERIES_PERIODS)
            return data
        try:
            data["periods"] = checked_range(first, last)
        except Reversed:
            self.add_error("from", _("%(first)s is after %(last)s.") % {
                "first": first.label, "last": last.label,
            })  # fmt: skip
        except TooLong as err:
            self.add_error("from", _("%(count)s periods asked; at most %(max)s.") % {
                "count": err.count, "max": MAX_PERIODS,
            })  # fmt: skip
        return data


class FlowQuery(RangeQuery):
    """``?chain=NL&from=2023-01-01&to=2023-12-31``: default the last 12 complete months."""

    chain = _chain_field()

    def range_fields(self) -> dict[str, forms.Field]:
        return {"from": _date_field(gettext_lazy("From")), "to": _date_field(gettext_lazy("To"))}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.check_day("from")
        self.check_day("to")
        if self.has_error("from") or self.has_error("to"):
            return data
        last_month = latest_complete_period(period_type=MONTH)
        end: date = data.get("to") or last_month.end
        start: date = data.get("from") or periods_ending(last_month, FLOW_MONTHS)[0].start
        if start > end:
            self.add_error("from", _("%(start)s is after %(end)s.") % {"start": start, "end": end})
            return data
        try:
            months = checked_range(period_containing(start, MONTH), period_containing(end, MONTH))
        except TooLong as err:
            self.add_error("from", _("%(count)s months asked; at most %(max)s.") % {
                "count": err.count, "max": MAX_PERIODS,
            })  # fmt: skip
        else:
            data.update({"from": start, "to": end, "months": months})
            # The date fields show the range in effect, not empty fields for the default one.
            self.data = {**self.data, "from": start, "to": end}
        return data


class DeadlineQuery(QueryForm):
    """``?chain=NL&on=2024-03-31``: open cases as of a day (default today)."""

    chain = _chain_field()
    on = _date_field(pgettext_lazy("as of a day", "On"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.check_day("on")
        if self.has_error("on"):
            return data
        today = clock.today()
        data["on"] = data.get("on") or today
        self.data = {**self.data, "on": data["on"]}
        if data["on"] > today:
            self.add_error("on", _("%(day)s lies in the future.") % {"day": data["on"]})
        return data


class IngestQuery(QueryForm):
    """``?partner=IND``: one partner, or (absent) every partner the user may see."""

    partner = forms.ChoiceField(label=gettext_lazy("Partner"), required=False)

    def __init__(self, params: QueryDict) -> None:
        super().__init__(params)
        codes = Organisation.objects.order_by("code").values_list("code", flat=True)
        cast(forms.ChoiceField, self.fields["partner"]).choices = [
            ("", _("All partners")),
            *((c, c) for c in codes),
        ]
