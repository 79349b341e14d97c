"""The chain's domain: who takes part, what happened to which case, and what is measured.

The vocabulary is that of ``docs/reference/events.md``: a *case* is one person in one chain,
known only by a pseudonymized key; *status events* are what partners report about cases;
*measurements* are facts not about one case (capacity, survey scores). *Case facts* hold one
row per case with its milestone dates, derived set-wise from its events by ``chain.case_facts``.
The catalogue (goals, indicators, signal bands, legal term rules) is data, loaded from
``catalogue/catalogue-v1.json`` and edited in the admin.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.postgres.fields import ArrayField, DateRangeField
from django.db import models

from chain.vocabulary import EventType, LeaveReason, MeasurementKind


class Chain(models.Model):
    """A national asylum chain: NL or BE."""

    code = models.CharField(max_length=2, primary_key=True)
    name = models.CharField(max_length=100)
    timezone = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.code


class Organisation(models.Model):
    """A chain partner that delivers data (IND, COA, DTV, DVZ, FEDASIL)."""

    code = models.CharField(max_length=16, primary_key=True)
    name = models.CharField(max_length=200)
    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="organisations")
    expected_interval = models.DurationField(
        default=timedelta(days=2),
        help_text="Data resting on this partner is stale after this long without a delivery.",
    )

    def __str__(self) -> str:
        return self.code


class Case(models.Model):
    """One person in one chain. ``person_key`` is HMAC-SHA256 of the raw identifier."""

    # The unique (chain, person_key) index serves lookups by chain; a second index would only
    # slow the loader's inserts. No database constraint: the loader takes the chain from the
    # organisation's row, and a deferred check per new case cost seconds at each large commit.
    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, db_index=False, db_constraint=False)
    # Hex digests compare byte by byte: a language's collation only slows every index search.
    person_key = models.CharField(max_length=64, db_collation="C")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "person_key"], name="case_chain_person_key")
        ]


class Extract(models.Model):
    """One delivery: a file, a feed page or a push request.

    The domain keeps it (events and measurements point to the delivery they came in); the
    ingest fills it. Its table keeps the name it was made with, ``ingest_extract``.
    """

    class Channel(models.TextChoices):
        FILE = "file"
        FEED = "feed"
        PUSH = "push"

    class Status(models.TextChoices):
        RECEIVED = "received"
        PROCESSING = "processing"
        ACCEPTED = "accepted"
        PARTIALLY_ACCEPTED = "partially_accepted"
        REJECTED = "rejected"
        DUPLICATE = "duplicate"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    name = models.CharField(max_length=300)
    path = models.CharField(max_length=1000, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    reason = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_read = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    duplicates = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    earliest_date = models.DateField(null=True, blank=True)
    latest_date = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "ingest_extract"
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["organisation", "sha256"], name="extract_partner_sha"),
            models.Index(
                fields=["organisation", "status", "finished_at"], name="extract_freshness"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.name}"

    @property
    def is_finished(self) -> bool:
        return self.status not in {self.Status.RECEIVED, self.Status.PROCESSING}


class StatusEvent(models.Model):
    """One canonical status event; stored once per source identity.

    The largest table by far, so every index and constraint on it is paid for at each load.
    Its references carry no database constraint: the loader only writes organisations, chains
    and extracts it took from those tables and case ids it joined from ``chain_case`` (cases are
    never deleted), and the deferred per-row checks cost a third of the load time. It has only
    the four indexes its readers use; the composite ones serve lookups by their first column.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    # Compared byte by byte, like the person key: it is an identifier, often a hex digest.
    source_event_id = models.CharField(max_length=100, db_collation="C")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="events", db_constraint=False, db_index=False
    )
    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, db_constraint=False, db_index=False)
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    occurred_at = models.DateTimeField()
    # The local calendar date in the chain's time zone: every period rule works on it.
    local_date = models.DateField()
    track = models.CharField(max_length=2, null=True, blank=True)
    nationality = models.CharField(max_length=3, null=True, blank=True)
    uam = models.BooleanField(null=True)
    location = models.CharField(max_length=200, null=True, blank=True)
    reason = models.CharField(max_length=16, choices=LeaveReason.choices, null=True, blank=True)
    destination = models.CharField(max_length=3, null=True, blank=True)
    # Extracts are never deleted (the admin does not allow it), so nothing looks events up by it.
    extract = models.ForeignKey(
        Extract,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source_event_id"], name="event_source_identity"
            )
        ]
        indexes = [
            models.Index(
                fields=["chain", "event_type", "local_date"], name="event_chain_type_date"
            ),
            models.Index(fields=["case", "occurred_at"], name="event_case_time"),
        ]


class Measurement(models.Model):
    """An aggregate fact; a new delivery of the same key replaces the value."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    chain = models.ForeignKey(Chain, on_delete=models.PROTECT)
    kind = models.CharField(max_length=32, choices=MeasurementKind.choices)
    location = models.CharField(max_length=200, null=True, blank=True)
    date = models.DateField()
    value = models.FloatField()
    extract = models.ForeignKey(Extract, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "location", "date"],
                name="measurement_identity",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["chain", "kind", "date"], name="measurement_chain_kind")]


class CaseFact(models.Model):
    """One row per case with its milestone dates (local dates), derived from its events.

    Upserted set-wise from the events of existing cases, so, like the events, it skips the
    deferred per-row foreign key checks; its chain is served by the composite indexes.
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, db_constraint=False
    )
    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, db_index=False, db_constraint=False)
    track = models.CharField(max_length=2, null=True)
    nationality = models.CharField(max_length=3, null=True)
    uam = models.BooleanField(null=True)
    registered = models.DateField(null=True)
    lodged = models.DateField(null=True)
    decided = models.DateField(null=True)
    outcome = models.CharField(max_length=32, null=True)
    deadline = models.DateField(null=True)
    term_extended = models.BooleanField(default=False)
    return_opened = models.DateField(null=True)
    departed = models.DateField(null=True)
    return_closed = models.DateField(null=True)
    # The days in reception (docs/reference/indicators.md), as disjoint ranges, the last one open
    # while the person is still in.
    reception = ArrayField(DateRangeField(), default=list)
    first_event = models.DateField()
    last_event = models.DateField()

    class Meta:
        # An incremental recompute reads only the cases with an event since its first period or
        # a deadline in its periods; the flows read by first and last event. Every other reader
        # scans a chain's facts whole, so no other index is worth its upkeep at each load.
        indexes = [
            models.Index(fields=["chain", "first_event"], name="casefact_chain_first_event"),
            models.Index(fields=["chain", "last_event"], name="casefact_chain_last_event"),
            models.Index(fields=["chain", "deadline"], name="casefact_chain_deadline"),
        ]


class Goal(models.Model):
    """A chain goal (ketendoel)."""

    code = models.CharField(max_length=32, primary_key=True)
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.code


class Direction(models.TextChoices):
    LOWER = "lower"
    HIGHER = "higher"
    BAND = "band"
    NONE = "none"


class Indicator(models.Model):
    """A catalogue entry: a kind of computation with its parameters."""

    code = models.CharField(max_length=64, primary_key=True)
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="indicators")
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    definition_nl = models.TextField(blank=True)
    definition_en = models.TextField(blank=True)
    unit = models.CharField(max_length=16)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.NONE)
    kind = models.CharField(max_length=48)
    params = models.JSONField(default=dict, blank=True)
    per_track = models.BooleanField(default=True)
    by_nationality = models.BooleanField(default=False)
    # Partner codes per chain that the value rests on, e.g. {"NL": ["IND"], "BE": ["DVZ"]}.
    sources = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    catalogue_version = models.CharField(max_length=16, default="v1")

    class Meta:
        ordering = ["goal__position", "position"]

    def __str__(self) -> str:
        return self.code


class Signal(models.TextChoices):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "none"


class SignalBand(models.Model):
    """A closed interval; bands of one indicator and chain are checked in ``position`` order."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="bands")
    chain = models.ForeignKey(
        Chain, on_delete=models.CASCADE, null=True, blank=True, help_text="Empty: all chains."
    )
    position = models.PositiveSmallIntegerField()
    signal = models.CharField(max_length=8, choices=Signal.choices)
    lower = models.FloatField(null=True, blank=True, help_text="Empty: no lower bound.")
    upper = models.FloatField(null=True, blank=True, help_text="Empty: no upper bound.")

    class Meta:
        ordering = ["indicator", "chain", "position"]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.chain_id or 'all'} {self.signal}"


class LegalTermRule(models.Model):
    """Months of the legal decision term for applications lodged in a date range."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="term_rules")
    lodged_from = models.DateField(null=True, blank=True, help_text="Empty: from the beginning.")
    lodged_to = models.DateField(null=True, blank=True, help_text="Inclusive. Empty: no end.")
    months = models.PositiveSmallIntegerField()
    extended_months = models.PositiveSmallIntegerField(
        default=15, help_text="Months after an individual TERM_EXTENDED, if more than the rule's."
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["chain", "lodged_from"]

    def __str__(self) -> str:
        return f"{self.chain_id} {self.lodged_from} - {self.lodged_to}: {self.months}"


class PeriodType(models.TextChoices):
    MONTH = "month"
    WEEK = "week"
    HALF_YEAR = "half_year"


class Suppression(models.TextChoices):
    """Why a nationality cell is withheld: ``primary``, it rests on too few cases (decided by
    the engine, which stores no value for it); ``secondary``, it is the next smallest beside a
    lone primary cell, so that the total minus the cells shown does not give that one away
    (decided when a breakdown is read, over the cells read beside it)."""

    NONE = "", "shown"
    PRIMARY = "primary"
    SECONDARY = "secondary"


class IndicatorValue(models.Model):
    """A materialized value for one indicator, chain, period and slice (track or nationality)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE)
    period_type = models.CharField(max_length=9, choices=PeriodType.choices)
    period = models.CharField(max_length=8)
    period_start = models.DateField()
    period_end = models.DateField()
    # '' means all tracks / no nationality breakdown.
    track = models.CharField(max_length=2, default="", blank=True)
    nationality = models.CharField(max_length=3, default="", blank=True)
    value = models.FloatField(null=True)
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    # Kept for a suppressed cell too: an incremental run resumes a stock from it. Readers
    # never serve it (``chain.selectors.complete_series``); None on a cell withheld when read.
    n = models.IntegerField(null=True, default=0)
    signal = models.CharField(max_length=8, choices=Signal.choices, default=Signal.NONE)
    suppressed = models.CharField(
        max_length=9, choices=Suppression.choices, default=Suppression.NONE, blank=True
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "chain", "period_type", "period", "track", "nationality"],
                name="indicator_value_identity",
            )
        ]
        indexes = [
            models.Index(
                fields=["indicator", "chain", "period_type", "track", "nationality", "period_end"],
                name="value_series",
            )
        ]


class DirtyRange(models.Model):
    """Dates from which a chain's indicator values must be recomputed after an ingest."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE)
    from_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)


class CatalogueChange(models.Model):
    """Audit trail of catalogue edits: who changed what, when, from what to what."""

    changed_at = models.DateTimeField(auto_now_add=True)
    user = models.CharField(max_length=150)
    object_type = models.CharField(max_length=50)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=10)
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)

    class Meta:
        ordering = ["-changed_at"]


class EventOfNote(models.Model):
    """A policy or context event that explains a bend in a curve: a marker on the charts.

    Not an event about a case (``StatusEvent``): a law, a decision or a crisis, on one day or
    over a range of days, in one chain or in both. Loaded from the catalogue file and edited
    in the admin, audited like the catalogue.
    """

    code = models.SlugField(max_length=64, primary_key=True)
    chain = models.ForeignKey(
        Chain, on_delete=models.PROTECT, null=True, blank=True, help_text="Empty: both chains."
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Inclusive. Empty: one day.")
    title_nl = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    link_nl = models.URLField(max_length=500, blank=True)
    link_en = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["start", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="event_of_note_end_after_start",
                violation_error_message="The end of an event of note lies before its start.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.start} {self.code}"

    def title(self, language: str) -> str:
        """The title in ``language`` (``nl`` or ``en``; Dutch for any other)."""
        return self.title_en if language == "en" else self.title_nl

    def link(self, language: str) -> str:
        """The link in ``language``, or the other language's if it has none in this one."""
        first, second = (
            (self.link_en, self.link_nl) if language == "en" else (self.link_nl, self.link_en)
        )
        return first or second
