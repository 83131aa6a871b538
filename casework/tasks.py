"""Celery tasks of the casework app: thin, ids only."""

from __future__ import annotations

from celery import shared_task

from casework.reminders import dispatch_due, email_due_count
from core.models import User


@shared_task
def dispatch_reminders() -> int:
    return dispatch_due()


@shared_task
def email_reminders_due(user_id: int) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return user is not None and email_due_count(user)
