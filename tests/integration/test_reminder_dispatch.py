"""Two real workers dispatch reminders against Redis and PostgreSQL: each goes out once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import Reminder
from casework.tasks import dispatch_reminders
from core.models import AuditEntry
from tests.factories import SiteFactory
from tests.integration.conftest import wait_until

REMINDERS = 1_000
DISPATCHES = 12


@pytest.mark.redis
def test_two_workers_deliver_each_due_reminder_exactly_once(celery_worker):
    site = SiteFactory()
    due_at = timezone.now() - timedelta(minutes=5)
    Reminder.objects.bulk_create(
        [
            Reminder(kind="tests.load", label="Call back", site=site, due_at=due_at)
            for _ in range(REMINDERS)
        ]
    )
    workers = [celery_worker(), celery_worker()]

    # Many dispatcher runs at once, as when beat ticks while a slow run is still going.
    for _ in range(DISPATCHES):
        dispatch_reminders.delay()
    wait_until(
        lambda: not Reminder.objects.filter(delivered_at__isnull=True).exists(),
        timeout=60,
        what="every reminder to be delivered",
    )
    for worker in workers:
        worker.stop()

    deliveries = Counter(
        reminder_id
        for details in AuditEntry.objects.filter(action="casework.reminder.delivered").values_list(
            "details", flat=True
        )
        for reminder_id in details["reminders"]
    )
    assert len(deliveries) == REMINDERS
    assert set(deliveries.values()) == {1}
    # Both workers ran the dispatcher. (Without SKIP LOCKED claims this test fails reliably.)
    assert all("dispatch_reminders" in worker.log() for worker in workers)
