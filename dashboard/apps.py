from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        # Connects the receiver that ends a session 8 hours after its login.
        from dashboard import login_security  # noqa: F401
