"""A counsellor at the desk: find a client by code, register someone new, log a visit with a
follow-up, print the client card — in a real browser, with accessibility checks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework import codes
from casework.models import Client, Reminder, Visit
from core.roles import Role
from tests.browser.conftest import axe_violations, format_violations, log_in, screenshot
from tests.factories import TEST_PASSWORD, ClientFactory, UserFactory, VisitFactory, give_totp

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
    known = ClientFactory(registered_site=site_a, pseudonym="Blue Heron")
    VisitFactory(client=known, site=site_a, counsellor=counsellor)
    return counsellor, secret, known


def test_counsellor_desk_journey(browser, live_server, page, desk):
    counsellor, secret, known = desk
    log_in(page, "desk@example.org", TEST_PASSWORD, secret)

    # Find a known client by code, typed the way people type it.
    page.goto("/clients/")
    page.get_by_label("Client code, name, phone or date of birth").fill(known.code.lower())
    page.get_by_role("button", name="Search").click()
    results = page.locator("#search-results")
    results.get_by_role("link", name=codes.display(known.code), exact=True).wait_for()
    screenshot(page, "desk-01-found-by-code")

    # Register someone new who gives no name.
    page.get_by_role("link", name="Register a new client").click()
    page.get_by_label("Pseudonym").fill("River Stone")
    page.get_by_role("button", name="Register", exact=True).click()
    page.wait_for_url("**/clients/*/")
    new_client = Client.objects.exclude(pk=known.pk).get()
    assert codes.display(new_client.code) in page.content()
    screenshot(page, "desk-02-registered")

    # Log a visit with a follow-up in a week.
    page.get_by_role("link", name="Log visit").click()
    page.get_by_label("Health").check()
    page.get_by_label("Notes").fill("Pain in the left knee since a fall.")
    page.get_by_role("combobox", name="Follow-up").select_option(label="See again")
    follow_up_on = timezone.localdate() + timedelta(days=7)
    page.get_by_label("Follow up on").fill(follow_up_on.isoformat())
    page.get_by_label("Follow up about").fill("Bring the hospital letter")
    screenshot(page, "desk-03-visit-form")
    page.get_by_role("button", name="Log visit").click()
    page.wait_for_url(f"**/clients/{new_client.code}/")
    visit = Visit.objects.get(client=new_client)
    assert [t.code for t in visit.topics.all()] == ["health"]
    reminder = Reminder.objects.get(client=new_client)
    assert reminder.due_at.date() == follow_up_on
    assert reminder.user == counsellor
    screenshot(page, "desk-04-visit-logged")

    # Print the card: the code and its QR code, the drop-in hours, nothing identifying.
    page.get_by_role("link", name="Print card").click()
    page.emulate_media(media="print")
    card = page.content()
    assert codes.display(new_client.code) in card
    assert "<svg" in card
    assert "River Stone" not in card
    screenshot(page, "desk-05-card-print")
    page.emulate_media(media="screen")

    state = page.context.storage_state()
    for url in [
        "/clients/",
        f"/clients/{new_client.code}/",
        f"/clients/{new_client.code}/visits/new/",
        f"/clients/{new_client.code}/card/",
    ]:
        found = axe_violations(browser, live_server, url, state)
        assert found == [], f"{url}: {format_violations(found)}"
    assert page.console_errors == []
