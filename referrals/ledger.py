"""What a fund has, holds and has spent in one budget period — computed in the database.

Terms, for one fund and one budget period. A guarantee belongs to the period it was issued
in, and its invoices count in that same period whenever they arrive.

- **budget**: the amount set for the period; zero if none was set.
- **invoiced** (also called *spent*): the sum of `amount_due` of the invoices against the
  period's guarantees, except written-off ones — what the fund has paid or owes. A negotiated
  invoice counts with its lowered amount.
- **paid**: the part of *invoiced* whose invoices are marked paid (so paid ≤ invoiced).
- **reserved**: for each *open* guarantee, the part of its limit not yet invoiced:
  `max(limit - invoiced, 0)`. A closed guarantee reserves nothing; closing releases it.
- **left** = budget - reserved - invoiced. Negative when the fund is overdrawn, which only
  happens through a recorded override or through invoices above a guarantee's limit.

So, always: **budget = reserved + spent + left**.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import Case, Count, F, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest

from referrals.models import (
    COUNTED_INVOICE_STATUSES,
    CostGuarantee,
    Fund,
    FundBudget,
    GuaranteeStatus,
    Invoice,
    InvoiceStatus,
)
from referrals.money import SUM_FIELD, Money
from referrals.periods import Period, PeriodKind

ZERO = Value(Decimal("0.00"), output_field=SUM_FIELD)


def _invoice_total(statuses: tuple[str, ...]) -> Coalesce:
    total = (
        Invoice.objects.filter(guarantee=OuterRef("pk"), status__in=statuses)
        .order_by()
        .values("guarantee")
        .annotate(total=Sum("amount_due"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=SUM_FIELD), ZERO, output_field=SUM_FIELD)


def with_figures(guarantees: models.QuerySet[CostGuarantee]) -> models.QuerySet[CostGuarantee]:
    """Annotate each guarantee with `invoiced`, `paid` and `reserved` as defined above."""
    return guarantees.annotate(
        invoiced=_invoice_total(COUNTED_INVOICE_STATUSES),
        paid=_invoice_total((InvoiceStatus.PAID,)),
    ).annotate(
        reserved=Case(
            When(
                status=GuaranteeStatus.OPEN,
                then=Greatest(F("amount") - F("invoiced"), ZERO, output_field=SUM_FIELD),
            ),
            default=ZERO,
            output_field=SUM_FIELD,
        )
    )


@dataclass(frozen=True)
class Figures:
    budget: Money
    reserved: Money
    invoiced: Money
    paid: Money
    guarantees: int

    @property
    def spent(self) -> Money:
        return self.invoiced

    @property
    def left(self) -> Money:
        return self.budget - self.reserved - self.invoiced

    @property
    def unpaid(self) -> Money:
        return self.invoiced - self.paid


def _money(fund: Fund, value: Decimal | None) -> Money:
    return fund.money(value if value is not None else Decimal("0"))


def period_guarantees(fund: Fund, period: Period) -> models.QuerySet[CostGuarantee]:
    return CostGuarantee.objects.filter(fund=fund, period_start=period.start)


def period_figures(fund: Fund, period: Period) -> Figures:
    """The fund page's figures for `period`: two queries, whatever the number of guarantees."""
    # The totals' names must differ from the annotations they sum.
    totals = with_figures(period_guarantees(fund, period)).aggregate(
        total_reserved=Sum("reserved"),
        total_invoiced=Sum("invoiced"),
        total_paid=Sum("paid"),
        count=Count("pk"),
    )
    budget = (
        FundBudget.objects.filter(fund=fund, period_start=period.start)
        .values_list("amount", flat=True)
        .first()
    )
    return Figures(
        budget=_money(fund, budget),
        reserved=_money(fund, totals["total_reserved"]),
        invoiced=_money(fund, totals["total_invoiced"]),
        paid=_money(fund, totals["total_paid"]),
        guarantees=totals["count"],
    )


def _per_fund(aggregate: Sum | Count, output_field: models.Field) -> Coalesce:
    """`aggregate` over the guarantees of the outer fund's current period, as a subquery."""
    in_period = CostGuarantee.objects.filter(fund=OuterRef("pk"), period_start=OuterRef("period"))
    per_fund = with_figures(in_period).order_by().values("fund").annotate(v=aggregate).values("v")
    zero = ZERO if output_field is SUM_FIELD else Value(0)
    return Coalesce(Subquery(per_fund, output_field=output_field), zero, output_field=output_field)


def funds_with_current_figures(
    funds: models.QuerySet[Fund], today: date
) -> list[tuple[Fund, Period, Figures]]:
    """Each fund with the figures of the period containing `today`, in one query."""
    year = Period.containing(PeriodKind.YEAR, today).start
    month = Period.containing(PeriodKind.MONTH, today).start
    budget = FundBudget.objects.filter(fund=OuterRef("pk"), period_start=OuterRef("period"))
    annotated = (
        funds.annotate(
            period=Case(
                When(period_kind=PeriodKind.YEAR, then=Value(year)),
                default=Value(month),
                output_field=models.DateField(),
            )
        )
        .annotate(
            budget_amount=Coalesce(
                Subquery(budget.values("amount")[:1], output_field=SUM_FIELD),
                ZERO,
                output_field=SUM_FIELD,
            ),
            reserved_total=_per_fund(Sum("reserved"), SUM_FIELD),
            invoiced_total=_per_fund(Sum("invoiced"), SUM_FIELD),
            paid_total=_per_fund(Sum("paid"), SUM_FIELD),
            guarantee_count=_per_fund(Count("pk"), models.IntegerField()),
        )
        .order_by("name")
    )
    return [
        (
            fund,
            fund.period_containing(today),
            Figures(
                budget=_money(fund, fund.budget_amount),
                reserved=_money(fund, fund.reserved_total),
                invoiced=_money(fund, fund.invoiced_total),
                paid=_money(fund, fund.paid_total),
                guarantees=fund.guarantee_count,
            ),
        )
        for fund in annotated
    ]


def left_in_period(fund: Fund, period: Period) -> Money:
    return period_figures(fund, period).left
