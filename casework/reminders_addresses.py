"""Reminders of the address service, through the casework reminders engine.

Each is scheduled when its cause arises (a letter logged, a slot assigned or renewed, an
assignment ended) under a dedupe key, and cancelled when the cause goes away (the letter handed
over or returned, the assignment renewed or ended). The dispatcher delivers each once, on the
morning of its day:

- an urgent letter still waiting more than 2 days after it came (on day 3);
- any letter still waiting more than 14 days (on day 15);
- an assignment expiring within 30 days (30 days before it expires; a renewal schedules a new
  one for the new expiry);
- a slot's quarantine ending (on the day it is free again).

Letters and expiry go to the team of the site where the mail is kept; the end of a quarantine
goes to coordinators, who manage slots and the waiting list. Labels name the slot, never the
person.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from casework.models import Reminder
from casework.models.addresses import MailItem, SlotAssignment
from core.models import User
from core.roles import Role

URGENT_WAITING_DAYS = 2
WAITING_DAYS = 14
EXPIRY_NOTICE_DAYS = 30
# Reminders about a day fall due at the start of the working day.
MORNING = time(8, 0)

KIND_URGENT = "casework.mail.urgent_waiting"
KIND_WAITING = "casework.mail.waiting"
KIND_EXPIRING = "casework.address.expiring"
KIND_QUARANTINE = "casework.address.quarantine_ending"


def _morning(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, MORNING))


def _mail_keys(item: MailItem) -> tuple[str, str]:
    return f"{KIND_URGENT}:{item.pk}", f"{KIND_WAITING}:{item.pk}"


def _expiry_key(assignment: SlotAssignment) -> str:
    # The expiry date is part of the key: a renewed assignment earns a new reminder.
    return f"{KIND_EXPIRING}:{assignment.pk}:{assignment.expires_on.isoformat()}"


def mail_logged(item: MailItem) -> None:
    slot = item.assignment.slot
    urgent_key, waiting_key = _mail_keys(item)
    if item.urgent:
        Reminder.objects.schedule(
            kind=KIND_URGENT,
            label=gettext_noop("Urgent letter waiting for %(slot)s"),
            label_params={"slot": slot.label},
            due_at=_morning(item.received_on + timedelta(days=URGENT_WAITING_DAYS + 1)),
            client=item.client,
            obj=item,
            site=slot.address.site,
            dedupe_key=urgent_key,
        )
    Reminder.objects.schedule(
        kind=KIND_WAITING,
        label=gettext_noop("Letter waiting over two weeks for %(slot)s"),
        label_params={"slot": slot.label},
        due_at=_morning(item.received_on + timedelta(days=WAITING_DAYS + 1)),
        client=item.client,
        obj=item,
        site=slot.address.site,
        dedupe_key=waiting_key,
    )


def mail_closed(item: MailItem, *, by: User | None) -> None:
    for key in _mail_keys(item):
        Reminder.objects.cancel(key, by=by)


def assignment_started(assignment: SlotAssignment) -> None:
    Reminder.objects.schedule(
        kind=KIND_EXPIRING,
        label=gettext_noop("Address %(slot)s expires on %(date)s"),
        label_params={"slot": assignment.slot.label, "date": assignment.expires_on},
        due_at=_morning(assignment.expires_on - timedelta(days=EXPIRY_NOTICE_DAYS)),
        client=assignment.client,
        obj=assignment,
        site=assignment.slot.address.site,
        dedupe_key=_expiry_key(assignment),
    )


def assignment_renewed(assignment: SlotAssignment, *, previous_expiry: date, by: User) -> None:
    Reminder.objects.cancel(f"{KIND_EXPIRING}:{assignment.pk}:{previous_expiry.isoformat()}", by=by)
    assignment_started(assignment)


def assignment_ended(assignment: SlotAssignment, *, by: User | None) -> None:
    Reminder.objects.cancel(_expiry_key(assignment), by=by)
    if assignment.quarantine_until is None:
        return
    Reminder.objects.schedule(
        kind=KIND_QUARANTINE,
        label=gettext_noop("%(slot)s is free again: offer it to the waiting list"),
        label_params={"slot": assignment.slot.label},
        due_at=_morning(assignment.quarantine_until),
        obj=assignment.slot,
        role=Role.COORDINATOR,
        dedupe_key=f"{KIND_QUARANTINE}:{assignment.pk}",
    )
