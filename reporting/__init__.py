"""Anonymised reports with disclosure control.

`reporting.build_report(period)` computes one period's published report live (a
`ReportPeriod` or a slug such as "2026-10", "2026-Q4" or "2026"); see reporting/README.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reporting.periods import ReportPeriod
    from reporting.report import Report


def build_report(period: ReportPeriod | str) -> Report:
    # Imported here: the app package is imported before Django's models are ready.
    from reporting.report import build_report as build

    return build(period)
