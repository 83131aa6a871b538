"""Money: decimal amounts that always travel with their currency. Never floats."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

MAX_DIGITS = 12
DECIMAL_PLACES = 2
CENT = Decimal("0.01")
# Sums of many amounts get more room than a single amount.
SUM_FIELD = models.DecimalField(max_digits=MAX_DIGITS + 4, decimal_places=DECIMAL_PLACES)
_CURRENCY = re.compile(r"^[A-Z]{3}$")

currency_validator = RegexValidator(
    _CURRENCY, _("Use a three-letter ISO 4217 code such as CHF or EUR.")
)


# Every amount column: up to ten digits before the point, two after. The currency lives on
# the fund the amount belongs to.
class _AmountOptions(TypedDict):
    max_digits: int
    decimal_places: int


AMOUNT = _AmountOptions(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)
positive_amount = MinValueValidator(CENT)
non_negative_amount = MinValueValidator(Decimal("0.00"))


class CurrencyMismatch(ValueError):
    pass


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money takes a Decimal, not {type(self.amount).__name__}.")
        if not _CURRENCY.match(self.currency):
            raise ValueError(f"Not a currency code: {self.currency!r}.")
        object.__setattr__(self, "amount", self.amount.quantize(CENT))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal("0"), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"Cannot combine {self.currency} with {other.currency}.")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        return f"{self.currency} {number_format(self.amount, DECIMAL_PLACES, force_grouping=True)}"
