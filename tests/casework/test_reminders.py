"""The reminders engine: scheduling (idempotent), dispatch (once), the list, badge, e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from casework import reminders as engine
from casework.models import Reminder, ReminderSettings
from core.models import AuditEntry
from core.roles import Role
from tests.casework.conftest import audited
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _schedule(**kwargs) -> Reminder:
    defaults = {
        "kind": "tests.thing",
        "label": "Call back (follow-up from a visit)",
        "due_at": timezone.now() - timedelta(minutes=1),
    }
    return Reminder.objects.schedule(**{**defaults, **kwargs})


def test_a_reminder_is_for_exactly_one_recipient(counsellor_a, site_a):
    with pytest.raises(ValueError):
        _schedule(user=counsellor_a, site=site_a)
    with pytest.raises(ValueError):
        _schedule()


def test_scheduling_twice_with_one_dedupe_key_gives_one_reminder(counsellor_a):
    later = timezone.now() + timedelta(days=2)

    first = _schedule(user=counsellor_a, dedupe_key="source:1")
    again = _schedule(user=counsellor_a, dedupe_key="source:1", due_at=later)

    assert first.pk == again.pk
    assert Reminder.objects.count() == 1
    assert Reminder.objects.get().due_at == later  # still pending, so it moved


def test_a_source_that_fires_again_after_delivery_does_not_repeat(counsellor_a):
    _schedule(user=counsellor_a, dedupe_key="source:1")
    engine.dispatch_due()
    Reminder.objects.get().mark_done(counsellor_a)

    _schedule(user=counsellor_a, dedupe_key="source:1", due_at=timezone.now())

    reminder = Reminder.objects.get()
    assert reminder.done_at is not None
    assert engine.due_for(counsellor_a) == 0


def test_dispatch_delivers_due_reminders_once(counsellor_a, site_a):
    due = [_schedule(user=counsellor_a), _schedule(site=site_a), _schedule(role=Role.COORDINATOR)]
    future = _schedule(user=counsellor_a, due_at=timezone.now() + timedelta(hours=1))
    dismissed = _schedule(user=counsellor_a)
    dismissed.dismiss(counsellor_a)

    assert engine.dispatch_due() == 3
    assert engine.dispatch_due() == 0

    delivered = set(
        Reminder.objects.filter(delivered_at__isnull=False).values_list("pk", flat=True)
    )
    assert delivered == {r.pk for r in due}
    entries = AuditEntry.objects.filter(action="casework.reminder.delivered")
    assert entries.count() == 1
    assert sorted(entries.get().details["reminders"]) == sorted(str(r.pk) for r in due)
    assert future.pk not in delivered


def test_dispatch_works_in_batches(counsellor_a, monkeypatch):
    monkeypatch.setattr(engine, "BATCH_SIZE", 2)
    for _ in range(5):
        _schedule(user=counsellor_a)

    assert engine.dispatch_due() == 5
    assert AuditEntry.objects.filter(action="casework.reminder.delivered").count() == 3


def test_who_gets_which_reminder(counsellor_a, counsellor_b, coordinator, site_a):
    mine = _schedule(user=counsellor_a)
    team_a = _schedule(site=site_a)
    coordinators = _schedule(role=Role.COORDINATOR)
    engine.dispatch_due()

    assert set(Reminder.objects.for_user(counsellor_a)) == {mine, team_a}
    assert set(Reminder.objects.for_user(counsellor_b)) == set()
    assert set(Reminder.objects.for_user(coordinator)) == {coordinators}


def test_overdue_reminders_stay_until_done_or_dismissed(counsellor_a_client, counsellor_a):
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        reminder = _schedule(user=counsellor_a, due_at=timezone.now())
        engine.dispatch_due()

    page = counsellor_a_client.get(reverse("casework:reminders"))
    assert list(page.context["page"].object_list) == [reminder]
    assert b"overdue" in page.content

    counsellor_a_client.post(reverse("casework:reminder_done", args=[reminder.pk]))

    reminder.refresh_from_db()
    assert reminder.done_at is not None
    assert reminder.done_by == counsellor_a
    assert audited("casework.reminder.done", reminder)
    assert list(counsellor_a_client.get(reverse("casework:reminders")).context["page"]) == []


def test_dismissing_is_recorded(counsellor_a_client, counsellor_a, site_a):
    reminder = _schedule(site=site_a)
    engine.dispatch_due()

    response = counsellor_a_client.post(reverse("casework:reminder_dismiss", args=[reminder.pk]))

    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.dismissed_by == counsellor_a
    assert audited("casework.reminder.dismissed", reminder)


def test_someone_elses_reminder_is_a_404(counsellor_b_client, counsellor_a):
    reminder = _schedule(user=counsellor_a)
    engine.dispatch_due()

    response = counsellor_b_client.post(reverse("casework:reminder_done", args=[reminder.pk]))

    assert response.status_code == 404
    reminder.refresh_from_db()
    assert reminder.done_at is None


def test_the_navigation_counts_delivered_open_reminders(counsellor_a_client, counsellor_a, site_a):
    _schedule(user=counsellor_a)
    _schedule(site=site_a)
    _schedule(user=counsellor_a, due_at=timezone.now() + timedelta(days=1))

    def badge() -> int:
        items = counsellor_a_client.get(reverse("home")).context["nav_items"]
        return next(item["badge"] for item in items if item["url"] == reverse("casework:reminders"))

    assert badge() == 0  # scheduled, but not delivered yet
    engine.dispatch_due()
    assert badge() == 2


def test_the_email_says_how_many_and_nothing_else(counsellor_a, client_a, monkeypatch):
    ReminderSettings.objects.create(user=counsellor_a, email_when_due=True)
    UserFactory(roles=[Role.COUNSELLOR], sites=[client_a.registered_site])  # did not ask
    sent: list[int] = []
    monkeypatch.setattr(engine, "_enqueue_email", sent.append)
    _schedule(user=counsellor_a, client=client_a)
    _schedule(site=client_a.registered_site, client=client_a)

    engine.dispatch_due()

    assert sent == [counsellor_a.pk]
    assert engine.email_due_count(counsellor_a)
    message = mail.outbox[0]
    assert message.to == [counsellor_a.email]
    assert "2 reminders" in message.subject
    text = message.subject + message.body
    for personal in ("Amina", "Diallo", "Blue Heron", client_a.code, "Call back"):
        assert personal not in text


def test_no_email_without_anything_due(counsellor_a):
    assert not engine.email_due_count(counsellor_a)
    assert mail.outbox == []


def test_reminder_settings_are_saved(counsellor_a_client, counsellor_a):
    response = counsellor_a_client.post(
        reverse("casework:reminder_settings"), {"email_when_due": "on"}
    )

    assert response.status_code == 302
    assert ReminderSettings.objects.get(user=counsellor_a).email_when_due
    assert audited("casework.reminder_settings.updated")


def test_the_dispatcher_is_on_the_beat_schedule():
    from config.celery import app

    entries = {e["task"]: e["schedule"] for e in app.conf.beat_schedule.values()}
    assert entries["casework.tasks.dispatch_reminders"] == 60.0
