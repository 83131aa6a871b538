"""Celery tasks of the reporting app."""

from __future__ import annotations

from celery import shared_task

from reporting.periods import ReportPeriod
from reporting.snapshots import store_snapshot


@shared_task
def snapshot_last_month() -> str:
    """Run by beat on the first of each month: store the month that just ended."""
    period = ReportPeriod.last_month()
    store_snapshot(period)
    return period.slug
