"""Every casework URL against the cast: anonymous, wrong role, other site, wrong method."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _urls(client_a, visit_a, reminder_a) -> dict[str, tuple[str, str, set[str]]]:
    """name -> (url, allowed methods, roles). Client-bound URLs are of a site-A client."""
    code = client_a.code
    case = {"counsellor", "coordinator"}
    return {
        "search": (reverse("casework:search"), "GET POST", case),
        "today": (reverse("casework:today"), "GET", case),
        "client_create": (reverse("casework:client_create"), "GET POST", case),
        "client": (reverse("casework:client", args=[code]), "GET", case),
        "client_edit": (reverse("casework:client_edit", args=[code]), "GET POST", case),
        "client_card": (reverse("casework:client_card", args=[code]), "GET", case),
        "client_record": (reverse("casework:client_record", args=[code]), "GET", case),
        "needs_assess": (reverse("casework:needs_assess", args=[code]), "GET POST", case),
        "visit_create": (reverse("casework:visit_create", args=[code]), "GET POST", case),
        "client_merge": (
            reverse("casework:client_merge", args=[code]),
            "GET POST",
            {"coordinator"},
        ),
        "client_erase": (
            reverse("casework:client_erase", args=[code]),
            "GET POST",
            {"coordinator"},
        ),
        "visit_quick": (reverse("casework:visit_quick"), "GET POST", case),
        "visit_edit": (reverse("casework:visit_edit", args=[visit_a.pk]), "GET POST", case),
        "reminders": (reverse("casework:reminders"), "GET", case),
        "reminder_settings": (reverse("casework:reminder_settings"), "POST", case),
        "reminder_done": (reverse("casework:reminder_done", args=[reminder_a.pk]), "POST", case),
        "reminder_dismiss": (
            reverse("casework:reminder_dismiss", args=[reminder_a.pk]),
            "POST",
            case,
        ),
        "topics": (reverse("casework:topics"), "GET POST", {"coordinator"}),
        "topic_edit": (
            reverse("casework:topic_edit", args=["health"]),
            "GET POST",
            {"coordinator"},
        ),
    }


# URLs about one site-A object: another site's counsellor gets 404 there.
SITE_BOUND = {
    "client",
    "client_edit",
    "client_card",
    "client_record",
    "needs_assess",
    "visit_create",
    "visit_edit",
    "reminder_done",
    "reminder_dismiss",
}


def _call(http, method: str, url: str):
    return getattr(http, method.lower())(url)


def test_every_casework_url_is_in_this_matrix(client_a, visit_a, reminder_a):
    from django.urls import URLPattern

    from casework.urls import urlpatterns

    # The address service's URLs (an include) have their own access tests.
    names = {pattern.name for pattern in urlpatterns if isinstance(pattern, URLPattern)}
    assert names == set(_urls(client_a, visit_a, reminder_a))


def test_anonymous_visitors_are_sent_to_log_in(anonymous_client, client_a, visit_a, reminder_a):
    for url, methods, _roles in _urls(client_a, visit_a, reminder_a).values():
        method = methods.split()[0]
        response = _call(anonymous_client, method, url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url


@pytest.mark.parametrize("persona", ["reporting_client", "administrator_client"])
def test_roles_without_case_data_are_refused(request, persona, client_a, visit_a, reminder_a):
    http = request.getfixturevalue(persona)
    for url, methods, _roles in _urls(client_a, visit_a, reminder_a).values():
        for method in methods.split():
            assert _call(http, method, url).status_code == 403, (method, url)


def test_counsellors_cannot_use_coordinator_pages(
    counsellor_a_client, client_a, visit_a, reminder_a
):
    for url, methods, roles in _urls(client_a, visit_a, reminder_a).values():
        if roles == {"coordinator"}:
            for method in methods.split():
                assert _call(counsellor_a_client, method, url).status_code == 403, (method, url)


def test_another_sites_counsellor_gets_404(counsellor_b_client, client_a, visit_a, reminder_a):
    for name, (url, methods, _roles) in _urls(client_a, visit_a, reminder_a).items():
        if name in SITE_BOUND:
            for method in methods.split():
                assert _call(counsellor_b_client, method, url).status_code == 404, (method, url)


def test_wrong_methods_get_405(coordinator_client, client_a, visit_a, reminder_a):
    for url, methods, _roles in _urls(client_a, visit_a, reminder_a).values():
        for method in {"GET", "POST", "PUT", "DELETE"} - set(methods.split()):
            assert _call(coordinator_client, method, url).status_code == 405, (method, url)


def test_get_pages_render_for_their_roles(
    counsellor_a_client, coordinator_client, client_a, visit_a, reminder_a
):
    for url, methods, roles in _urls(client_a, visit_a, reminder_a).values():
        if "GET" not in methods.split():
            continue
        if "counsellor" in roles:
            assert counsellor_a_client.get(url).status_code == 200, url
        assert coordinator_client.get(url).status_code == 200, url
