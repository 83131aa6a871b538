"""Address-service reminders fire on their dates, once each, through the Celery dispatcher."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from casework.models import Reminder
from casework.models.addresses import EndReason
from casework.reminders_addresses import (
    KIND_EXPIRING,
    KIND_QUARANTINE,
    KIND_URGENT,
    KIND_WAITING,
)
from casework.services_addresses import (
    assignment_end,
    assignment_renew,
    mail_hand_over,
)
from casework.tasks import dispatch_reminders
from tests.casework.addresses.conftest import assign, letter

pytestmark = pytest.mark.django_db


def beat() -> None:
    """One run of the beat-scheduled dispatcher task, executed in-process."""
    dispatch_reminders.apply().get()


def delivered(kind: str) -> int:
    return Reminder.objects.filter(kind=kind, delivered_at__isnull=False).count()


def test_urgent_letter_reminder_fires_on_the_third_day_once(assignment_a, coordinator):
    with time_machine.travel("2027-03-01 10:00 +01:00", tick=False) as clock:
        letter(assignment_a, coordinator, urgent=True)
        letter(assignment_a, coordinator, urgent=False)

        clock.move_to("2027-03-03 23:59 +01:00")  # two days waiting: not yet
        beat()
        assert delivered(KIND_URGENT) == 0

        clock.move_to("2027-03-04 08:00 +01:00")  # more than two days
        beat()
        assert delivered(KIND_URGENT) == 1

        clock.move_to("2027-03-05 08:00 +01:00")
        beat()
        assert delivered(KIND_URGENT) == 1
    assert Reminder.objects.filter(kind=KIND_URGENT).count() == 1


def test_any_letter_waiting_more_than_two_weeks_fires_on_day_fifteen_once(
    assignment_a, coordinator
):
    with time_machine.travel("2027-03-01 10:00 +01:00", tick=False) as clock:
        letter(assignment_a, coordinator)

        clock.move_to("2027-03-15 20:00 +01:00")  # 14 days
        beat()
        assert delivered(KIND_WAITING) == 0

        clock.move_to("2027-03-16 08:00 +01:00")
        beat()
        beat()
        assert delivered(KIND_WAITING) == 1

        clock.move_to("2027-04-01 08:00 +02:00")
        beat()
        assert delivered(KIND_WAITING) == 1


def test_a_letter_handed_over_in_time_reminds_nobody(assignment_a, coordinator):
    with time_machine.travel("2027-03-01 10:00 +01:00", tick=False) as clock:
        item = letter(assignment_a, coordinator, urgent=True)
        clock.move_to("2027-03-02 10:00 +01:00")
        mail_hand_over(item=item, on=date(2027, 3, 2), actor=coordinator)

        clock.move_to("2027-04-01 08:00 +02:00")
        beat()

    assert delivered(KIND_URGENT) == delivered(KIND_WAITING) == 0


def test_mail_reminders_go_to_the_team_of_the_site_and_name_no_one(
    assignment_a, coordinator, counsellor_a, counsellor_b
):
    with time_machine.travel("2027-03-01 10:00 +01:00", tick=False) as clock:
        letter(assignment_a, coordinator, urgent=True, note="About the hearing")
        clock.move_to("2027-03-20 08:00 +01:00")
        beat()

    mine = Reminder.objects.for_user(counsellor_a).filter(kind__startswith="casework.mail.")
    assert mine.count() == 2
    assert not Reminder.objects.for_user(counsellor_b).exists()
    for reminder in mine:
        assert "Box 2" in reminder.text
        assert "Amina" not in reminder.text and "hearing" not in reminder.text
        assert reminder.target_url().startswith("/address/mail/")


def test_expiry_reminder_fires_thirty_days_before_the_setting_driven_expiry(
    settings, person, address_a, coordinator
):
    settings.ADDRESS_ASSIGNMENT_MONTHS = 6
    with time_machine.travel("2027-03-15 10:00 +01:00", tick=False) as clock:
        assignment = assign(person, address_a, coordinator)
        assert assignment.expires_on == date(2027, 9, 15)

        clock.move_to("2027-08-16 07:59 +02:00")
        beat()
        assert delivered(KIND_EXPIRING) == 0

        clock.move_to("2027-08-16 08:00 +02:00")  # 30 days before 15 September
        beat()
        assert delivered(KIND_EXPIRING) == 1

        clock.move_to("2027-09-10 08:00 +02:00")
        beat()
        assert delivered(KIND_EXPIRING) == 1


def test_renewal_replaces_the_expiry_reminder_with_one_for_the_new_date(
    settings, person, address_a, coordinator
):
    settings.ADDRESS_ASSIGNMENT_MONTHS = 3
    with time_machine.travel("2027-01-10 10:00 +01:00", tick=False) as clock:
        assignment = assign(person, address_a, coordinator)  # until 10 April
        clock.move_to("2027-02-01 10:00 +01:00")
        renewed = assignment_renew(assignment=assignment, actor=coordinator)  # until 10 July
        assert renewed.expires_on == date(2027, 7, 10)

        clock.move_to("2027-03-11 08:00 +01:00")  # when the old reminder was due
        beat()
        assert delivered(KIND_EXPIRING) == 0

        clock.move_to("2027-06-10 08:00 +02:00")
        beat()
        beat()
        assert delivered(KIND_EXPIRING) == 1

    reminder = Reminder.objects.get(kind=KIND_EXPIRING, delivered_at__isnull=False)
    assert reminder.obj == assignment


def test_quarantine_end_reminds_coordinators_once_on_the_setting_driven_day(
    settings, assignment_a, coordinator, counsellor_a
):
    settings.ADDRESS_QUARANTINE_DAYS = 30
    with time_machine.travel("2027-05-01 10:00 +02:00", tick=False) as clock:
        assignment_end(assignment=assignment_a, reason=EndReason.MOVED_AWAY, actor=coordinator)

        clock.move_to("2027-05-30 23:00 +02:00")
        beat()
        assert delivered(KIND_QUARANTINE) == 0

        clock.move_to("2027-05-31 08:00 +02:00")
        beat()
        assert delivered(KIND_QUARANTINE) == 1

        clock.move_to("2027-06-30 08:00 +02:00")
        beat()
        assert delivered(KIND_QUARANTINE) == 1

    reminder = Reminder.objects.get(kind=KIND_QUARANTINE)
    assert Reminder.objects.for_user(coordinator).filter(pk=reminder.pk).exists()
    assert reminder.client is None
    # The ended assignment no longer reminds anyone of its expiry.
    assert Reminder.objects.open().filter(kind=KIND_EXPIRING).count() == 0
