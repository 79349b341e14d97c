"""API v1 routes. No trailing slashes: a path with one is a 404 problem."""

from django.urls import path, register_converter
from django.urls.converters import StringConverter
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from api import extracts, scenarios, views


class CodeConverter(StringConverter):
    """A catalogue code in a path: a code with a NUL byte, which PostgreSQL cannot compare, is
    no code at all (404) instead of a server error."""

    regex = r"[^/\x00]+"


register_converter(CodeConverter, "code")

urlpatterns = [
    path("goals", views.GoalListView.as_view(), name="api-goals"),
    path("indicators", views.IndicatorListView.as_view(), name="api-indicators"),
    path("indicators/<code:code>", views.IndicatorDetailView.as_view(), name="api-indicator"),
    path(
        "indicators/<code:code>/values",
        views.IndicatorValuesView.as_view(),
        name="api-indicator-values",
    ),
    path("flows", views.FlowsView.as_view(), name="api-flows"),
    path("events-of-note", views.EventsOfNoteView.as_view(), name="api-events-of-note"),
    path("extracts", extracts.ExtractListView.as_view(), name="api-extracts"),
    path(
        "extracts/<int:pk>/rejections",
        extracts.RejectionListView.as_view(),
        name="api-extract-rejections",
    ),
    path("scenarios", scenarios.ScenarioListView.as_view(), name="api-scenarios"),
    path("scenarios/backtest", scenarios.BacktestView.as_view(), name="api-scenarios-backtest"),
    path("scenarios/<int:pk>", scenarios.ScenarioDetailView.as_view(), name="api-scenario"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    # Split: the page loads its start-up script from ``docs?script``, as the CSP asks.
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="openapi"), name="api-docs"),
]
