"""``manage.py pull_extracts``: one pull cycle over every configured source."""

import json

from django.core.management.base import BaseCommand

from ingest.pull import pull_all


class Command(BaseCommand):
    help = "Pull and ingest what every configured source has waiting (one cycle)."

    def handle(self, *args: object, **options: object) -> None:
        results = pull_all()
        self.stdout.write(
            json.dumps({p: [s.as_dict() for s in summaries] for p, summaries in results.items()})
        )
