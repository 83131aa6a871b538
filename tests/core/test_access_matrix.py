"""Role-by-view matrix: every URL of the project against the whole cast.

Each URL is asked for with real objects of site A (tests/core/routes.py), once by each persona:
counsellors of site A and B, a coordinator, a reporting user, an administrator and an anonymous
visitor. A URL the matrix does not know fails the first test until someone decides who may
reach it.
"""

from __future__ import annotations

import pytest

from tests.core.routes import (
    ACCESS,
    PERSONAS,
    ROUTE_KEYS,
    build_world,
    expected,
    method_for,
    outcome,
    url_for,
)
from tests.core.test_urls import REACHABLE


def test_every_url_is_in_the_matrix():
    unknown = set(ROUTE_KEYS) - ACCESS.keys()
    stale = ACCESS.keys() - set(ROUTE_KEYS)
    assert not unknown, f"decide who may reach these URLs, in tests/core/routes.py: {unknown}"
    assert not stale, f"the matrix names URLs that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", REACHABLE, ids=lambda route: route.key)
def test_who_reaches_each_url(request, route, site_a, counsellor_a, coordinator, administrator):
    world = build_world(site_a, counsellor_a, coordinator, administrator)
    url = url_for(route, world)
    method = method_for(route)
    got, want = {}, {}
    for persona in PERSONAS:
        http = request.getfixturevalue(f"{persona}_client")
        got[persona], _response = outcome(http, method, url)
        want[persona] = expected(route.key, persona)
    assert got == want, f"{method.upper()} {url}"
