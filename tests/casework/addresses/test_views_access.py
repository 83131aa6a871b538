"""Every address-service URL against the personas: login, role, site scope, method."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from tests.casework.addresses.conftest import letter

pytestmark = pytest.mark.django_db


@dataclass
class Route:
    url: str
    methods: tuple[str, ...]
    # A site-A object in the URL: a counsellor of site B gets 404 for it.
    scoped: bool = False
    coordinator_only: bool = False


@pytest.fixture
def routes(assignment_a, address_a, coordinator, other_person):
    from casework.services_addresses import waitlist_add

    item = letter(assignment_a, coordinator)
    entry = waitlist_add(client=other_person, address=address_a, actor=coordinator)
    code = assignment_a.client.code
    return {
        "desk": Route(reverse("casework:address_desk"), ("GET",)),
        "mail_log": Route(reverse("casework:address_mail_log"), ("GET", "POST")),
        "mail_detail": Route(
            reverse("casework:address_mail_detail", args=[item.pk]), ("GET",), scoped=True
        ),
        "hand_over": Route(
            reverse("casework:address_mail_hand_over", args=[item.pk]), ("GET", "POST"), True
        ),
        "return": Route(
            reverse("casework:address_mail_return", args=[item.pk]), ("GET", "POST"), True
        ),
        "lookup": Route(reverse("casework:address_client_lookup"), ("GET",)),
        "client": Route(reverse("casework:address_client", args=[code]), ("GET",), True),
        "assign": Route(reverse("casework:address_assign", args=[code]), ("GET", "POST"), True),
        "waitlist_add": Route(
            reverse("casework:address_waitlist_add", args=[code]), ("POST",), True
        ),
        "renew": Route(
            reverse("casework:address_assignment_renew", args=[assignment_a.pk]),
            ("GET", "POST"),
            True,
        ),
        "end": Route(
            reverse("casework:address_assignment_end", args=[assignment_a.pk]),
            ("GET", "POST"),
            True,
        ),
        "letter": Route(
            reverse("casework:address_assignment_letter", args=[assignment_a.pk]), ("GET",), True
        ),
        "waitlist": Route(reverse("casework:address_waitlist"), ("GET",)),
        "withdraw": Route(
            reverse("casework:address_waitlist_withdraw", args=[entry.pk]), ("GET", "POST"), True
        ),
        "address_list": Route(reverse("casework:address_list"), ("GET",), coordinator_only=True),
        "address_create": Route(
            reverse("casework:address_create"), ("GET", "POST"), coordinator_only=True
        ),
        "address_slots": Route(
            reverse("casework:address_slots", args=[address_a.pk]), ("GET",), True
        ),
        "address_edit": Route(
            reverse("casework:address_edit", args=[address_a.pk]),
            ("GET", "POST"),
            True,
            coordinator_only=True,
        ),
    }


def _call(client, method: str, url: str):
    return getattr(client, method.lower())(url)


def test_anonymous_visitors_are_sent_to_log_in(anonymous_client, routes):
    for route in routes.values():
        for method in route.methods:
            response = _call(anonymous_client, method, route.url)
            assert response.status_code == 302, route.url
            assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["reporting_client", "administrator_client"])
def test_reporting_and_administrators_see_none_of_it(request, persona, routes):
    client = request.getfixturevalue(persona)
    for route in routes.values():
        for method in route.methods:
            assert _call(client, method, route.url).status_code == 403, (method, route.url)


def test_counsellors_do_not_manage_addresses(counsellor_a_client, routes):
    for route in routes.values():
        if route.coordinator_only:
            for method in route.methods:
                assert _call(counsellor_a_client, method, route.url).status_code == 403


def test_another_sites_objects_are_not_found(counsellor_b_client, routes):
    for name, route in routes.items():
        if route.scoped and not route.coordinator_only:
            for method in route.methods:
                response = _call(counsellor_b_client, method, route.url)
                assert response.status_code == 404, (name, method)


def test_the_sites_own_counsellor_and_coordinators_may_open_every_page(
    counsellor_a_client, coordinator_client, routes
):
    for name, route in routes.items():
        if "GET" not in route.methods or name == "lookup":
            continue
        if not route.coordinator_only:
            assert counsellor_a_client.get(route.url).status_code == 200, name
        assert coordinator_client.get(route.url).status_code == 200, name


def test_wrong_methods_are_refused(coordinator_client, routes):
    for name, route in routes.items():
        wrong = "PUT" if "POST" in route.methods else "POST"
        if route.methods == ("POST",):
            wrong = "GET"
        assert _call(coordinator_client, wrong, route.url).status_code == 405, name


def test_navigation_shows_the_desk_to_desk_roles_only(
    counsellor_a_client, coordinator_client, reporting_client
):
    desk = reverse("casework:address_desk")
    addresses = reverse("casework:address_list")
    counsellor_home = counsellor_a_client.get(reverse("home")).content.decode()
    coordinator_home = coordinator_client.get(reverse("home")).content.decode()
    reporting_home = reporting_client.get(reverse("home")).content.decode()
    assert desk in counsellor_home and addresses not in counsellor_home
    assert desk in coordinator_home and addresses in coordinator_home
    assert desk not in reporting_home
