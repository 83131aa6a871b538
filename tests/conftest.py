"""The cast of every access test, as in STYLE.md.

Personas: a counsellor of site A, a counsellor of site B, a coordinator, a reporting user,
an administrator, and an anonymous visitor. Each `*_client` fixture is a test client signed
in as that persona with MFA enrolled.
"""

from __future__ import annotations

import time

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from django.core.cache import cache
from django.test import Client

from core import crypto
from core.models import Site, User
from core.roles import Role
from tests.factories import SiteFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_key_rings():
    """Tests may change the key ring settings; parsed rings never leak into the next test."""
    crypto.reset_key_caches()
    yield
    crypto.reset_key_caches()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and used TOTP codes live in the cache; no test inherits them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_a(db: None) -> Site:
    return SiteFactory(name="Site A")


@pytest.fixture
def site_b(db: None) -> Site:
    return SiteFactory(name="Site B")


@pytest.fixture
def counsellor_a(site_a: Site) -> User:
    return UserFactory(email="counsellor.a@example.org", roles=[Role.COUNSELLOR], sites=[site_a])


@pytest.fixture
def counsellor_b(site_b: Site) -> User:
    return UserFactory(email="counsellor.b@example.org", roles=[Role.COUNSELLOR], sites=[site_b])


@pytest.fixture
def coordinator(db: None) -> User:
    return UserFactory(email="coordinator@example.org", roles=[Role.COORDINATOR])


@pytest.fixture
def reporting_user(db: None) -> User:
    return UserFactory(email="reporting@example.org", roles=[Role.REPORTING])


@pytest.fixture
def administrator(db: None) -> User:
    return UserFactory(email="admin@example.org", roles=[Role.ADMINISTRATOR], is_staff=True)


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    recently_reauthenticated(client, user)
    return client


def recently_reauthenticated(client: Client, user: User, *, seconds_ago: float = 0) -> None:
    """Record a fresh password check in the session, as allauth's re-authentication does, so
    that persona clients pass "sudo mode"; tests of sudo mode itself use a plain client, or
    a check `seconds_ago`."""
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time() - seconds_ago, "reauthenticated": True}
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


@pytest.fixture
def anonymous_client() -> Client:
    return Client()


@pytest.fixture
def counsellor_a_client(counsellor_a: User) -> Client:
    return _signed_in(counsellor_a)


@pytest.fixture
def counsellor_b_client(counsellor_b: User) -> Client:
    return _signed_in(counsellor_b)


@pytest.fixture
def coordinator_client(coordinator: User) -> Client:
    return _signed_in(coordinator)


@pytest.fixture
def reporting_client(reporting_user: User) -> Client:
    return _signed_in(reporting_user)


@pytest.fixture
def administrator_client(administrator: User) -> Client:
    return _signed_in(administrator)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _require_serialized_rollback(items)
    _skip_postgres_only(items)


def _skip_postgres_only(items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests are skipped, with the reason, when the suite runs on SQLite.

    CI runs the whole suite a second time against PostgreSQL, where none of them is skipped.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _require_serialized_rollback(items: list[pytest.Item]) -> None:
    """Every transactional test must restore the migrated data with serialized_rollback.

    A transactional test without it ends with a flush that re-runs post_migrate (content
    types, groups); the next test that restores the serialized data then collides with those
    rows — a failure that depends on test order, and so shows up only now and then.
    """
    wrong = [
        item.nodeid
        for item in items
        if (marker := item.get_closest_marker("django_db")) is not None
        and marker.kwargs.get("transaction")
        and not marker.kwargs.get("serialized_rollback")
    ]
    if wrong:
        raise pytest.UsageError(
            "Use django_db(transaction=True, serialized_rollback=True) in: " + ", ".join(wrong)
        )
