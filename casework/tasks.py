"""Celery tasks of the casework app: thin wrappers over model and service functions."""

from __future__ import annotations

import logging

from celery import shared_task

from casework.erasure import apply_retention

logger = logging.getLogger(__name__)


@shared_task
def apply_retention_rule() -> int:
    erased = apply_retention()
    # A count only: which people were erased is in the audit trail, by pseudonymous id.
    logger.info("Retention: %d client(s) erased.", erased)
    return erased
