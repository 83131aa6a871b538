"""The mail desk in a real browser: log a letter in one submit, hand it over, print a letter."""

import pytest

from casework.models.addresses import MailItem, MailStatus
from core.roles import Role
from tests.browser.conftest import axe_violations, format_violations, log_in, screenshot
from tests.casework.addresses.conftest import assign, make_address
from tests.factories import TEST_PASSWORD, ClientFactory, UserFactory, give_totp

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def desk(site_a):
    counsellor = UserFactory(
        email="desk@example.org", roles=[Role.COUNSELLOR], sites=[site_a], with_totp=False
    )
    secret = give_totp(counsellor)
    address = make_address(site_a, counsellor, name="Office", slots=5)
    holder = assign(ClientFactory(registered_site=site_a), address, counsellor, number=4)
    return counsellor, secret, holder


def test_a_letter_is_logged_and_handed_over(page, desk):
    _counsellor, secret, holder = desk
    log_in(page, "desk@example.org", TEST_PASSWORD, secret)

    page.get_by_role("link", name="Mail desk").click()
    page.get_by_label("Slot number or client code").fill("4")
    page.get_by_label("Court").check()
    page.get_by_label("Urgent").check()
    page.get_by_role("button", name="Log letter").click()

    assert "Letter logged for Box 4" in page.inner_text("main")
    assert page.get_by_label("Slot number or client code").evaluate(
        "el => el === document.activeElement"
    )
    screenshot(page, "mail-01-logged")
    item = MailItem.objects.get()
    assert item.assignment == holder and item.urgent

    page.get_by_role("link", name="Hand over").click()
    page.get_by_role("button", name="Mark as handed over").click()
    assert "No letters are waiting." in page.inner_text("main")
    item.refresh_from_db()
    assert item.status == MailStatus.HANDED_OVER
    assert page.console_errors == []


def test_a_wrong_slot_is_explained_on_a_phone(phone_page, desk):
    _counsellor, secret, _holder = desk
    log_in(phone_page, "desk@example.org", TEST_PASSWORD, secret)

    phone_page.goto("/address/")
    phone_page.get_by_label("Slot number or client code").fill("2")
    phone_page.get_by_label("Authority").check()
    phone_page.get_by_role("button", name="Log letter").click()

    assert "Box 2 is not assigned to anyone" in phone_page.inner_text("main")
    assert not MailItem.objects.exists()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone_page, "mail-02-wrong-slot-phone")


def test_the_confirmation_letter_prints_only_the_address(page, desk):
    _counsellor, secret, holder = desk
    log_in(page, "desk@example.org", TEST_PASSWORD, secret)

    page.goto(f"/address/assignment/{holder.pk}/letter/")
    page.emulate_media(media="print")
    printed = page.inner_text("body")

    lines = [line.strip() for line in printed.splitlines() if line.strip()]
    assert lines[0] == "Address confirmation"
    assert "Amina K." in lines
    assert "c/o Solidarity Association, Box 4" in lines
    assert "Main Street 1" in lines and "8000 Zurich" in lines
    assert lines[-1].startswith("Valid from")
    assert len(lines) == 7  # heading, sentence, four address lines, validity
    for absent in ("Print", "Log out", "desk@example.org", holder.client.display_code):
        assert absent not in printed
    screenshot(page, "mail-03-letter-print")


def test_desk_pages_have_no_serious_accessibility_problems(browser, live_server, page, desk):
    _counsellor, secret, holder = desk
    log_in(page, "desk@example.org", TEST_PASSWORD, secret)
    state = page.context.storage_state()
    for url in ("/address/", f"/address/client/{holder.client.code}/", "/address/mail/new/"):
        found = axe_violations(browser, live_server, url, state)
        assert found == [], (url, format_violations(found))
