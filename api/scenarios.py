"""Scenarios (docs/reference/scenarios.md, "API"): run, list, read, CSV, and the back-test.

``POST /scenarios`` runs a scenario and keeps it (its author's, shown to the users of its
chain); bad inputs are one 400 problem naming every bad field, as the model checks them. The
roles are the read API's: dashboard roles and read keys.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import OrganisationAPIKey
from api.authentication import READ_AUTHENTICATION
from api.serializers import QuerySerializer
from api.views import CsvRenderer, problems
from chain import clock
from chain.indicators.engine import DATA_VERSION_KEY
from chain.vocabulary import CHAINS
from scenarios.backtest import backtest_errors, errors_json, summary
from scenarios.exports import answer_rows, columns
from scenarios.inputs import InvalidInputs
from scenarios.models import SavedScenario
from scenarios.saved import (
    chains_of_organisation,
    chains_of_user,
    save_result,
    visible_scenarios,
)
from scenarios.services import run_scenario

# A back-test runs dozens of scenarios: kept as long as the data it rests on (and the day).
BACKTEST_TTL = 24 * 3600

INPUTS_EXAMPLE = {
    "chain": "NL", "horizon": 24, "paths": 500, "seed": 7, "inflow": {"annual": 67000},
    "capacity": {"hires": [{"month": "2027-03", "fte": 100, "ramp_months": 9}]},
    "policy": {"kind": "over_term_share", "share": 0.7},
    "penalty": {"notice_rate": 0.6, "notice_lag_days": 30},
    "name": "MPP medio with 100 hires",
}  # fmt: skip


class ScenarioListQuery(QuerySerializer):
    chain = serializers.ChoiceField(
        choices=CHAINS, required=False, help_text="A chain; absent: every chain you may see."
    )


class BacktestQuery(QuerySerializer):
    chain = serializers.ChoiceField(choices=CHAINS)


class SavedScenarioSerializer(serializers.ModelSerializer):
    """A saved scenario in a list: what it is, whose, and where its figures are."""

    chain = serializers.CharField(source="chain_id")
    author = serializers.SerializerMethodField()
    origin = serializers.SerializerMethodField()
    horizon = serializers.SerializerMethodField()
    paths = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = SavedScenario
        fields = ["id", "name", "chain", "author", "created", "origin", "horizon", "paths", "url"]

    def get_author(self, obj: SavedScenario) -> str | None:
        return obj.author.get_username() if obj.author else None

    def get_origin(self, obj: SavedScenario) -> str:
        return str(obj.inputs["origin"])

    def get_horizon(self, obj: SavedScenario) -> int:
        return int(obj.inputs["horizon"])

    def get_paths(self, obj: SavedScenario) -> int:
        return int(obj.inputs["paths"])

    def get_url(self, obj: SavedScenario) -> str:
        return self.context["request"].build_absolute_uri(scenario_path(obj.pk))


def scenario_path(pk: int) -> str:
    return reverse("api-scenario", args=[pk])


def _seen_chains(request: Request) -> list[str]:
    """The chains whose saved scenarios the caller sees (a read key: its organisation's)."""
    if isinstance(request.auth, OrganisationAPIKey):
        return chains_of_organisation(request.auth.organisation_id)
    return chains_of_user(request.user)


def _author(request: Request) -> Any:
    return request.user if request.user is not None and request.user.is_authenticated else None


def _answer(saved: SavedScenario, request: Request) -> dict[str, Any]:
    return {
        "id": saved.pk,
        "name": saved.name,
        "author": saved.author.get_username() if saved.author else None,
        "created": saved.created.isoformat(),
        "url": request.build_absolute_uri(scenario_path(saved.pk)),
        **saved.answer,
    }


_ANSWER_DESCRIPTION = (
    "`inputs` completed with every default (the seed included), `calibration` (each "
    "parameter's value and the months it rests on) and `months`: per month the figures of "
    "docs/reference/scenarios.md ('Outputs per month'), each one number with `paths: 1`, else "
    "`{p10, p50, p90, mean}`, and per track the figures about cases."
)


class ScenarioListView(GenericAPIView):
    authentication_classes = READ_AUTHENTICATION
    queryset = SavedScenario.objects.none()
    serializer_class = SavedScenarioSerializer

    @extend_schema(
        operation_id="scenarios_list",
        summary="Saved scenarios, newest first",
        description="Those of the chains you work for (every chain for a user or key of no "
        "organisation), and your own.",
        parameters=[ScenarioListQuery],
        responses={200: SavedScenarioSerializer(many=True), **problems(400)},
    )
    def get(self, request: Request) -> Response:
        query = ScenarioListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = visible_scenarios(
            chains=_seen_chains(request), author=_author(request),
            chain=query.validated_data.get("chain"),
        )  # fmt: skip
        return Response(
            SavedScenarioSerializer(found, many=True, context={"request": request}).data
        )

    @extend_schema(
        operation_id="scenarios_run",
        summary="Run a scenario and keep it",
        description="The body is a scenario's inputs (docs/reference/scenarios.md, 'Inputs'; "
        "only `chain` is required) and optionally a `name` to keep it under. Answers 201 with "
        "`Location`, " + _ANSWER_DESCRIPTION + " Bad inputs: one 400 naming every bad field, "
        "one `field: message` a line.",
        request=OpenApiTypes.OBJECT,
        examples=[OpenApiExample("MPP medio with hires", value=INPUTS_EXAMPLE, request_only=True)],
        responses={201: OpenApiTypes.OBJECT, **problems(400)},
    )
    def post(self, request: Request) -> Response:
        data = request.data
        name = ""
        if isinstance(data, dict) and "name" in data:
            data = dict(data)
            given = data.pop("name")
            if not isinstance(given, str):
                raise serializers.ValidationError({"name": "must be a text"})
            name = given
        try:
            result = run_scenario(data=data)
        except InvalidInputs as err:
            raise serializers.ValidationError(err.errors) from err
        saved = save_result(result=result, name=name, author=_author(request))
        body = _answer(saved, request)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


class ScenarioDetailView(GenericAPIView):
    authentication_classes = READ_AUTHENTICATION
    queryset = SavedScenario.objects.none()
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        operation_id="scenarios_retrieve",
        summary="A saved scenario: its inputs, calibration and months",
        description=_ANSWER_DESCRIPTION + " With `format=csv`: one row per month and track "
        "(the chain's row has an empty track), a column per figure (and band).",
        parameters=[
            OpenApiParameter("format", str, enum=["json", "csv"], description="Default json.")
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.STR,
            **problems(404),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        found = visible_scenarios(chains=_seen_chains(request), author=_author(request))
        saved = get_object_or_404(found, pk=pk)
        self.saved = saved
        if (
            getattr(request, "accepted_renderer", None)
            and request.accepted_renderer.format == "csv"
        ):
            return Response(answer_rows(saved.answer))
        return Response(_answer(saved, request))

    def get_renderer_context(self) -> dict[str, Any]:
        saved = getattr(self, "saved", None)
        extra = {"columns": columns(saved.answer)} if saved is not None else {}
        return {**super().get_renderer_context(), **extra}

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        if request.method == "OPTIONS":
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)


class BacktestView(GenericAPIView):
    authentication_classes = READ_AUTHENTICATION
    queryset = SavedScenario.objects.none()

    @extend_schema(
        operation_id="scenarios_backtest",
        summary="How well the model foretold the chain's own past",
        description="From rolling origins (every 3 months) at horizons 3, 6 and 12: per origin, "
        "horizon and figure the actual value, the model's p10, p50 and p90, the naive forecast "
        "(the value at the origin) and the accounting check's value; `summary` has the mean "
        "absolute percentage errors and the coverage of the p10-p90 band, as fractions.",
        parameters=[BacktestQuery],
        responses={200: OpenApiTypes.OBJECT, **problems(400)},
    )
    def get(self, request: Request) -> Response:
        query = BacktestQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        chain = query.validated_data["chain"]
        identity = f"{cache.get(DATA_VERSION_KEY, 0)}|{clock.today()}|{chain}"
        key = "scenario-backtest:" + hashlib.sha256(identity.encode()).hexdigest()
        body = cache.get(key)
        if body is None:
            errors = backtest_errors(chain=chain)
            figures = {
                name: (None if isinstance(value, float) and value != value else value)
                for name, value in summary(errors).items()
            }
            body = {"chain": chain, "summary": figures, "errors": errors_json(errors)}
            cache.set(key, body, BACKTEST_TTL)
        return Response(body)
