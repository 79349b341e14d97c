"""URL map: the admin, the API under /api/v1, login, and the dashboard."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from chain.api.problems import not_found
from ingest.api import PushEventsView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/events", PushEventsView.as_view(), name="push-events"),
    path("api/v1/", include("chain.api.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("dashboard.urls")),
]


def handler404(request, exception):
    """Problem details under /api/, the ordinary page elsewhere."""
    if request.path.startswith("/api/"):
        return not_found(request, exception)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
