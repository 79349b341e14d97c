"""The dashboard's pages; ``psi.urls`` mounts them in the ``dashboard`` namespace."""

from django.urls import path

from dashboard import scenario_views, views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("indicators/<str:code>/", views.indicator, name="indicator"),
    path("flow/", views.flow, name="flow"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("ingest/", views.ingest_status, name="ingest"),
    path("scenarios/", scenario_views.scenarios, name="scenarios"),
    path("scenarios/save/", scenario_views.scenario_save, name="scenario-save"),
    path("scenarios/compare/", scenario_views.scenario_compare, name="scenario-compare"),
    path("scenarios/<int:pk>/", scenario_views.scenario, name="scenario"),
]
