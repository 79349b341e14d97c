from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = "Ingest"

    def ready(self) -> None:
        # Registers the system check that compares the pseudonym key with the database's.
        from ingest import pseudonym_key  # noqa: F401
