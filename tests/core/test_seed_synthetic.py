from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from casework.models import Client, ClientSite, Visit
from casework.search import find_clients
from core import crypto
from core.roles import Role
from referrals.models import Provider, Referral, ReferralEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COUNTS = ["--clients", "40", "--visits", "200", "--referrals", "30", "--providers", "5"]


def _seed(*extra: str) -> str:
    out = io.StringIO()
    call_command("seed_synthetic", *COUNTS, "--no-progress", *extra, stdout=out)
    return out.getvalue()


def test_seeds_the_counts_asked_for_and_reports_the_rate(settings):
    settings.DEBUG = True

    text = _seed()

    assert Client.objects.count() == 40
    assert Visit.objects.count() == 200
    assert Referral.objects.count() == 30
    assert Provider.objects.count() == 5
    # Every client is known at the site of each of their visits.
    assert ClientSite.objects.count() >= 40
    assert ReferralEvent.objects.exists()
    assert "Seeded 40 clients, 200 visits, 30 referrals, 5 providers" in text
    assert "rows/s" in text


def test_identity_fields_are_sealed_and_open_with_the_key_ring(settings):
    settings.DEBUG = True
    _seed()

    named = [c for c in Client.objects.select_related("data_key") if c.name]
    assert named
    for client in named:
        assert client.name.split()[-1].startswith("Synth")
        assert client.data_key.master_key_id == crypto.master_ring().current_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM casework_client WHERE name <> ''")
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == len(named)
    assert not {c.name for c in named} & set(stored)
    noted = [v for v in Visit.objects.select_related("client__data_key") if v.notes]
    assert noted
    assert all(v.notes.startswith("Synthetic: ") for v in noted)


def test_a_seeded_client_is_found_by_name_through_the_blind_index(settings):
    settings.DEBUG = True
    _seed()
    wanted = next(c for c in Client.objects.select_related("data_key") if c.name)
    coordinator = UserFactory(roles=[Role.COORDINATOR])

    result = find_clients(coordinator, wanted.name.upper())

    assert result.kind == "name"
    assert wanted in result.clients


def test_prints_no_personal_value(settings):
    settings.DEBUG = True

    text = _seed()

    for client in Client.objects.select_related("data_key"):
        for value in (client.code, client.pseudonym, client.name, client.phone):
            if value:
                assert value not in text


def test_refuses_production_mode_unless_told_and_a_second_run(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=true"):
        _seed()
    assert not Client.objects.exists()

    _seed("--allow-production")
    assert Client.objects.count() == 40

    with pytest.raises(CommandError, match="already holds synthetic data"):
        _seed("--allow-production")
