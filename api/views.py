"""Read API v1 (``docs/reference/read-api.md``): goals, indicators, their values, case flows
and the events of note.

Views only check the query and hand over: reads live in ``chain.selectors``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.answers import cached_answer
from api.authentication import READ_AUTHENTICATION
from api.problems import problem_responses
from api.serializers import (
    COMPARE_YEARS,
    NATIONALITY,
    ChainsQuery,
    EventOfNoteSerializer,
    EventsOfNoteQuery,
    FlowsQuery,
    FlowsSerializer,
    GoalSerializer,
    IndicatorSerializer,
    ReadingSerializer,
    ValueSerializer,
    ValuesQuery,
)
from chain.models import Indicator
from chain.selectors import (
    case_flows,
    events_of_note,
    goals_queryset,
    indicators_with_bands,
    is_stale,
    latest_complete_period,
    partner_freshness,
    readings,
    series_values,
    series_years_before,
)


class CsvRenderer(BaseRenderer):
    """``?format=csv`` (or ``Accept: text/csv``): a list of flat items, headed by their keys.

    A list without items is its header alone, from the ``columns`` of the renderer context:
    an empty body would go out without a Content-Type.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None and response.exception:
            # An error stays problem+json, whatever format was asked for.
            return JSONRenderer().render(data)
        columns = list(data[0]) if data else (renderer_context or {}).get("columns", [])
        out = io.StringIO()
        if columns:
            writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows({key: _cell(value) for key, value in item.items()} for item in data)
        return out.getvalue().encode(self.charset)


def _cell(value: object) -> object:
    """JSON's spelling of booleans and null, so CSV and JSON read alike."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def problems(*statuses: int) -> dict[tuple[int, str], OpenApiResponse]:
    """The OpenAPI responses of the problems an operation can answer, besides 401 and 403."""
    return problem_responses(
        {status: text for status, text in _PROBLEMS.items() if status in (*statuses, 401, 403)}
    )


INDICATOR_CODE = OpenApiParameter(
    "code", str, OpenApiParameter.PATH,
    description="An indicator code of the catalogue (`/goals` lists them).",
    examples=[OpenApiExample("Applications lodged", value="applications_lodged")],
)  # fmt: skip

_PROBLEMS = {
    400: "Invalid query parameters, every one named in `detail`.",
    401: "No credentials, or an unknown, revoked or expired API key.",
    403: "Credentials that may not read (an API key of push scope).",
    404: "No such resource.",
}


@extend_schema_view(
    get=extend_schema(
        summary="The chain goals, each with its indicators",
        description="Every goal of the catalogue in its order, with the code and names of the "
        "indicators that measure it; `/indicators/{code}` has an indicator's definition.",
        responses={200: GoalSerializer(many=True), **problems()},
    )
)
class GoalListView(ListAPIView):
    authentication_classes = READ_AUTHENTICATION
    queryset = goals_queryset()
    serializer_class = GoalSerializer


class IndicatorListView(GenericAPIView):
    authentication_classes = READ_AUTHENTICATION
    queryset = indicators_with_bands()
    serializer_class = ReadingSerializer

    @extend_schema(
        operation_id="indicators_list",
        summary="Every indicator's value and signal in the latest complete period",
        description="One item per indicator and chain (both chains when `chain` is absent), in "
        "catalogue order. A period without a stored value counts 0 (counts) or has no value.",
        parameters=[ChainsQuery],
        responses={200: ReadingSerializer(many=True), **problems(400)},
    )
    def get(self, request: Request) -> Response:
        return Response(cached_answer(request, self.answer))

    def answer(self) -> Any:
        query = ChainsQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        items = readings(
            chains=query.validated_data["chains"],
            period=latest_complete_period(period_type=query.validated_data["period"]),
            freshness=partner_freshness(),
            indicators=list(self.get_queryset()),
        )
        return ReadingSerializer(items, many=True).data


@extend_schema_view(
    get=extend_schema(
        summary="An indicator's definition, signal bands and source partners",
        description="The bands say which signal a value gets, per chain and in order; the "
        "sources say which partners the values rest on and whether each delivered within its "
        "expected interval. An unknown code is a 404.",
        parameters=[INDICATOR_CODE],
        responses={200: IndicatorSerializer, **problems(404)},
    )
)
class IndicatorDetailView(RetrieveAPIView):
    authentication_classes = READ_AUTHENTICATION
    queryset = indicators_with_bands()
    serializer_class = IndicatorSerializer
    lookup_field = "code"

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "freshness": partner_freshness()}


class IndicatorValuesView(GenericAPIView):
    authentication_classes = READ_AUTHENTICATION
    queryset = indicators_with_bands()
    serializer_class = ValueSerializer
    lookup_field = "code"
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        summary="An indicator's series: one item per period (and nationality, when asked)",
        description="Every period from `from` to `to` has an item, stored or not: a count is "
        "then 0, a share, ratio or median has no value (null, signal `none`). `stale` says "
        "whether a partner the indicator rests on has not delivered for longer than expected. "
        "With `by=nationality`, every period has a cell for every nationality the indicator "
        "has in the chain in any period; "
        "see `suppressed` for the cells that show nothing of their size. "
        "With `compare`, each item also carries the value of the same period one (and two) "
        "years before and the change: 2027-W05 against 2026-W05, a week 53 against the last "
        "week of the year before when that year has only 52, 2026-H1 against 2025-H1.",
        parameters=[
            INDICATOR_CODE,
            ValuesQuery,
            OpenApiParameter("format", str, enum=["json", "csv"], description="Default json."),
        ],
        responses={
            (200, "application/json"): ValueSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            **problems(400, 404),
        },
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(cached_answer(request, self.answer))

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # The OPTIONS description has no rows: JSON, whatever format the query asks for.
        if request.method == "OPTIONS":
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    def get_renderer_context(self) -> dict[str, Any]:
        # The query was valid if the answer is rendered at all: its raw values are the asked ones.
        params = self.request.query_params
        shape = {
            "track": params.get("track"), "by_nationality": params.get("by") == NATIONALITY,
            "compare_years": COMPARE_YEARS.get(params.get("compare", ""), 0),
        }  # fmt: skip
        columns = ValueSerializer(context=shape).columns()
        return {**super().get_renderer_context(), "columns": columns}

    def answer(self) -> Any:
        indicator, asked = self._asked()
        series = series_values(
            indicator=indicator, chain=asked["chain"], periods=asked["periods"],
            track=asked["track"], by_nationality=asked["by_nationality"],
        )  # fmt: skip
        stale = is_stale(indicator=indicator, chain=asked["chain"], freshness=partner_freshness())
        earlier = {
            years: series_years_before(
                indicator=indicator,
                chain=asked["chain"],
                periods=asked["periods"],
                years=years,
                track=asked["track"],
                by_nationality=asked["by_nationality"],
            )
            for years in range(1, asked["compare_years"] + 1)
        }
        context = {**_shape(asked), "stale": stale, "earlier": earlier}
        return ValueSerializer(series, many=True, context=context).data

    def _asked(self) -> tuple[Indicator, dict[str, Any]]:
        indicator = self.get_object()
        query = ValuesQuery(data=self.request.query_params, context={"indicator": indicator})
        query.is_valid(raise_exception=True)
        return indicator, query.validated_data


def _shape(asked: dict[str, Any]) -> dict[str, Any]:
    """Which keys the items of a series carry besides the usual: track, nationality, and the
    comparison with earlier years."""
    return {
        "track": asked["track"], "by_nationality": asked["by_nationality"],
        "compare_years": asked["compare_years"],
    }  # fmt: skip


class FlowsView(GenericAPIView):
    authentication_classes = READ_AUTHENTICATION
    # Read straight from case facts with one grouped query: no model queryset to declare.
    queryset = None
    serializer_class = FlowsSerializer

    @extend_schema(
        summary="Cases moving between stages in a date range, as Sankey links",
        description="A case counts on a link when the milestone it reached by that link falls "
        "in the range. Links: `registered → lodged`; `lodged → granted | rejected | "
        "discontinued` (first decision); `lodged → open` (lodged in range, undecided at `to`); "
        "`granted | rejected | discontinued | lodged | registered | other → return_opened` "
        "(from the stage reached when the return case opened); `return_opened → departed`; "
        "`return_opened → return_closed` (closed without departure).",
        parameters=[FlowsQuery],
        responses={200: FlowsSerializer, **problems(400)},
    )
    def get(self, request: Request) -> Response:
        query = FlowsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        asked = query.validated_data
        links = case_flows(chain=asked["chain"], start=asked["from"], end=asked["to"])
        body = {"chain": asked["chain"], "from": asked["from"], "to": asked["to"], "links": links}
        return Response(FlowsSerializer(body).data)


class EventsOfNoteView(GenericAPIView):
    authentication_classes = READ_AUTHENTICATION
    # The one read is ``chain.selectors.events_of_note``: no queryset for the view to filter.
    queryset = None
    serializer_class = EventOfNoteSerializer

    @extend_schema(
        summary="Policy and context events that explain a bend in a curve",
        description="The events the charts mark: a law, a decision or a crisis, on one day "
        "(`end` null) or over a range of days, in one chain or in both (`chain` null). With "
        "`chain`, that chain's events and those of both chains; with `from` and `to`, the "
        "events with a day in that range. In date order.",
        parameters=[EventsOfNoteQuery],
        responses={200: EventOfNoteSerializer(many=True), **problems(400)},
    )
    def get(self, request: Request) -> Response:
        query = EventsOfNoteQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        asked = query.validated_data
        events = events_of_note(chain=asked["chain"], start=asked["from"], end=asked["to"])
        return Response(EventOfNoteSerializer(events, many=True).data)
