"""Delivering due reminders, and the count in the navigation.

The dispatcher runs every minute on Celery beat. It claims due reminders in a transaction with
`SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL), so two workers running it at the same moment
take disjoint sets and each reminder is delivered exactly once; on SQLite the transaction holds
the write lock from its start, which serialises the workers instead. Delivery puts the reminder
in the in-app list, records the batch in the audit trail, and e-mails the people who asked for
it a count — never what or whom a reminder is about.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from casework.models import Reminder
from core.audit import log_action
from core.models import User
from core.roles import CASE_ROLES, Role

# Claimed per transaction: bounds how long the rows stay locked.
BATCH_SIZE = 200


def _claim_batch() -> list[Reminder]:
    with transaction.atomic():
        due = Reminder.objects.open().filter(delivered_at__isnull=True, due_at__lte=timezone.now())
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        claimed = list(due.order_by("due_at")[:BATCH_SIZE])
        if not claimed:
            return []
        Reminder.objects.filter(pk__in=[r.pk for r in claimed]).update(delivered_at=timezone.now())
        # The batch in the audit trail: which reminders (ids only) went out, and once.
        log_action(
            "casework.reminder.delivered",
            actor=None,
            details={"reminders": [str(r.pk) for r in claimed], "count": len(claimed)},
        )
    return claimed


def dispatch_due() -> int:
    """Deliver every due reminder not delivered yet. Returns how many this call delivered."""
    delivered = 0
    recipients: set[int] = set()
    while batch := _claim_batch():
        delivered += len(batch)
        recipients.update(_recipients(batch))
    for user_id in sorted(recipients):
        _enqueue_email(user_id)
    return delivered


def _enqueue_email(user_id: int) -> None:
    from casework.tasks import email_reminders_due

    transaction.on_commit(partial(email_reminders_due.delay, user_id))


def _recipients(reminders: list[Reminder]) -> set[int]:
    """Staff who asked for an e-mail and to whom one of `reminders` is addressed."""
    addressed = Q(pk__in=[r.user_id for r in reminders if r.user_id is not None])
    site_ids = {r.site_id for r in reminders if r.site_id is not None}
    if site_ids:
        addressed |= Q(sites__in=site_ids, groups__name=Role.COUNSELLOR.value)
    roles = {r.role for r in reminders if r.role}
    if roles:
        addressed |= Q(groups__name__in=roles)
    return set(
        User.objects.filter(addressed, is_active=True, reminder_settings__email_when_due=True)
        .values_list("pk", flat=True)
        .distinct()
    )


def due_for(user: User) -> int:
    """How many delivered reminders `user` has open (overdue ones included)."""
    return Reminder.objects.for_user(user).open().delivered().count()


def email_due_count(user: User) -> bool:
    """E-mail `user` how many reminders wait. The message names nothing and no one."""
    count = due_for(user)
    if count == 0 or not user.email:
        return False
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = ngettext(
            "You have %(count)d reminder due", "You have %(count)d reminders due", count
        ) % {"count": count}
        body = gettext(
            "%(subject)s. Sign in to %(organisation)s to see them.\n\n"
            "This message deliberately says nothing about what the reminders are about."
        ) % {"subject": subject, "organisation": settings.ORGANISATION_NAME}
    send_mail(subject, body, None, [user.email])
    return True


def nav_badge(request: HttpRequest) -> int:
    """The number on the Reminders item of the navigation."""
    user = request.user
    if not user.is_authenticated or not user.has_any_role(*CASE_ROLES):
        return 0
    return due_for(user)
