"""Admin for the catalogue: goals, indicators with their signal bands, legal term rules, and
the events of note that the charts mark.

Every change is written to ``CatalogueChange`` (who, when, old and new), and the indicator
values it affects are recomputed: a band changes signals, a term rule changes deadlines; an
event of note changes no value.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from chain.catalogue import mark_all_dirty, record_change, snapshot
from chain.indicators.kinds import KINDS, indicator_problems
from chain.models import (
    CatalogueChange,
    Chain,
    EventOfNote,
    Goal,
    Indicator,
    LegalTermRule,
    Organisation,
    SignalBand,
)
from chain.tasks import apply_legal_term_rules, schedule_recompute


def audit(
    *, request: HttpRequest, obj: Any, old: dict[str, Any] | None, action: str,
    recompute: bool = True,
) -> None:  # fmt: skip
    """Record a catalogue change and schedule the recompute of every value it can affect
    (``recompute=False``: data that no indicator value rests on, such as scenario presets)."""
    record_change(user=request.user.get_username(), obj=obj, old=old, action=action)
    if not recompute or isinstance(obj, EventOfNote):
        return
    if isinstance(obj, LegalTermRule):
        # Every case's deadline may move: minutes of work at millions of events, for a worker.
        transaction.on_commit(apply_legal_term_rules.delay)
        return
    mark_all_dirty()
    transaction.on_commit(schedule_recompute)


class AuditedAdmin(admin.ModelAdmin):
    """Saves and deletes are audited; inlines (bands) are audited through their parent.

    ``recomputes``: whether a change can move indicator values (and schedules their recompute).
    """

    recomputes = True

    def save_model(self, request, obj, form, change) -> None:
        # Saving an indicator to edit only its bands leaves the indicator itself as it was.
        if change and not form.has_changed():
            return
        old = snapshot(type(obj).objects.filter(pk=obj.pk).first()) if change else None
        super().save_model(request, obj, form, change)
        audit(
            request=request, obj=obj, old=old, action="change" if change else "add",
            recompute=self.recomputes,
        )  # fmt: skip

    def delete_model(self, request, obj) -> None:
        old = snapshot(obj)
        super().delete_model(request, obj)
        audit(request=request, obj=obj, old=old, action="delete", recompute=self.recomputes)

    def save_formset(self, request, form, formset, change) -> None:
        # Read afresh: validating the forms already wrote the new values into their instances.
        stored = formset.model.objects.filter(pk__in=[f.instance.pk for f in formset.initial_forms])
        olds = {o.pk: snapshot(o) for o in stored}
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
            audit(
                request=request, obj=obj, old=olds.get(obj.pk), action="delete",
                recompute=self.recomputes,
            )  # fmt: skip
        for obj in instances:
            action = "change" if obj.pk else "add"
            obj.save()
            audit(
                request=request, obj=obj, old=olds.get(obj.pk), action=action,
                recompute=self.recomputes,
            )  # fmt: skip
        formset.save_m2m()


class SignalBandInline(admin.TabularInline):
    model = SignalBand
    extra = 0
    ordering = ["chain", "position"]


class IndicatorForm(forms.ModelForm):
    """Refuses a kind or params the engine could not compute, as the catalogue loader does.

    The admin gives it the model and the fields.
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, params = cleaned.get("kind"), cleaned.get("params")
        if kind is not None and (problems := indicator_problems(kind, params)):
            self.add_error("params" if kind in KINDS else "kind", problems)
        return cleaned


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    """The kind is picked from the engine's kinds; ``Indicator.clean`` checks the params."""

    form = IndicatorForm
    list_display = ["code", "goal", "name_nl", "kind", "unit", "direction", "cannot_be_computed"]
    list_filter = ["goal", "kind"]
    search_fields = ["code", "name_nl", "name_en"]
    readonly_fields = ["cannot_be_computed"]
    inlines = [SignalBandInline]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "kind":
            choices = [(name, name) for name in sorted(KINDS)]
            return forms.ChoiceField(choices=choices, help_text="How the engine computes it.")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="cannot be computed")
    def cannot_be_computed(self, obj: Indicator) -> str:
        """Why the engine skips the stored indicator (a row changed outside this form)."""
        return "; ".join(indicator_problems(obj.kind, obj.params))


@admin.register(Goal)
class GoalAdmin(AuditedAdmin):
    list_display = ["code", "name_nl", "name_en", "position"]


@admin.register(LegalTermRule)
class LegalTermRuleAdmin(AuditedAdmin):
    list_display = ["chain", "lodged_from", "lodged_to", "months", "extended_months", "note"]
    list_filter = ["chain"]


@admin.register(EventOfNote)
class EventOfNoteAdmin(AuditedAdmin):
    """Policy and context events shown as markers on the charts; no recompute follows."""

    list_display = ["start", "end", "chain", "code", "title_nl"]
    list_filter = ["chain"]
    search_fields = ["code", "title_nl", "title_en"]
    ordering = ["-start"]
    # A link typed without its scheme is a secure one.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(CatalogueChange)
class CatalogueChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "user", "action", "object_type", "object_repr"]
    list_filter = ["object_type", "action"]
    readonly_fields = [f.name for f in CatalogueChange._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # An audit trail that its subjects can prune is no audit trail.
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "chain", "expected_interval"]


admin.site.register(Chain)


class ViewOnly:
    """An admin for viewing only: published records are never changed or deleted by hand
    (the database refuses it too), only made by their publishing command."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
