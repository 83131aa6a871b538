"""Budget periods: a calendar year or a calendar month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    MONTH = "month", _("Month")


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    start: date

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        if kind == PeriodKind.YEAR:
            return cls(kind, date(day.year, 1, 1))
        return cls(kind, date(day.year, day.month, 1))

    @classmethod
    def parse(cls, kind: str, slug: str) -> Period:
        """The period named by `slug` ("2025" for a year, "2025-03" for a month).

        Raises ValueError for anything else.
        """
        if kind == PeriodKind.YEAR:
            if len(slug) != 4 or not slug.isdigit():
                raise ValueError("not a year")
            return cls(kind, date(int(slug), 1, 1))
        year, _sep, month = slug.partition("-")
        if len(year) != 4 or len(month) != 2 or not (year.isdigit() and month.isdigit()):
            raise ValueError("not a month")
        return cls(kind, date(int(year), int(month), 1))

    @property
    def end(self) -> date:
        """The first day after the period."""
        if self.kind == PeriodKind.YEAR:
            return date(self.start.year + 1, 1, 1)
        if self.start.month == 12:
            return date(self.start.year + 1, 1, 1)
        return date(self.start.year, self.start.month + 1, 1)

    @property
    def slug(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year:04d}"
        return f"{self.start.year:04d}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        return date_format(self.start, "F Y")

    def previous(self) -> Period:
        if self.kind == PeriodKind.YEAR:
            return Period(self.kind, date(self.start.year - 1, 1, 1))
        if self.start.month == 1:
            return Period(self.kind, date(self.start.year - 1, 12, 1))
        return Period(self.kind, date(self.start.year, self.start.month - 1, 1))

    def next(self) -> Period:
        return Period(self.kind, self.end)

    def __str__(self) -> str:
        return self.label
