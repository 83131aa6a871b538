"""Celery tasks of the casework app: thin wrappers over model and service functions, ids only."""

from __future__ import annotations

import logging

from celery import shared_task

from casework.erasure import apply_retention
from casework.reminders import dispatch_due, email_due_count
from core.models import User

logger = logging.getLogger(__name__)


@shared_task
def apply_retention_rule() -> int:
    erased = apply_retention()
    # A count only: which people were erased is in the audit trail, by pseudonymous id.
    logger.info("Retention: %d client(s) erased.", erased)
    return erased


@shared_task
def dispatch_reminders() -> int:
    return dispatch_due()


@shared_task
def email_reminders_due(user_id: int) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return user is not None and email_due_count(user)
