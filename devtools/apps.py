from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development only: embedded servers, the demo and the benchmarks (settings load it with
    DEBUG on; production never imports it)."""

    name = "devtools"
    verbose_name = "Development tools"
