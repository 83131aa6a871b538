"""Erasure (crypto-shredding) and the retention rule."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from casework.erasure import ErasureReason, apply_retention, client_erase
from casework.models import Client
from core.crypto import KeyDestroyed
from core.models import AuditEntry, DataKey
from tests.factories import ClientFactory, VisitFactory

pytestmark = pytest.mark.django_db


def test_erasure_destroys_the_key_and_keeps_coarse_facts(coordinator):
    client = ClientFactory(name="Amina Diallo", phone="079 123 45 67", gender="female")
    key_id, client_id = client.data_key_id, client.pk

    assert client_erase(client=client, actor=coordinator, reason=ErasureReason.REQUEST)

    assert not DataKey.objects.filter(pk=key_id).exists()
    erased = Client.objects.get(pk=client_id)
    assert erased.is_erased and erased.code is None
    assert erased.name_index == erased.phone_index == ""
    assert erased.gender == "female"
    with pytest.raises(KeyDestroyed):
        erased.get_data_key()
    entry = AuditEntry.objects.get(action="casework.client.erased", object_ref=str(client_id))
    assert entry.details == {"reason": "request"}
    assert not client_erase(client=erased, actor=coordinator, reason=ErasureReason.REQUEST)


def monthly_counts() -> list[dict]:
    return list(
        Client.objects.values("registered_at__year", "registered_at__month", "gender")
        .annotate(n=Count("pk"))
        .order_by("registered_at__year", "registered_at__month", "gender")
    )


def test_retention_erases_exactly_the_clients_past_the_limit(settings):
    settings.RETENTION_DAYS = 365
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=400), tick=False):
        stale = ClientFactory(gender="male", name="Old Visitor")
    with time_machine.travel(start - timedelta(days=360), tick=False):
        recent = ClientFactory(gender="female", name="Recent Visitor")
    with time_machine.travel(start - timedelta(days=366), tick=False):
        just_past = ClientFactory(gender="female")
    before = monthly_counts()

    with time_machine.travel(start, tick=False):
        assert apply_retention() == 2

    assert Client.objects.get(pk=stale.pk).is_erased
    assert Client.objects.get(pk=just_past.pk).is_erased
    kept = Client.objects.get(pk=recent.pk)
    assert not kept.is_erased and kept.name == "Recent Visitor"
    assert monthly_counts() == before
    reasons = AuditEntry.objects.filter(action="casework.client.erased").values_list(
        "details", flat=True
    )
    assert list(reasons) == [{"reason": "retention"}] * 2


def test_retention_dry_run_lists_and_changes_nothing(settings, capsys):
    settings.RETENTION_DAYS = 90
    with time_machine.travel(timezone.now() - timedelta(days=100), tick=False):
        stale = ClientFactory()
    ClientFactory()

    call_command("retention", "--dry-run")

    out = capsys.readouterr().out
    assert stale.display_code in out
    assert "1 client(s) would be erased" in out
    assert not Client.objects.filter(erased_at__isnull=False).exists()
    call_command("retention")
    assert Client.objects.filter(erased_at__isnull=False).count() == 1


@pytest.mark.parametrize(
    ("days", "ok"), [("30", False), ("89", False), ("90", True), ("3651", False)]
)
def test_retention_setting_has_bounds(days, ok):
    env = {**os.environ, "DEBUG": "true", "RETENTION_DAYS": days}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode == 0) == ok
    if not ok:
        assert "RETENTION_DAYS must be between 90 and 3650" in result.stderr


def test_erasure_also_retires_the_codes_of_merged_duplicates(coordinator, site_a):
    from casework.merge import client_merge

    survivor = ClientFactory(registered_site=site_a)
    duplicate = ClientFactory(registered_site=site_a)
    client_merge(duplicate=duplicate, survivor=survivor, actor=coordinator)
    assert Client.objects.get(pk=duplicate.pk).code is not None

    client_erase(client=survivor, actor=coordinator, reason=ErasureReason.REQUEST)

    assert Client.objects.get(pk=duplicate.pk).code is None


def test_retention_leaves_the_reports_of_past_months_unchanged(settings, site_a):
    """Erasure shreds the person, not the counts: a month's published report reads the same."""
    from reporting import build_report
    from reporting.presentation import report_csv

    settings.RETENTION_DAYS = 365
    now = timezone.now()
    long_ago = (now - timedelta(days=500)).date()
    with time_machine.travel(now - timedelta(days=500), tick=False):
        for n in range(12):
            visit = VisitFactory(
                date=long_ago,
                client__registered_site=site_a,
                client__gender="female" if n % 3 else "male",
            )
        month = f"{long_ago:%Y-%m}"
        before = report_csv(build_report(month))

    with time_machine.travel(now, tick=False):
        assert apply_retention() == 12

    assert Client.objects.get(pk=visit.client_id).is_erased
    after = report_csv(build_report(month))
    assert after == before
    assert "Key figures,Visits,Number,12\r\n" in after
    assert f"Visits by site,{site_a.name},Visits,12\r\n" in after
