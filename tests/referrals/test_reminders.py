"""Referral reminders fire on their dates, once each, through the Celery dispatcher."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from casework.models import Reminder
from casework.tasks import dispatch_reminders
from core.roles import Role
from referrals import services
from referrals.models import Outcome, Referral, Status
from referrals.reminders import KIND_APPOINTMENT, KIND_FUND_LOW, KIND_OUTCOME
from tests.factories import UserFactory
from tests.referrals.factories import FundFactory, ReferralFactory, give_budget

pytestmark = pytest.mark.django_db


def beat() -> None:
    """One run of the beat-scheduled dispatcher task, in-process."""
    dispatch_reminders.apply().get()


def delivered(kind: str, **filters: object) -> list[Reminder]:
    return list(Reminder.objects.filter(kind=kind, delivered_at__isnull=False, **filters))


def at(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def step(referral: Referral, action: str, actor, **kwargs) -> Referral:
    referral.refresh_from_db()
    return services.referral_transition(
        actor=actor, referral=referral, action=action, expected_version=referral.version, **kwargs
    )


@pytest.fixture
def clock():
    with time_machine.travel("2027-03-01 10:00 +01:00", tick=False) as traveller:
        yield traveller


def test_appointment_tomorrow_goes_once_to_whoever_follows(clock, counsellor_a, coordinator):
    referral = ReferralFactory(status=Status.SENT, followed_by=counsellor_a)
    step(referral, "book", coordinator, appointment_at=at("2027-03-10 14:00"))

    clock.move_to("2027-03-09 07:59 +01:00")
    beat()
    assert delivered(KIND_APPOINTMENT) == []

    clock.move_to("2027-03-09 08:00 +01:00")
    beat()
    beat()
    [reminder] = delivered(KIND_APPOINTMENT)
    assert reminder.user == counsellor_a
    assert reminder.client == referral.client
    assert reminder.target_url() == referral.get_absolute_url()
    assert referral.client.pseudonym not in reminder.label


def test_a_new_appointment_replaces_the_reminder(clock, coordinator):
    referral = ReferralFactory(status=Status.SENT, followed_by=coordinator)
    step(referral, "book", coordinator, appointment_at=at("2027-03-10 14:00"))
    step(referral, "book", coordinator, appointment_at=at("2027-03-12 09:00"))

    clock.move_to("2027-03-09 12:00 +01:00")
    beat()
    assert delivered(KIND_APPOINTMENT) == []

    clock.move_to("2027-03-11 08:00 +01:00")
    beat()
    [reminder] = delivered(KIND_APPOINTMENT)
    assert timezone.localtime(reminder.due_at).date().isoformat() == "2027-03-11"
    assert Reminder.objects.filter(kind=KIND_APPOINTMENT, dismissed_at__isnull=False).count() == 1


def test_no_appointment_reminder_for_an_appointment_today(clock, coordinator):
    referral = ReferralFactory(status=Status.SENT, followed_by=coordinator)

    step(referral, "book", coordinator, appointment_at=at("2027-03-01 16:00"))
    beat()

    assert not Reminder.objects.filter(kind=KIND_APPOINTMENT).exists()


def test_outcome_missing_fires_once_after_n_days(clock, coordinator, settings):
    settings.REFERRAL_OUTCOME_OVERDUE_DAYS = 14
    referral = ReferralFactory(status=Status.SENT, followed_by=coordinator)
    step(referral, "book", coordinator, appointment_at=at("2027-03-10 14:00"))
    clock.move_to("2027-03-11 09:00 +01:00")
    step(referral, "attended", coordinator)

    clock.move_to("2027-03-23 23:00 +01:00")
    beat()
    assert delivered(KIND_OUTCOME) == []

    clock.move_to("2027-03-24 08:00 +01:00")
    beat()
    beat()
    [reminder] = delivered(KIND_OUTCOME)
    assert reminder.user == coordinator


def test_closing_with_an_outcome_cancels_the_outcome_reminder(clock, coordinator):
    referral = ReferralFactory(status=Status.SENT, followed_by=coordinator)
    step(referral, "book", coordinator, appointment_at=at("2027-03-10 14:00"))
    clock.move_to("2027-03-11 09:00 +01:00")
    step(referral, "attended", coordinator)
    step(referral, "close", coordinator, outcome=Outcome.TREATED)

    clock.move_to("2027-04-30 09:00 +01:00")
    beat()

    assert delivered(KIND_OUTCOME) == []


@pytest.mark.parametrize("action", ["cancel", "decline"])
def test_cancelling_or_a_refusal_cancels_both(action, clock, coordinator):
    referral = ReferralFactory(status=Status.SENT, followed_by=coordinator)
    step(referral, "book", coordinator, appointment_at=at("2027-03-10 14:00"))
    step(referral, action, coordinator)

    clock.move_to("2027-04-30 09:00 +01:00")
    beat()

    assert Reminder.objects.filter(delivered_at__isnull=False).count() == 0


def test_taking_over_a_referral_takes_over_its_reminders(clock, counsellor_a, coordinator):
    referral = ReferralFactory(status=Status.SENT, followed_by=counsellor_a)
    step(referral, "book", coordinator, appointment_at=at("2027-03-10 14:00"))

    services.referral_follow(actor=coordinator, referral=referral)
    clock.move_to("2027-03-09 08:00 +01:00")
    beat()

    [reminder] = delivered(KIND_APPOINTMENT)
    assert reminder.user == coordinator


def test_a_fund_running_low_warns_the_coordinators_once_per_period(clock):
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    fund = FundFactory(low_balance_threshold=Decimal("300.00"))
    give_budget(fund, "1000.00", by=coordinator)
    first, second = ReferralFactory.create_batch(2, status=Status.SENT)

    services.guarantee_issue(actor=coordinator, referral=first, fund=fund, amount=Decimal("600.00"))
    beat()
    assert delivered(KIND_FUND_LOW) == []

    services.guarantee_issue(
        actor=coordinator, referral=second, fund=fund, amount=Decimal("200.00")
    )
    beat()
    services.invoice_record(
        actor=coordinator,
        guarantee=first.guarantees.get(),
        amount=Decimal("650.00"),
        invoice_date=timezone.localdate(),
    )
    beat()
    [reminder] = delivered(KIND_FUND_LOW)
    assert reminder.role == Role.COORDINATOR
    assert reminder.target_url() == fund.get_absolute_url()
    assert Reminder.objects.for_user(coordinator).filter(pk=reminder.pk).exists()

    clock.move_to("2028-01-02 10:00 +01:00")
    services.fund_set_budget(
        actor=coordinator, fund=fund, period=fund.current_period(), amount=Decimal("100.00")
    )
    beat()
    assert len(delivered(KIND_FUND_LOW)) == 2


def test_a_fund_without_a_threshold_never_warns(clock, coordinator):
    fund = FundFactory()
    give_budget(fund, "10.00", by=coordinator)

    services.guarantee_issue(
        actor=coordinator,
        referral=ReferralFactory(status=Status.SENT),
        fund=fund,
        amount=Decimal("50.00"),
        override=True,
    )
    beat()

    assert not Reminder.objects.filter(kind=KIND_FUND_LOW).exists()
