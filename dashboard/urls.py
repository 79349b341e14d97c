from django.urls import path

from dashboard import views
from dashboard.reports import views as report_views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("indicators/<str:code>/", views.indicator, name="indicator"),
    path("reports/unsubscribe/<str:token>", report_views.unsubscribe, name="unsubscribe"),
]
