"""Synthetic funds, cost guarantees and invoices for `manage.py seed_synthetic`.

Each guarantee is what `guarantee_issue` would have stored when its referral was made: a
coordinator reserves a limit in the fund's period of that day, under a fresh voucher code.
Cancelling or a provider's refusal closes it (as `referral_transition` does); after a visit the
provider's invoice follows and moves on to paid (or is negotiated down, or written off), and a
coordinator closes most guarantees once settled. Budgets are set last, per fund and year, a
little above what that year's guarantees could use, so no guarantee needed an override.
Nothing here is personal, so nothing is sealed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from itertools import pairwise

from django.utils import timezone

from casework.synthetic import Cast
from core import bulk
from referrals.models import (
    CostGuarantee,
    Fund,
    FundBudget,
    GuaranteeStatus,
    Invoice,
    InvoiceStatus,
    Outcome,
    Provider,
    ProviderKind,
    Referral,
    Status,
)
from referrals.models.funds import VOUCHER_ALPHABET, VOUCHER_LENGTH
from referrals.periods import PeriodKind

CURRENCY = "CHF"
FUNDS = ["hospital care", "dental care", "health (general)", "emergencies"]
# The share of referrals to each kind of provider that carry a guarantee, the range of its
# limit (whole francs) and the funds it is drawn on, by weight (indexes into FUNDS).
GUARANTEED: dict[str, tuple[float, int, int, list[tuple[int, int]]]] = {
    ProviderKind.HOSPITAL: (0.7, 500, 8000, [(0, 8), (3, 2)]),
    ProviderKind.SPECIALIST: (0.3, 150, 1500, [(0, 4), (2, 5), (3, 1)]),
    ProviderKind.GYNAECOLOGY: (0.2, 150, 1200, [(0, 3), (2, 7)]),
    ProviderKind.DENTAL: (0.2, 100, 1200, [(1, 9), (3, 1)]),
    ProviderKind.LABORATORY: (0.15, 50, 400, [(2, 1)]),
    ProviderKind.PSYCHOTHERAPY: (0.1, 100, 800, [(2, 1)]),
    ProviderKind.GENERAL_PRACTITIONER: (0.05, 50, 300, [(2, 1)]),
    ProviderKind.PHARMACY: (0.05, 20, 200, [(2, 9), (3, 1)]),
}
GUARANTEED_SHARE = 0.15  # of all referrals
TREATED = (Outcome.TREATED, Outcome.ONGOING, Outcome.REFERRED_ON)
INVOICED_SHARE = 0.9  # of attended referrals with a guarantee
SETTLED_CLOSED_SHARE = 0.8  # of guarantees with a paid or written-off invoice, or no visit


@dataclass
class FundPlan:
    funds: list[Fund]
    # How much more (or less) often than GUARANTEED says, so that GUARANTEED_SHARE of all
    # referrals carry a guarantee whatever the mix of providers they go to.
    boost: float = 1.0
    # What each guarantee uses of its fund's year as time goes by: (when, change, issued).
    uses: dict[tuple[int, int], list[tuple[datetime, Decimal, bool]]] = field(
        default_factory=dict
    )  # by (fund, year)
    vouchers: set[str] = field(default_factory=set)
    guarantees: int = 0
    invoices: int = 0

    def aim(self, providers: list[Provider], cumulative_weights: list[float]) -> None:
        """Set `boost` for referrals drawn from `providers` by these weights."""
        weights = [b - a for a, b in pairwise([0.0, *cumulative_weights])]
        expected = sum(
            w * GUARANTEED.get(p.kind, (0.0,))[0] for p, w in zip(providers, weights, strict=True)
        ) / max(sum(weights), 1e-9)
        self.boost = GUARANTEED_SHARE / expected if expected else 1.0


def seed_funds(cast: Cast, *, first_day: date) -> FundPlan:
    created = cast.at(first_day, 0)
    return FundPlan(
        [
            Fund.objects.create(
                name=f"Synthetic fund for {name}",
                currency=CURRENCY,
                period_kind=PeriodKind.YEAR,
                low_balance_threshold=Decimal("2000.00"),
                description="Synthetic: a fictional fund.",
                created_at=created,
            )
            for name in FUNDS
        ]
    )


def seed_guarantee(
    rng: random.Random,
    plan: FundPlan,
    referral: Referral,
    *,
    kind: str,
    reached: dict[str, datetime],
    now: datetime,
    guarantees: list[CostGuarantee],
    invoices: list[Invoice],
) -> None:
    """Perhaps a guarantee for `referral`, whose steps were reached at `reached`, and its
    invoice: appended to `guarantees` and `invoices`."""
    terms = GUARANTEED.get(kind)
    if terms is None or rng.random() >= terms[0] * plan.boost:
        return
    _share, low, high, funds = terms
    fund = rng.choices([n for n, _ in funds], [w for _, w in funds])[0]
    issued_at = referral.created_at + timedelta(minutes=rng.randint(5, 55))
    guarantee = CostGuarantee(
        referral=referral,
        fund=plan.funds[fund],
        period_start=date(timezone.localdate(issued_at).year, 1, 1),
        amount=Decimal(rng.randrange(low, high + 1, 10)),
        voucher_code=_voucher(rng, plan),
        issued_by=referral.followed_by,
        issued_at=issued_at,
    )
    guarantees.append(guarantee)
    plan.guarantees += 1
    # What the guarantee uses of its year (ledger.py): its limit or more while open, what
    # is invoiced once closed.
    states = [(issued_at, True, Decimal(0))]
    refused = reached.get(Status.CANCELLED) or reached.get(Status.DECLINED)
    settled: datetime | None = None
    visited = reached.get(Status.ATTENDED)
    if visited is None and Status.NO_SHOW not in reached and referral.outcome in TREATED:
        # Closed as treated without the visit recorded: the appointment, or before closing.
        closed_at = reached[Status.CLOSED] - timedelta(days=rng.randint(1, 14))
        visited = referral.appointment_at or max(closed_at, issued_at)
    if refused is not None:
        _close(guarantee, refused)
    elif visited is not None and rng.random() < INVOICED_SHARE:
        invoice = _invoice(rng, guarantee, visited=visited, now=now)
        if invoice is not None:
            invoices.append(invoice)
            plan.invoices += 1
            states.append((invoice.recorded_at, True, invoice.amount_billed))
            written_off = invoice.status == InvoiceStatus.WRITTEN_OFF
            due = Decimal(0) if written_off else invoice.amount_due
            states.append((invoice.status_changed_at, True, due))
            if invoice.status in (InvoiceStatus.PAID, InvoiceStatus.WRITTEN_OFF):
                settled = invoice.status_changed_at
    elif Status.CLOSED in reached:
        settled = reached[Status.CLOSED]
    if settled is not None and rng.random() < SETTLED_CLOSED_SHARE:
        closed = settled + timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 8))
        if closed < now:
            _close(guarantee, closed)
    if guarantee.closed_at is not None:
        states.append((guarantee.closed_at, False, states[-1][2]))
    uses = plan.uses.setdefault((fund, guarantee.period_start.year), [])
    before = Decimal(0)
    for number, (when, is_open, counted) in enumerate(states):
        using = max(guarantee.amount, counted) if is_open else counted
        uses.append((when, using - before, number == 0))
        before = using


def _voucher(rng: random.Random, plan: FundPlan) -> str:
    while True:
        code = "".join(rng.choices(VOUCHER_ALPHABET, k=VOUCHER_LENGTH))
        if code not in plan.vouchers:
            plan.vouchers.add(code)
            return code


def _close(guarantee: CostGuarantee, at: datetime) -> None:
    guarantee.status = GuaranteeStatus.CLOSED
    guarantee.closed_by = guarantee.issued_by
    guarantee.closed_at = at


def _invoice(
    rng: random.Random, guarantee: CostGuarantee, *, visited: datetime, now: datetime
) -> Invoice | None:
    """The provider's bill a few weeks after the visit, moved on as far as its age allows."""
    invoice_date = timezone.localdate(visited) + timedelta(days=rng.randint(3, 45))
    recorded_at = visited + timedelta(
        days=(invoice_date - timezone.localdate(visited)).days + rng.randint(2, 22),
        hours=rng.randint(0, 6),
    )
    if recorded_at > now:
        return None  # not come yet
    # Mostly within the limit; now and then a bill above it.
    share = rng.uniform(1.0, 1.2) if rng.random() < 0.04 else rng.uniform(0.35, 1.0)
    billed = max(Decimal("1.00"), (guarantee.amount * Decimal(share)).quantize(Decimal("0.05")))
    age = (now - recorded_at).days
    if age > 90:
        status = rng.choices(
            [InvoiceStatus.PAID, InvoiceStatus.NEGOTIATED, InvoiceStatus.WRITTEN_OFF], [88, 7, 5]
        )[0]
    elif age > 30:
        status = rng.choices(
            [
                InvoiceStatus.PAID,
                InvoiceStatus.CHECKED,
                InvoiceStatus.NEGOTIATED,
                InvoiceStatus.RECEIVED,
            ],
            [50, 25, 10, 15],
        )[0]
    else:
        status = rng.choices(
            [InvoiceStatus.RECEIVED, InvoiceStatus.CHECKED, InvoiceStatus.NEGOTIATED], [60, 30, 10]
        )[0]
    due = billed
    if status == InvoiceStatus.NEGOTIATED or (status == InvoiceStatus.PAID and rng.random() < 0.1):
        # Negotiated down (and, if paid, paid at the lower amount).
        due = (billed * Decimal(rng.uniform(0.6, 0.95))).quantize(Decimal("0.05"))
    changed_at = recorded_at
    if status != InvoiceStatus.RECEIVED:
        changed_at += timedelta(days=rng.randint(1, max(1, min(age, 60))))
        changed_at = min(changed_at, now)
    return Invoice(
        guarantee=guarantee,
        provider_reference=f"SYN-{rng.randrange(10**6):06d}",
        invoice_date=invoice_date,
        amount_billed=billed,
        amount_due=due,
        status=status,
        recorded_by=guarantee.issued_by,
        recorded_at=recorded_at,
        status_changed_by=guarantee.issued_by,
        status_changed_at=changed_at,
    )


def seed_budgets(rng: random.Random, cast: Cast, plan: FundPlan, *, first_day: date) -> int:
    """A budget per fund and year, set in December before it. Each is a little above the most
    the year's guarantees ever used at once when one was issued, so none needed an override
    (the current year's scaled up to a whole year). Rows inserted."""
    today = timezone.localdate()
    elapsed = Decimal(max(0.1, (today - date(today.year, 1, 1)).days / 365))
    budgets = []
    for fund_index, fund in enumerate(plan.funds):
        for year in range(first_day.year, today.year + 1):
            peak = running = Decimal(0)
            for _when, change, issued in sorted(plan.uses.get((fund_index, year), [])):
                running += change
                if issued:
                    peak = max(peak, running)
            if year == today.year:
                peak /= elapsed
            thousands = (peak * Decimal(rng.uniform(1.02, 1.2)) / 1000).to_integral_value(
                ROUND_CEILING
            )
            budgets.append(
                FundBudget(
                    fund=fund,
                    period_start=date(year, 1, 1),
                    amount=max(Decimal(1), thousands) * 1000,
                    set_by=rng.choice(cast.coordinators),
                    set_at=cast.at(date(year - 1, 12, rng.randint(1, 20)), 0),
                )
            )
    return bulk.insert(FundBudget, budgets)
