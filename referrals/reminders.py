"""Referral reminders, through the casework reminders engine.

Each is scheduled when its cause arises, under a dedupe key, and cancelled when the cause goes
away; the dispatcher delivers each once:

- **appointment tomorrow**: at 08:00 on the day before a booked appointment, to whoever
  follows the referral. A new appointment gets its own reminder and the old one is cancelled;
  so it is when the referral is cancelled, declined, attended or missed.
- **outcome missing**: at 08:00, `REFERRAL_OUTCOME_OVERDUE_DAYS` days after the appointment,
  to whoever follows the referral — unless it was closed (with its outcome), cancelled or
  declined by then.
- **fund running low**: to the coordinators, as soon as what is left of a fund in its current
  period drops below the fund's threshold; once per fund and period.

Labels never name the person; the reminder points at the referral or the fund. The referral
labels are stored as untranslated message ids, which the reminders list translates for each
reader.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from casework.models import Reminder
from core.models import User
from core.roles import Role
from referrals import ledger
from referrals.models import Fund, Referral, Status

KIND_APPOINTMENT = "referrals.appointment.tomorrow"
KIND_OUTCOME = "referrals.outcome.missing"
KIND_FUND_LOW = "referrals.fund.low"
MORNING = time(8, 0)


def _morning(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, MORNING))


def _keys(referral: Referral, appointment_at: datetime) -> tuple[str, str]:
    # The appointment is part of the key: a new appointment earns new reminders.
    stamp = appointment_at.isoformat()
    return (
        f"{KIND_APPOINTMENT}:{referral.pk}:{stamp}",
        f"{KIND_OUTCOME}:{referral.pk}:{stamp}",
    )


def referral_changed(
    referral: Referral, *, previous_appointment: datetime | None, by: User | None
) -> None:
    """Bring the referral's reminders in line with its status, appointment and follower."""
    if previous_appointment is not None and previous_appointment != referral.appointment_at:
        for key in _keys(referral, previous_appointment):
            Reminder.objects.cancel(key, by=by)
    appointment = referral.appointment_at
    if appointment is None:
        return
    tomorrow_key, outcome_key = _keys(referral, appointment)
    day = timezone.localdate(appointment)
    if referral.status == Status.BOOKED and day > timezone.localdate():
        Reminder.objects.schedule(
            kind=KIND_APPOINTMENT,
            label=gettext_noop("Referral appointment tomorrow"),
            due_at=_morning(day - timedelta(days=1)),
            client=referral.client,
            obj=referral,
            user=referral.followed_by,
            dedupe_key=tomorrow_key,
        )
    else:
        Reminder.objects.cancel(tomorrow_key, by=by)
    if referral.status in (Status.BOOKED, Status.ATTENDED, Status.NO_SHOW):
        Reminder.objects.schedule(
            kind=KIND_OUTCOME,
            label=gettext_noop("Referral outcome missing"),
            due_at=_morning(day + timedelta(days=settings.REFERRAL_OUTCOME_OVERDUE_DAYS)),
            client=referral.client,
            obj=referral,
            user=referral.followed_by,
            dedupe_key=outcome_key,
        )
    else:
        Reminder.objects.cancel(outcome_key, by=by)


def fund_changed(fund: Fund) -> None:
    """Warn the coordinators once per period when the fund drops below its threshold."""
    if fund.low_balance_threshold is None:
        return
    period = fund.current_period()
    if ledger.left_in_period(fund, period).amount >= fund.low_balance_threshold:
        return
    Reminder.objects.schedule(
        kind=KIND_FUND_LOW,
        label=gettext_noop("Fund running low: %(fund)s"),
        label_params={"fund": fund.name},
        due_at=timezone.now(),
        obj=fund,
        role=Role.COORDINATOR,
        dedupe_key=f"{KIND_FUND_LOW}:{fund.pk}:{period.slug}",
    )
