"""Every URL needs a log-in and MFA, except a reviewed list of public routes.

The test walks the whole URL resolver — our apps, allauth and the admin — so a URL added later
is covered without anyone remembering to write a test for it. A new public view fails here
until it is reviewed and added to PUBLIC_ROUTES with the reason it may be public.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

from core.middleware import MFA_ENROLMENT_URL_NAMES
from tests.factories import TEST_PASSWORD, UserFactory

# The reviewed allow-list: URL name (or route, for unnamed patterns) → why it may be public.
PUBLIC_ROUTES = {
    "account_login": "the log-in form",
    "mfa_authenticate": "second step of log-in; allauth admits only a pending log-in stage",
    "mfa_login_webauthn": "log-in with a passkey",
    "account_logout": "ends a session; does nothing for a visitor who has none",
    "account_inactive": "tells a deactivated account why it cannot log in",
    "account_signup": "says sign-up is closed (AccountAdapter.is_open_for_signup)",
    "account_reset_password": "asks for a password-reset e-mail",
    "account_reset_password_done": "says the reset e-mail was sent",
    "account_reset_password_from_key": "the link in the reset e-mail",
    "account_reset_password_from_key_done": "says the password was reset",
    "account_confirm_login_code": "log-in-by-code stage; the feature is off, it sends to log-in",
    "account_email_verification_sent": "allauth information page; e-mail verification is off",
    "account_confirm_email": "the link in an e-mail-confirmation message",
    "core:invitation_accept": "an invitee has no account yet; the one-time token admits them",
    "admin:login": "sends visitors to allauth's log-in (secure_admin_login)",
    "healthz": "for load balancers; says only ok or unavailable",
    "set_language": "choosing the interface language, also on the log-in page",
}

# Patterns that an earlier pattern of the same path hides, so no request can reach them.
SHADOWED_ROUTES = {
    "mfa_remove_webauthn": "core.views_mfa.remove_webauthn guards this path first",
}

# Sample values to build a concrete URL from a pattern.
CONVERTER_SAMPLES = {
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "path": "1",
    "uuid": str(uuid.UUID(int=1)),
}
REGEX_GROUP_SAMPLES = {
    "app_label": "core",
    "uidb36": "1",
    "key": "sample-key",
    "url": "no-such-page/",
}
_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


@dataclass(frozen=True)
class Route:
    key: str
    path: str
    callback: Callable[..., Any]

    @property
    def is_public(self) -> bool:
        return getattr(self.callback, "login_required", True) is False


def _sample(pattern: Any) -> str:
    text = str(pattern)
    if isinstance(pattern, RoutePattern):
        return _CONVERTER.sub(lambda m: CONVERTER_SAMPLES[m.group("converter") or "str"], text)
    text = _REGEX_GROUP.sub(lambda m: REGEX_GROUP_SAMPLES.get(m.group("name"), "1"), text)
    return text.lstrip("^").rstrip("$").replace("\\", "")


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + _sample(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            path = "/" + prefix + _sample(entry.pattern)
            key = f"{namespace}{entry.name}" if entry.name else path
            yield Route(key=key, path=path, callback=entry.callback)


ROUTES = list(_walk(get_resolver().url_patterns))
REACHABLE = [route for route in ROUTES if route.key not in SHADOWED_ROUTES]


def test_the_walk_finds_ours_allauths_and_the_admins():
    keys = {route.key for route in ROUTES}
    assert {"home", "core:user_list", "account_login", "mfa_index", "admin:index"} <= keys


@pytest.mark.parametrize("route", REACHABLE, ids=lambda route: route.key)
def test_each_sample_url_reaches_its_own_view(route):
    """Guards the walk itself: if this fails, add a sample value above."""
    try:
        match = resolve(route.path)
    except Resolver404:
        pytest.fail(f"{route.path} does not resolve; add a sample for {route.key}")
    assert match.func is route.callback, f"{route.path} reaches another view than {route.key}"


@pytest.mark.parametrize("key", sorted(SHADOWED_ROUTES))
def test_shadowed_routes_are_really_shadowed(key):
    [route] = [route for route in ROUTES if route.key == key]
    assert resolve(route.path).func is not route.callback


def test_public_views_are_exactly_the_reviewed_ones():
    public = {route.key for route in REACHABLE if route.is_public}
    unreviewed = public - PUBLIC_ROUTES.keys()
    stale = PUBLIC_ROUTES.keys() - public
    assert not unreviewed, f"public views not in PUBLIC_ROUTES: {sorted(unreviewed)}"
    assert not stale, f"PUBLIC_ROUTES names views that are not public: {sorted(stale)}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in REACHABLE if not r.is_public], ids=lambda route: route.key
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_log_in(route, method):
    response = getattr(Client(), method)(route.path, follow=True)
    # The admin's pages go by way of its own log-in URL, which hands over to allauth's.
    assert response.redirect_chain, route.key
    final = urlsplit(response.redirect_chain[-1][0])
    assert final.path == reverse("account_login"), route.key
    assert parse_qs(final.query)["next"] == [route.path], route.key
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in REACHABLE if r.is_public], ids=lambda r: r.key)
def test_public_views_answer_anonymous_visitors_without_error(route):
    assert Client().get(route.path).status_code < 500


@pytest.fixture
def unenrolled_client(db: None) -> Client:
    """Signed in with the password, without any second factor yet."""
    user = UserFactory(with_totp=False)
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert "_auth_user_id" in client.session
    return client


def test_the_enrolment_allow_list_names_real_routes():
    keys = {route.key for route in ROUTES}
    assert set(MFA_ENROLMENT_URL_NAMES) <= keys


@pytest.mark.django_db
def test_without_mfa_every_url_but_enrolment_sends_to_enrolment(unenrolled_client):
    enrolment = set(MFA_ENROLMENT_URL_NAMES)
    for route in REACHABLE:
        if route.key in enrolment:
            continue
        for method in (unenrolled_client.get, unenrolled_client.post):
            response = method(route.path)
            assert response.status_code == 302, route.key
            assert response["Location"] == reverse("mfa_index"), route.key
