"""The fund figures add up, whatever happens to guarantees and invoices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals import ledger, services
from referrals.models import Fund, InvoiceStatus
from referrals.money import Money
from referrals.periods import Period
from tests.referrals.factories import FundFactory, ReferralFactory, give_budget

pytestmark = pytest.mark.django_db

amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("50000"), places=2, allow_nan=False
)

# Operations on a fund, by index into the guarantees and invoices made so far.
operations = st.lists(
    st.one_of(
        st.tuples(st.just("issue"), amounts),
        st.tuples(st.just("invoice"), st.integers(0, 20), amounts),
        st.tuples(st.just("check"), st.integers(0, 20)),
        st.tuples(st.just("negotiate"), st.integers(0, 20), st.integers(1, 99)),
        st.tuples(st.just("pay"), st.integers(0, 20)),
        st.tuples(st.just("write-off"), st.integers(0, 20)),
        st.tuples(st.just("close"), st.integers(0, 20)),
    ),
    max_size=25,
)


@dataclass
class Model:
    """A plain-Python account of the same fund, written from the definitions in ledger.py."""

    budget: Decimal
    guarantees: list[dict] = field(default_factory=list)
    invoices: list[dict] = field(default_factory=list)

    def invoiced(self, g: int | None = None) -> Decimal:
        return sum(
            (
                i["due"]
                for i in self.invoices
                if i["status"] != InvoiceStatus.WRITTEN_OFF and (g is None or i["g"] == g)
            ),
            Decimal(0),
        )

    def paid(self) -> Decimal:
        return sum(
            (i["due"] for i in self.invoices if i["status"] == InvoiceStatus.PAID), Decimal(0)
        )

    def reserved(self) -> Decimal:
        return sum(
            (
                max(g["limit"] - self.invoiced(n), Decimal(0))
                for n, g in enumerate(self.guarantees)
                if g["open"]
            ),
            Decimal(0),
        )

    def left(self) -> Decimal:
        return self.budget - self.reserved() - self.invoiced()


def run(operation: tuple, fund: Fund, referral, model: Model, actor, made: dict) -> None:
    kind = operation[0]
    if kind == "issue":
        amount = operation[1]
        needs_override = amount > model.left()
        if needs_override:
            with pytest.raises(services.OverrideNeeded):
                services.guarantee_issue(actor=actor, referral=referral, fund=fund, amount=amount)
        guarantee = services.guarantee_issue(
            actor=actor, referral=referral, fund=fund, amount=amount, override=needs_override
        )
        assert guarantee.was_overridden == needs_override
        made["guarantees"].append(guarantee)
        model.guarantees.append({"limit": amount, "open": True})
        return
    if kind in ("invoice", "close"):
        if not made["guarantees"]:
            return
        n = operation[1] % len(made["guarantees"])
        guarantee = made["guarantees"][n]
        if kind == "close":
            if model.guarantees[n]["open"]:
                services.guarantee_close(actor=actor, guarantee=guarantee)
                model.guarantees[n]["open"] = False
            else:
                with pytest.raises(services.ReferralConflict):
                    services.guarantee_close(actor=actor, guarantee=guarantee)
            return
        invoice = services.invoice_record(
            actor=actor, guarantee=guarantee, amount=operation[2], invoice_date=date(2025, 5, 1)
        )
        made["invoices"].append(invoice)
        model.invoices.append({"g": n, "due": operation[2], "status": InvoiceStatus.RECEIVED})
        return
    if not made["invoices"]:
        return
    n = operation[1] % len(made["invoices"])
    invoice, state = made["invoices"][n], model.invoices[n]
    allowed = {
        "check": {InvoiceStatus.RECEIVED},
        "negotiate": {InvoiceStatus.RECEIVED, InvoiceStatus.CHECKED, InvoiceStatus.NEGOTIATED},
        "pay": {InvoiceStatus.CHECKED, InvoiceStatus.NEGOTIATED},
        "write-off": {InvoiceStatus.RECEIVED, InvoiceStatus.CHECKED, InvoiceStatus.NEGOTIATED},
    }[kind]
    target = {
        "check": InvoiceStatus.CHECKED,
        "negotiate": InvoiceStatus.NEGOTIATED,
        "pay": InvoiceStatus.PAID,
        "write-off": InvoiceStatus.WRITTEN_OFF,
    }[kind]
    new_due = None
    if kind == "negotiate":
        new_due = (state["due"] * operation[2] / 100).quantize(Decimal("0.01"))
    valid = state["status"] in allowed and (new_due is None or new_due < state["due"])
    if not valid:
        with pytest.raises(services.ReferralConflict):
            services.invoice_step(actor=actor, invoice=invoice, action=kind, amount_due=new_due)
        return
    services.invoice_step(actor=actor, invoice=invoice, action=kind, amount_due=new_due)
    state["status"] = target
    if new_due is not None:
        state["due"] = new_due


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(budget=amounts, steps=operations)
def test_fund_figures_add_up_for_any_sequence(coordinator, budget, steps):
    fund = FundFactory()
    give_budget(fund, str(budget), by=coordinator)
    referral = ReferralFactory(followed_by=coordinator)
    model = Model(budget=budget)
    made: dict[str, list] = {"guarantees": [], "invoices": []}
    period = fund.current_period()

    for operation in steps:
        before = ledger.period_figures(fund, period)
        run(operation, fund, referral, model, coordinator, made)
        figures = ledger.period_figures(fund, period)

        # budget = reserved + spent + left, each figure as defined
        assert figures.budget == figures.reserved + figures.spent + figures.left
        assert figures.budget.amount == budget
        assert figures.reserved.amount == model.reserved()
        assert figures.invoiced.amount == model.invoiced()
        assert figures.paid.amount == model.paid()
        assert figures.left.amount == model.left()
        assert Money.zero("CHF") <= figures.paid <= figures.invoiced
        assert figures.reserved.amount >= 0
        # Paying or checking an invoice moves no money between reserved, spent and left.
        if operation[0] in ("check", "pay"):
            assert figures.left == before.left

    [(_fund, current, summary)] = ledger.funds_with_current_figures(
        Fund.objects.filter(pk=fund.pk), period.start
    )
    assert current == period
    assert summary == ledger.period_figures(fund, period)


def test_a_write_off_within_the_limit_returns_the_money_to_the_guarantee(coordinator):
    fund = FundFactory()
    give_budget(fund, "1000.00", by=coordinator)
    referral = ReferralFactory(followed_by=coordinator)
    guarantee = services.guarantee_issue(
        actor=coordinator, referral=referral, fund=fund, amount=Decimal("400.00")
    )
    invoice = services.invoice_record(
        actor=coordinator, guarantee=guarantee, amount=Decimal("250.00"), invoice_date=date.today()
    )
    period = fund.current_period()
    figures = ledger.period_figures(fund, period)
    assert (figures.reserved.amount, figures.invoiced.amount, figures.left.amount) == (
        Decimal("150.00"),
        Decimal("250.00"),
        Decimal("600.00"),
    )

    services.invoice_step(actor=coordinator, invoice=invoice, action="write-off")
    figures = ledger.period_figures(fund, period)

    # The guarantee still stands for the whole 400 until it is closed.
    assert (figures.reserved.amount, figures.invoiced.amount, figures.left.amount) == (
        Decimal("400.00"),
        Decimal("0.00"),
        Decimal("600.00"),
    )
    services.guarantee_close(actor=coordinator, guarantee=guarantee)
    assert ledger.period_figures(fund, period).left.amount == Decimal("1000.00")


def test_figures_belong_to_the_period_the_guarantee_was_issued_in(coordinator, time_machine):
    fund = FundFactory(period_kind="month")
    referral = ReferralFactory(followed_by=coordinator)
    time_machine.move_to("2025-03-31 12:00+02:00")
    give_budget(fund, "500.00", by=coordinator)
    march = services.guarantee_issue(
        actor=coordinator, referral=referral, fund=fund, amount=Decimal("300.00")
    )
    time_machine.move_to("2025-04-02 12:00+02:00")
    give_budget(fund, "100.00", by=coordinator)
    services.invoice_record(
        actor=coordinator, guarantee=march, amount=Decimal("120.00"), invoice_date=date(2025, 4, 1)
    )

    march_figures = ledger.period_figures(fund, Period("month", date(2025, 3, 1)))
    april_figures = ledger.period_figures(fund, Period("month", date(2025, 4, 1)))

    assert march_figures.invoiced.amount == Decimal("120.00")
    assert march_figures.reserved.amount == Decimal("180.00")
    assert march_figures.left.amount == Decimal("200.00")
    assert april_figures.left.amount == Decimal("100.00")
    assert april_figures.guarantees == 0
