"""The reports' pages: the weekly report's subscription and unsubscribe link, and the half-year
chain report (page and PDF). ``psi.urls`` mounts them in the ``dashboard`` namespace, where the
weekly report's names have always been (``dashboard:subscription``)."""

from django.urls import path, re_path

from reports import views

urlpatterns = [
    path("reports/subscription/", views.subscription, name="subscription"),
    path("reports/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("reports/half-year/", views.latest_half_year, name="half_year_latest"),
    re_path(r"^reports/half-year/(?P<period>\d{4}-H[12])$", views.half_year, name="half_year"),
    re_path(
        r"^reports/half-year/(?P<period>\d{4}-H[12])\.pdf$",
        views.half_year_pdf,
        name="half_year_pdf",
    ),
]
