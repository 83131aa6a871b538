"""Funds, budgets, cost guarantees and invoices: coordinators only."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import ledger
from referrals.models import CostGuarantee, Fund, FundBudget, Invoice, InvoiceStatus, Status
from referrals.models.funds import VOUCHER_ALPHABET, VOUCHER_LENGTH, new_voucher_code
from tests.referrals.factories import (
    CostGuaranteeFactory,
    FundFactory,
    InvoiceFactory,
    ReferralFactory,
    give_budget,
)
from tests.referrals.helpers import assert_login_redirect, audit_entries

pytestmark = pytest.mark.django_db

FUNDS = reverse("referrals:fund_list")
NEW_FUND = reverse("referrals:fund_create")
NEW_INVOICE = reverse("referrals:invoice_create")


@pytest.fixture
def fund(coordinator):
    fund = FundFactory(name="Health fund")
    give_budget(fund, "1000.00", by=coordinator)
    return fund


@pytest.fixture
def invoice(fund):
    return InvoiceFactory(guarantee__fund=fund)


def money_urls(fund: Fund, invoice: Invoice) -> list[str]:
    guarantee = invoice.guarantee
    return [
        FUNDS,
        NEW_FUND,
        NEW_INVOICE,
        reverse("referrals:fund_detail", args=[fund.id]),
        reverse("referrals:fund_edit", args=[fund.id]),
        reverse("referrals:guarantee_create", args=[guarantee.referral_id]),
        reverse("referrals:guarantee_detail", args=[guarantee.id]),
        reverse("referrals:guarantee_close", args=[guarantee.id]),
        reverse("referrals:invoice_step", args=[invoice.id, "check"]),
    ]


# --- who may open what -----------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(anonymous_client, fund, invoice):
    for url in money_urls(fund, invoice):
        assert_login_redirect(anonymous_client.get(url))


@pytest.mark.parametrize(
    "persona", ["counsellor_a_client", "reporting_client", "administrator_client"]
)
def test_only_coordinators_handle_money(persona, request, fund, invoice):
    client = request.getfixturevalue(persona)
    for url in money_urls(fund, invoice):
        assert client.get(url).status_code == 403
    budget = reverse("referrals:fund_budget", args=[fund.id, fund.current_period().slug])
    assert client.post(budget, {"amount": "5"}).status_code == 403
    assert client.post(money_urls(fund, invoice)[-1]).status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.RECEIVED


def test_unknown_objects_are_404(coordinator_client):
    missing = uuid.uuid4()
    for name in ("fund_detail", "fund_edit", "guarantee_create", "guarantee_detail"):
        assert (
            coordinator_client.get(reverse(f"referrals:{name}", args=[missing])).status_code == 404
        )


def test_wrong_methods_are_refused(coordinator_client, fund, invoice):
    assert coordinator_client.post(FUNDS).status_code == 405
    assert (
        coordinator_client.post(reverse("referrals:fund_detail", args=[fund.id])).status_code == 405
    )
    budget = reverse("referrals:fund_budget", args=[fund.id, "2025"])
    assert coordinator_client.get(budget).status_code == 405
    guarantee_page = reverse("referrals:guarantee_detail", args=[invoice.guarantee_id])
    assert coordinator_client.post(guarantee_page).status_code == 405
    assert coordinator_client.put(NEW_INVOICE).status_code == 405


# --- funds and budgets -----------------------------------------------------------------------


def test_a_coordinator_adds_a_fund(coordinator_client, coordinator):
    response = coordinator_client.post(
        NEW_FUND,
        {"name": "Dental fund", "currency": "eur", "period_kind": "month", "is_active": "on"},
    )

    fund = Fund.objects.get(name="Dental fund")
    assert response.status_code == 302
    assert (fund.currency, fund.period_kind) == ("EUR", "month")
    [entry] = audit_entries("referrals.fund.created", fund.id)
    assert entry.actor == coordinator


def test_a_bad_currency_is_refused(coordinator_client):
    response = coordinator_client.post(
        NEW_FUND, {"name": "Odd", "currency": "E1", "period_kind": "year"}
    )

    assert response.status_code == 200
    assert "currency" in response.context["form"].errors
    assert not Fund.objects.exists()


def test_currency_is_fixed_once_guarantees_exist(coordinator_client, invoice):
    fund = invoice.guarantee.fund

    response = coordinator_client.post(
        reverse("referrals:fund_edit", args=[fund.id]),
        {"name": fund.name, "currency": "USD", "period_kind": "month", "is_active": "on"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"currency", "period_kind"}
    fund.refresh_from_db()
    assert fund.currency == "CHF"


def test_setting_a_budget(coordinator_client, coordinator, fund):
    url = reverse("referrals:fund_budget", args=[fund.id, "2031"])

    response = coordinator_client.post(url, {"amount": "2500.50"})

    assert response.status_code == 302
    assert response["Location"].endswith("?period=2031")
    assert FundBudget.objects.get(fund=fund, period_start__year=2031).amount == Decimal("2500.50")
    [entry] = audit_entries("referrals.fund.budget_set", fund.id)
    assert entry.details == {"period": "2031", "amount": "2500.50", "new": True}


def test_a_negative_budget_is_refused(coordinator_client, fund):
    url = reverse("referrals:fund_budget", args=[fund.id, "2031"])

    response = coordinator_client.post(url, {"amount": "-1"}, follow=True)

    assert "zero or more" in response.text
    assert not FundBudget.objects.filter(period_start__year=2031).exists()


def test_a_bad_period_is_404(coordinator_client, fund):
    url = reverse("referrals:fund_detail", args=[fund.id])
    assert coordinator_client.get(url, {"period": "2025-03"}).status_code == 404  # a year fund
    assert coordinator_client.get(url, {"period": "soon"}).status_code == 404


def test_the_fund_page_shows_the_figures_and_the_guarantees(coordinator_client, fund, invoice):
    response = coordinator_client.get(reverse("referrals:fund_detail", args=[fund.id]))

    figures = response.context["figures"]
    assert figures == ledger.period_figures(fund, fund.current_period())
    assert (figures.budget.amount, figures.reserved.amount, figures.invoiced.amount) == (
        Decimal("1000.00"),
        Decimal("180.00"),
        Decimal("120.00"),
    )
    assert figures.left.amount == Decimal("700.00")
    assert str(figures.left) in response.text
    assert invoice.guarantee.voucher in response.text


@pytest.mark.parametrize("count", [2, 20])
def test_fund_pages_query_count_does_not_grow(
    count, coordinator_client, coordinator, django_assert_max_num_queries
):
    fund = FundFactory()
    for _ in range(count):
        InvoiceFactory(guarantee__fund=fund)
        FundFactory()
    coordinator_client.get(FUNDS)

    with django_assert_max_num_queries(9):
        coordinator_client.get(reverse("referrals:fund_detail", args=[fund.id]))
    with django_assert_max_num_queries(5):
        response = coordinator_client.get(FUNDS)

    assert len(response.context["funds"]) == count + 1


# --- cost guarantees -------------------------------------------------------------------------


def guarantee_url(referral) -> str:
    return reverse("referrals:guarantee_create", args=[referral.id])


def test_issuing_a_guarantee_within_the_budget(coordinator_client, coordinator, fund):
    referral = ReferralFactory(status=Status.SENT)

    response = coordinator_client.post(guarantee_url(referral), {"fund": fund.pk, "amount": "400"})

    guarantee = CostGuarantee.objects.get()
    assert response.status_code == 302
    assert guarantee.referral == referral
    assert guarantee.amount == Decimal("400.00")
    assert not guarantee.was_overridden
    assert guarantee.period_start == fund.current_period().start
    [entry] = audit_entries("referrals.guarantee.issued", guarantee.id)
    assert entry.details["override"] is False
    assert ledger.period_figures(fund, fund.current_period()).left.amount == Decimal("600.00")


def test_going_over_what_is_left_needs_an_explicit_override(coordinator_client, fund):
    referral = ReferralFactory(status=Status.SENT)

    refused = coordinator_client.post(guarantee_url(referral), {"fund": fund.pk, "amount": "1500"})

    assert refused.status_code == 200
    assert "CHF 1,000.00 is left" in refused.text
    assert not CostGuarantee.objects.exists()

    granted = coordinator_client.post(
        guarantee_url(referral), {"fund": fund.pk, "amount": "1500", "override": "on"}
    )

    guarantee = CostGuarantee.objects.get()
    assert granted.status_code == 302
    assert guarantee.override_shortfall == Decimal("500.00")
    [entry] = audit_entries("referrals.guarantee.override_granted", guarantee.id)
    assert entry.details == {"shortfall": "500.00", "currency": "CHF"}
    assert ledger.period_figures(fund, fund.current_period()).left.amount == Decimal("-500.00")


def test_no_guarantee_on_a_cancelled_referral(coordinator_client, fund):
    referral = ReferralFactory(status=Status.CANCELLED)

    response = coordinator_client.post(
        guarantee_url(referral), {"fund": fund.pk, "amount": "10"}, follow=True
    )

    assert "cannot get a cost guarantee" in response.text
    assert not CostGuarantee.objects.exists()


def test_voucher_codes_are_random_and_readable():
    codes = {new_voucher_code() for _ in range(2000)}

    assert len(codes) == 2000
    assert all(len(c) == VOUCHER_LENGTH and set(c) <= set(VOUCHER_ALPHABET) for c in codes)
    assert not set(VOUCHER_ALPHABET) & set("01ILO")


def test_closing_a_guarantee_releases_it(coordinator_client, coordinator, fund, invoice):
    guarantee = invoice.guarantee
    url = reverse("referrals:guarantee_close", args=[guarantee.id])

    assert "cannot be undone" in coordinator_client.get(url).text
    response = coordinator_client.post(url)

    assert response.status_code == 302
    guarantee.refresh_from_db()
    assert not guarantee.is_open
    assert guarantee.closed_by == coordinator
    assert audit_entries("referrals.guarantee.closed", guarantee.id)
    figures = ledger.period_figures(fund, fund.current_period())
    assert (figures.reserved.amount, figures.left.amount) == (Decimal("0.00"), Decimal("880.00"))

    again = coordinator_client.post(url, follow=True)
    assert "already closed" in again.text


# --- invoices --------------------------------------------------------------------------------


def test_recording_an_invoice_against_a_voucher(coordinator_client, coordinator, fund):
    guarantee = CostGuaranteeFactory(fund=fund)
    typed = guarantee.voucher.lower().replace("-", " ")

    response = coordinator_client.post(
        NEW_INVOICE,
        {
            "voucher": typed,
            "amount": "245.60",
            "invoice_date": timezone.localdate().isoformat(),
            "provider_reference": "R-2025-117",
        },
    )

    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert invoice.guarantee == guarantee
    assert (invoice.amount_billed, invoice.amount_due) == (Decimal("245.60"), Decimal("245.60"))
    assert invoice.status == InvoiceStatus.RECEIVED
    assert invoice.recorded_by == coordinator
    assert audit_entries("referrals.invoice.recorded", invoice.id)


def test_an_unknown_voucher_or_a_future_date_is_refused(coordinator_client):
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = coordinator_client.post(
        NEW_INVOICE, {"voucher": "ZZZZ-ZZZZ", "amount": "5", "invoice_date": tomorrow.isoformat()}
    )

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"voucher", "invoice_date"}
    assert not Invoice.objects.exists()


def step_url(invoice: Invoice, step: str) -> str:
    return reverse("referrals:invoice_step", args=[invoice.id, step])


def test_an_invoice_goes_checked_negotiated_paid(coordinator_client, invoice):
    assert coordinator_client.post(step_url(invoice, "check")).status_code == 302
    assert (
        coordinator_client.post(step_url(invoice, "negotiate"), {"amount_due": "90"}).status_code
        == 302
    )
    assert coordinator_client.post(step_url(invoice, "pay")).status_code == 302

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert (invoice.amount_billed, invoice.amount_due) == (Decimal("120.00"), Decimal("90.00"))
    for verb in ("checked", "negotiated", "paid"):
        assert audit_entries(f"referrals.invoice.{verb}", invoice.id)


def test_negotiating_up_is_refused(coordinator_client, invoice):
    response = coordinator_client.post(
        step_url(invoice, "negotiate"), {"amount_due": "150"}, follow=True
    )

    assert "must be lower" in response.text
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == (InvoiceStatus.RECEIVED, Decimal("120.00"))


def test_an_invalid_invoice_step_is_refused(coordinator_client, invoice):
    response = coordinator_client.post(step_url(invoice, "pay"), follow=True)

    assert "cannot take the step" in response.text
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.RECEIVED
    assert coordinator_client.get(step_url(invoice, "shred")).status_code == 404


def test_writing_off_asks_first_then_frees_the_money(coordinator_client, fund, invoice):
    assert "cannot be undone" in coordinator_client.get(step_url(invoice, "write-off")).text

    coordinator_client.post(step_url(invoice, "write-off"))

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.WRITTEN_OFF
    assert audit_entries("referrals.invoice.written_off", invoice.id)
    assert ledger.period_figures(fund, fund.current_period()).invoiced.amount == Decimal("0.00")
