"""One sentence per indicator of the half-year report, generated from its figures.

"Het aantal openstaande zaken over de termijn daalde met 18 % ten opzichte van de eerste helft
van 2025 (van 1.234 naar 1.012)." Counts and days move by a percentage of the earlier value;
shares by percentage points (a percentage of a percentage misleads); ratios and scores from one
value to the other. A change too small to show at the sentence's precision reads as unchanged.
The sentence is written in the active language (``translation.override``).
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from chain.formatting import english, format_number
from chain.vocabulary import COUNT, DAYS, SHARE

# What each indicator of the catalogue is called in the middle of a sentence, so that the verb
# agrees ("het aantal ... daalde"). An indicator added to the catalogue later reads as its
# quoted name until it is given a subject here.
SUBJECTS = {
    "applications_lodged": pgettext_lazy(
        "sentence subject", "the number of asylum applications lodged"
    ),
    "decisions_taken": pgettext_lazy("sentence subject", "the number of decisions taken"),
    "decision_lead_time_median": pgettext_lazy("sentence subject", "the median time to a decision"),
    "decisions_within_term_share": pgettext_lazy(
        "sentence subject", "the share of decisions within the legal term"
    ),
    "open_cases": pgettext_lazy("sentence subject", "the number of open cases"),
    "open_cases_over_term": pgettext_lazy(
        "sentence subject", "the number of open cases past their legal term"
    ),
    "decisions_to_applications_ratio": pgettext_lazy(
        "sentence subject", "the number of decisions per application"
    ),
    "hearing_no_show_rate": pgettext_lazy(
        "sentence subject", "the share of hearings the applicant did not attend"
    ),
    "client_satisfaction": pgettext_lazy("sentence subject", "client satisfaction"),
    "reception_occupancy_rate": pgettext_lazy(
        "sentence subject", "the occupancy rate of reception"
    ),
    "status_holders_in_reception": pgettext_lazy(
        "sentence subject", "the number of status holders in reception"
    ),
    "stay_after_grant_median": pgettext_lazy(
        "sentence subject", "the median stay in reception after a permit"
    ),
    "departures": pgettext_lazy("sentence subject", "the number of departures"),
    "verified_departure_share": pgettext_lazy(
        "sentence subject", "the share of verified departures"
    ),
    "return_lead_time_median": pgettext_lazy("sentence subject", "the median time to return"),
    "open_return_cases": pgettext_lazy("sentence subject", "the number of open return cases"),
}
HALVES = {
    1: gettext_lazy("the first half of %(year)s"),
    2: gettext_lazy("the second half of %(year)s"),
}


def half_phrase(label: str) -> str:
    """``2025-H1`` as ``the first half of 2025`` / ``de eerste helft van 2025``."""
    year, half = label.split("-H")
    return str(HALVES[int(half)]) % {"year": year}


def subject_of(*, code: str, name: str) -> str:
    """The indicator as the subject of a sentence, in lower case."""
    subject = SUBJECTS.get(code)
    if subject is not None:
        return str(subject)
    # Typographic quotes: double in English, single in Dutch.
    return f"\u201c{name}\u201d" if english() else f"\u2018{name}\u2019"


def change_sentence(
    *, code: str, name: str, unit: str, current: float | None, earlier: float | None,
    period: str, earlier_period: str,
) -> str:  # fmt: skip
    """How the indicator moved from ``earlier_period`` to ``period``, as one sentence.

    ``current`` and ``earlier`` are the stored values (a share as a fraction); None is no value
    (none computed, or suppressed), and the sentence then says which half has none.
    """
    subject = subject_of(code=code, name=name)
    words = {"subject": subject, "when": half_phrase(earlier_period)}
    if current is None:
        words["when"] = half_phrase(period)
        return _capital(_("There is no value of %(subject)s for %(when)s.") % words)
    if earlier is None:
        return _capital(_("There is no value of %(subject)s for %(when)s to compare with.") % words)
    words["from"], words["to"] = format_number(earlier, unit), format_number(current, unit)
    amount = _amount(unit=unit, current=current, earlier=earlier)
    if amount is None:
        return _capital(_("%(subject)s was unchanged compared with %(when)s (%(to)s).") % words)
    words["amount"] = amount
    if current > earlier:
        if unit in (COUNT, DAYS, SHARE) and amount:
            text = _(
                "%(subject)s rose by %(amount)s compared with %(when)s (from %(from)s to %(to)s)."
            )
        else:
            text = _("%(subject)s rose from %(from)s to %(to)s compared with %(when)s.")
    elif unit in (COUNT, DAYS, SHARE) and amount:
        text = _("%(subject)s fell by %(amount)s compared with %(when)s (from %(from)s to %(to)s).")
    else:
        text = _("%(subject)s fell from %(from)s to %(to)s compared with %(when)s.")
    return _capital(text % words)


def _amount(*, unit: str, current: float, earlier: float) -> str | None:
    """The size of the change as the sentence writes it; None when it rounds to nothing.

    An empty string is a change with no percentage to give (from 0 to something).
    """
    if format_number(current, unit) == format_number(earlier, unit):
        return None
    if unit == SHARE:
        points = format_number(abs(current - earlier), SHARE).removesuffix(" %")
        return _("%(points)s percentage points") % {"points": points}
    if unit in (COUNT, DAYS):
        if earlier == 0:
            return ""
        percent = round(abs(current - earlier) / abs(earlier) * 100)
        if percent == 0:
            # Less than half a percent: the figures differ, but "0 %" would read as no change.
            return _("less than 1 %")
        return formats.number_format(percent, use_l10n=True, force_grouping=True) + " %"
    return ""


def _capital(text: str) -> str:
    """The sentence with its first letter in upper case (a subject starts in lower case)."""
    return text[:1].upper() + text[1:]
