"""Every page, asked for over HTTPS by someone who may see it, carries the security headers.

The pages come from the URL walk (tests/core/test_urls.py) made concrete with real objects in
tests/core/routes.py, so a page added later is checked without anyone remembering it.
"""

from __future__ import annotations

import pytest

from tests.core.routes import (
    ACCESS,
    ADMINISTRATOR,
    ANONYMOUS,
    COORDINATOR,
    COUNSELLOR_A,
    REACHED,
    REPORTING,
    build_world,
    method_for,
    outcome,
    url_for,
)
from tests.core.test_urls import REACHABLE

GET_ROUTES = [route for route in REACHABLE if method_for(route) == "get"]
# Public pages as the public sees them; the others as staff who may open them.
PREFERENCE = (ANONYMOUS, COORDINATOR, COUNSELLOR_A, ADMINISTRATOR, REPORTING)


def _visitor(route_key: str) -> str:
    """Someone who may see the page; for the few pages nobody may see (the admin's "add
    account", say) the administrator, whose refusal page must carry the headers too."""
    allowed = ACCESS[route_key]
    return next((persona for persona in PREFERENCE if persona in allowed), ADMINISTRATOR)


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in policy.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
@pytest.mark.parametrize("route", GET_ROUTES, ids=lambda route: route.key)
def test_every_page_carries_the_security_headers(
    request, route, site_a, counsellor_a, coordinator, administrator
):
    world = build_world(site_a, counsellor_a, coordinator, administrator)
    persona = _visitor(route.key)
    http = request.getfixturevalue(f"{persona}_client")

    reached, response = outcome(http, "get", url_for(route, world), secure=True)
    if ACCESS[route.key]:
        assert reached == REACHED, (persona, response.status_code)
    headers = response.headers

    csp = _directives(headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert not any("unsafe" in value for values in csp.values() for value in values)
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert headers["X-Frame-Options"] == "DENY"
    hsts = dict(
        part.strip().partition("=")[::2] for part in headers["Strict-Transport-Security"].split(";")
    )
    assert int(hsts["max-age"]) >= 365 * 24 * 3600 and "includeSubDomains" in hsts
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    permissions = headers["Permissions-Policy"]
    assert {"camera=()", "microphone=()", "geolocation=()"} <= set(permissions.split(", "))
    if persona != ANONYMOUS:
        # Any page of a signed-in member of staff may show a person: never kept in a cache.
        assert "no-store" in headers["Cache-Control"].replace(" ", "").split(","), persona
