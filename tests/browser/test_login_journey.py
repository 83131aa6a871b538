"""Log in with TOTP, in a real browser, and check the first pages for accessibility."""

import pytest

from core.roles import Role
from tests.browser.conftest import axe_violations, format_violations, log_in, screenshot
from tests.factories import TEST_PASSWORD, UserFactory, give_totp

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_counsellor_logs_in_with_a_totp_code(page, site_a):
    counsellor = UserFactory(
        email="desk@example.org", roles=[Role.COUNSELLOR], sites=[site_a], with_totp=False
    )
    secret = give_totp(counsellor)

    log_in(page, "desk@example.org", TEST_PASSWORD, secret)

    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    screenshot(page, "login-01-home")
    assert page.console_errors == []


def test_a_wrong_code_is_refused(page, site_a):
    counsellor = UserFactory(email="desk@example.org", roles=[Role.COUNSELLOR], with_totp=False)
    give_totp(counsellor)

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("desk@example.org")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign In").click()

    assert "Incorrect code" in page.content()
    screenshot(page, "login-02-wrong-code")


def test_login_and_home_have_no_serious_accessibility_problems(browser, live_server, page, site_a):
    counsellor = UserFactory(email="desk@example.org", roles=[Role.COUNSELLOR], with_totp=False)
    secret = give_totp(counsellor)
    assert axe_violations(browser, live_server, "/accounts/login/", {"cookies": []}) == []

    log_in(page, "desk@example.org", TEST_PASSWORD, secret)
    state = page.context.storage_state()
    found = axe_violations(browser, live_server, "/", state)
    assert found == [], format_violations(found)
