"""The dashboard's pages; ``psi.urls`` mounts them in the ``dashboard`` namespace."""

from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("indicators/<str:code>/", views.indicator, name="indicator"),
    path("flow/", views.flow, name="flow"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("ingest/", views.ingest_status, name="ingest"),
]
