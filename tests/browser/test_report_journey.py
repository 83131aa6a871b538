"""The monthly report in a real browser: a small cell shows as "< 5", the page prints clean."""

import pytest

from core.roles import Role
from tests.browser.conftest import axe_violations, format_violations, log_in, screenshot
from tests.factories import TEST_PASSWORD, UserFactory, give_totp
from tests.reporting.conftest import MONTH, october  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def board_member(db):
    user = UserFactory(email="board@example.org", roles=[Role.REPORTING], with_totp=False)
    return give_totp(user)


def test_the_board_reads_the_monthly_report(browser, live_server, page, board_member, october):  # noqa: F811
    log_in(page, "board@example.org", TEST_PASSWORD, board_member)
    page.get_by_role("link", name="Reports").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Report:")

    page.goto(f"/reports/?period={MONTH}")
    sites = page.locator("#table-visits_by_site table")
    assert sites.get_by_role("row", name="Site B").inner_text().split("\t")[-1].strip() == "< 5"
    assert sites.get_by_role("row", name="Total").inner_text().split("\t")[-1].strip() == "14"
    assert page.locator("#table-visits_by_site svg .bar").count() == 2
    screenshot(page, "report-01-october")

    page.emulate_media(media="print")
    printed = page.inner_text("body")
    for absent in ("Download CSV", "Log out", "board@example.org"):
        assert absent not in printed
    screenshot(page, "report-02-print")
    page.emulate_media(media="screen")
    assert page.console_errors == []

    found = axe_violations(
        browser, live_server, f"/reports/?period={MONTH}", page.context.storage_state()
    )
    assert found == [], format_violations(found)
