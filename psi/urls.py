"""URL map: the admin, the API under /api/v1, login, the public open data, the dashboard and the
report pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView

from api.problems import api_problem
from api.push import PushEventsView
from dashboard import urls as dashboard_urls
from reports import urls as report_urls

# Admin pages of the models that moved to another app keep their old addresses as redirects,
# so bookmarks and links in tickets still land.
MOVED_ADMIN_PAGES = {
    "dashboard/userprofile": "accounts/userprofile",
    "ingest/organisationapikey": "accounts/organisationapikey",
    "ingest/extract": "chain/extract",
    "dashboard/subscription": "reports/subscription",
    "dashboard/reportdelivery": "reports/reportdelivery",
}

urlpatterns = [
    *(
        re_path(
            rf"^admin/{old}/(?P<rest>.*)$",
            RedirectView.as_view(url=f"/admin/{new}/%(rest)s", query_string=True, permanent=True),
        )
        for old, new in MOVED_ADMIN_PAGES.items()
    ),
    path("admin/", admin.site.urls),
    path("api/v1/events", PushEventsView.as_view(), name="push-events"),
    path("api/v1/", include("api.urls")),
    re_path(r"^api/", lambda request: api_not_found(request)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("open-data/", include("opendata.urls")),
    path("", include((dashboard_urls.urlpatterns + report_urls.urlpatterns, "dashboard"))),
]


# Errors Django answers itself, outside DRF: problem details under /api/, pages elsewhere.
def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django could not accept (a bad host, a body too large)."""
    detail = "The request could not be accepted."
    return api_problem(request, 400, detail) or defaults.bad_request(request, exception)


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An unknown path, including one with a trailing slash under /api/."""
    detail = f"No resource at {request.path}."
    return api_problem(request, 404, detail) or defaults.page_not_found(request, exception)


@csrf_exempt
def api_not_found(request: HttpRequest) -> HttpResponse:
    """Any other path under /api/, whatever the method: a 404 problem, in development too,
    where Django would answer its technical HTML page instead of ``handler404``."""
    return handler404(request, Http404())


def handler500(request: HttpRequest) -> HttpResponse:
    """An unexpected error; the traceback goes to the log, never to the caller."""
    detail = "The server could not answer this request; the error has been logged."
    return api_problem(request, 500, detail) or defaults.server_error(request)
