"""Celery tasks of the open data: beat publishes the month before on the 5th."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def publish_open_data(month: str = "") -> None:
    """Publish ``month`` (default: the last month that has ended), unless already published."""
    from opendata.services import previous_month, publish_month

    publication = publish_month(month=month or previous_month())
    logger.info("open data: %s", publication.message)
