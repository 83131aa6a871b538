"""Celery tasks of the core app. Thin: they call into core.audit."""

from __future__ import annotations

import logging

from celery import shared_task

from core.audit import log_action, verify_chain

logger = logging.getLogger(__name__)


@shared_task
def verify_audit_chain() -> bool:
    """Check the audit chain nightly and record the result in the chain itself."""
    report = verify_chain()
    log_action(
        "core.audit.verified",
        actor=None,
        details={
            "ok": report.ok,
            "checked": report.checked,
            "first_broken_id": report.first_broken_id,
        },
    )
    if not report.ok:
        logger.error("Audit chain broken at entry %s: %s", report.first_broken_id, report.reason)
    return report.ok
