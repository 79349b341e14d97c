"""The Celery application: JSON only, time limits and schedule from settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psi.settings")

app = Celery("psi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
