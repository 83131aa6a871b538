"""Serving a report: a month's snapshot when one exists, otherwise computed live."""

from __future__ import annotations

from django.db import transaction

from core.audit import log_action
from core.models import User
from reporting.models import MonthlySnapshot
from reporting.periods import ReportPeriod
from reporting.report import Report, build_report


def report_for(period: ReportPeriod) -> Report:
    """The month's stored snapshot if there is one; any other period is computed live."""
    if period.is_month:
        snapshot = MonthlySnapshot.objects.filter(month=period.start).first()
        if snapshot is not None:
            return Report.from_json(snapshot.data)
    return build_report(period)


def store_snapshot(period: ReportPeriod, *, actor: User | None = None) -> MonthlySnapshot:
    """Compute the month's report and store it, replacing an older snapshot of that month."""
    if not period.is_month:
        raise ValueError("Snapshots are kept for months only.")
    report = build_report(period)
    with transaction.atomic():
        snapshot, created = MonthlySnapshot.objects.update_or_create(
            month=period.start,
            defaults={"data": report.to_json(), "computed_at": report.computed_at},
        )
        if actor is not None:
            log_action(
                "reporting.snapshot.recomputed",
                actor=actor,
                ref=period.slug,
                object_type="reporting.monthlysnapshot",
                details={"period": period.slug, "k": report.k, "replaced": not created},
            )
    return snapshot
