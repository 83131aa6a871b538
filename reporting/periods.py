"""Report periods: a calendar month, quarter or year, named by a short slug in URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

MONTH, QUARTER, YEAR = "month", "quarter", "year"
_SLUG = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class ReportPeriod:
    start: date
    kind: str

    @classmethod
    def parse(cls, slug: str) -> ReportPeriod:
        """ "2026-10" (a month), "2026-Q4" (a quarter) or "2026" (a year); ValueError otherwise."""
        match = _SLUG.match(slug)
        if not match:
            raise ValueError("not a report period")
        year = int(match["year"])
        if year < 2000:
            raise ValueError("not a report period")
        if match["month"]:
            month = int(match["month"])
            if not 1 <= month <= 12:
                raise ValueError("not a month")
            return cls(date(year, month, 1), MONTH)
        if match["quarter"]:
            return cls(date(year, 3 * int(match["quarter"]) - 2, 1), QUARTER)
        return cls(date(year, 1, 1), YEAR)

    @classmethod
    def month_of(cls, day: date) -> ReportPeriod:
        return cls(date(day.year, day.month, 1), MONTH)

    @classmethod
    def last_month(cls, today: date | None = None) -> ReportPeriod:
        """The latest complete month: the one a monthly report is about."""
        return cls.month_of(_add_months(today or timezone.localdate(), -1))

    @property
    def months(self) -> int:
        return {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]

    @property
    def end(self) -> date:
        """The first day after the period."""
        return _add_months(self.start, self.months)

    @property
    def is_month(self) -> bool:
        return self.kind == MONTH

    @property
    def slug(self) -> str:
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month + 2) // 3}"
        return f"{self.start.year}"

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return date_format(self.start, "F Y")
        if self.kind == QUARTER:
            return _("Q%(quarter)s %(year)s") % {
                "quarter": (self.start.month + 2) // 3,
                "year": self.start.year,
            }
        return str(self.start.year)

    @property
    def short_label(self) -> str:
        """A month in a few letters ("Oct 26"), for chart axes."""
        return date_format(self.start, "M y")

    def aware_bounds(self) -> tuple[datetime, datetime]:
        """Start and end as moments in the configured time zone, for timestamp columns."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end, time.min, tzinfo=zone),
        )

    def trend_months(self) -> list[ReportPeriod]:
        """The twelve months up to and including the period's last month."""
        last = _add_months(self.end, -1)
        return [ReportPeriod(_add_months(last, -n), MONTH) for n in range(11, -1, -1)]

    def previous(self) -> ReportPeriod:
        return ReportPeriod(_add_months(self.start, -self.months), self.kind)

    def __str__(self) -> str:
        return self.label


def recent_periods(today: date | None = None) -> dict[str, list[ReportPeriod]]:
    """What the period picker offers: recent complete months, quarters and years."""
    last = ReportPeriod.last_month(today)
    months = [last]
    for _n in range(23):
        months.append(months[-1].previous())
    quarter = ReportPeriod(date(last.start.year, 3 * ((last.start.month - 1) // 3) + 1, 1), QUARTER)
    quarters = [quarter]
    for _n in range(7):
        quarters.append(quarters[-1].previous())
    years = [ReportPeriod(date(last.start.year - n, 1, 1), YEAR) for n in range(5)]
    return {MONTH: months, QUARTER: quarters, YEAR: years}
