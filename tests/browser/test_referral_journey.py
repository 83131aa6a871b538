"""A coordinator follows a referral with a cost guarantee from draft to the provider's invoice,
in a real browser, with accessibility checks on every page on the way."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.roles import Role
from referrals.models import CostGuarantee, Invoice, Referral, Status
from tests.browser.conftest import axe_violations, format_violations, log_in, screenshot
from tests.factories import TEST_PASSWORD, ClientFactory, UserFactory, give_totp
from tests.referrals.factories import FundFactory, ProviderFactory, give_budget

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def clearing_house(site_a):
    coordinator = UserFactory(
        email="clearing@example.org", roles=[Role.COORDINATOR], sites=[site_a], with_totp=False
    )
    secret = give_totp(coordinator)
    client = ClientFactory(registered_site=site_a, pseudonym="Grey Wagtail")
    ProviderFactory(name="Dr. Ana Lima")
    fund = FundFactory(name="Health fund")
    give_budget(fund, "1000.00", by=coordinator)
    return secret, client, fund


def _main(page) -> str:
    return page.inner_text("main")


def _take_step(page, name: str) -> None:
    page.get_by_role("link", name=name).click()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/referrals/*/")


def test_a_referral_with_a_cost_guarantee_goes_from_draft_to_invoice(
    browser, live_server, page, clearing_house
):
    secret, client, fund = clearing_house
    log_in(page, "clearing@example.org", TEST_PASSWORD, secret)
    visited: list[str] = []

    # From the client's timeline, draft a referral to a doctor.
    page.goto(f"/clients/{client.code}/")
    visited.append(page.url)
    page.get_by_role("link", name="Refer", exact=True).click()
    visited.append(page.url)
    page.get_by_label("Provider").select_option(label="Dr. Ana Lima")
    page.get_by_label("Reason").select_option(label="Chronic condition")
    page.get_by_label("Notes").fill("Knee pain since March; speaks Portuguese.")
    screenshot(page, "referral-01-form")
    page.get_by_role("button", name="Draft the referral").click()
    page.wait_for_url("**/referrals/*/")
    referral = Referral.objects.get()
    assert "Referral drafted." in _main(page)
    assert "Status: Drafted" in _main(page)
    visited.append(page.url)

    # Guarantee the costs against the health fund.
    page.get_by_role("link", name="Guarantee costs").click()
    visited.append(page.url)
    page.get_by_label("Fund").select_option(label="Health fund")
    page.get_by_label("Limit").fill("300")
    page.get_by_role("button", name="Issue the guarantee").click()
    guarantee = CostGuarantee.objects.get(referral=referral)
    assert f"Cost guarantee issued: voucher {guarantee.voucher}." in _main(page)
    screenshot(page, "referral-02-guaranteed")

    # Sent, appointment booked, attended: the status the coordinator reads follows each step.
    _take_step(page, "Mark as sent")
    assert "Status: Sent" in _main(page)
    page.get_by_role("link", name="Book or change the appointment").click()
    visited.append(page.url)
    appointment = timezone.localtime() + timedelta(days=3)
    page.get_by_label("Appointment").fill(appointment.strftime("%Y-%m-%dT10:30"))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/referrals/*/")
    assert "Status: Appointment booked" in _main(page)
    screenshot(page, "referral-03-booked")
    _take_step(page, "Mark as attended")
    assert "Status: Attended" in _main(page)
    referral.refresh_from_db()
    assert referral.status == Status.ATTENDED
    screenshot(page, "referral-04-attended")

    # Before the bill: the guarantee reserves its limit, the fund has the rest.
    page.goto("/referrals/funds/")
    visited.append(page.url)
    row = page.get_by_role("row").filter(has_text="Health fund")
    assert "CHF 300.00" in row.inner_text()  # reserved
    assert "CHF 700.00" in row.inner_text()  # left

    # The provider's bill arrives with the voucher code printed on it, written as people do.
    page.get_by_role("link", name="Record an invoice").click()
    visited.append(page.url)
    page.get_by_label("Voucher code").fill(guarantee.voucher.lower())
    page.get_by_label("Amount billed").fill("240")
    page.get_by_label("Invoice date").fill(timezone.localdate().isoformat())
    page.get_by_label("Provider's invoice number").fill("R-2041")
    screenshot(page, "referral-05-invoice-form")
    page.get_by_role("button", name="Record").click()
    page.wait_for_url(f"**/referrals/guarantees/{guarantee.id}/")
    visited.append(page.url)
    invoice = Invoice.objects.get()
    assert invoice.guarantee == guarantee and invoice.provider_reference == "R-2041"
    shown = _main(page)
    assert "Invoice recorded." in shown
    assert "R-2041" in shown
    assert "CHF 240.00" in shown
    assert "CHF 60.00" in shown  # still reserved under the limit
    screenshot(page, "referral-06-invoice-recorded")

    # The fund now counts the bill as spent; what is left is unchanged until the guarantee
    # is closed and its remaining reservation released.
    page.get_by_role("link", name="Health fund").click()
    visited.append(page.url)
    figures = page.get_by_role("table", name="Fund figures").inner_text()
    assert "Invoiced (spent)\tCHF 240.00" in figures
    assert "Left\tCHF 700.00" in figures
    screenshot(page, "referral-07-fund")

    page.goto(f"/referrals/guarantees/{guarantee.id}/")
    page.get_by_role("link", name="Close and release").click()
    visited.append(page.url)
    page.get_by_role("button", name="Close and release").click()
    page.goto(f"/referrals/funds/{fund.id}/")
    figures = page.get_by_role("table", name="Fund figures").inner_text()
    assert "Left\tCHF 760.00" in figures
    screenshot(page, "referral-08-released")

    state = page.context.storage_state()
    for url in dict.fromkeys(visited):
        found = axe_violations(browser, live_server, url, state)
        assert found == [], f"{url}: {format_violations(found)}"
    assert page.console_errors == []
