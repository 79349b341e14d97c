from django.urls import path

from dashboard import views
from dashboard.reports import views as report_views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("indicators/<str:code>/", views.indicator, name="indicator"),
    path("flow/", views.flow, name="flow"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("ingest/", views.ingest_status, name="ingest"),
    path("reports/subscription/", report_views.subscription, name="subscription"),
    path("reports/unsubscribe/<str:token>", report_views.unsubscribe, name="unsubscribe"),
]
