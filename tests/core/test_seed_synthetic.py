from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from casework.models import Client, ClientSite, Reminder, Visit
from casework.models.addresses import MailItem, PostalAddress, SlotAssignment
from casework.models.visits import FollowUpFor
from casework.search import find_clients
from casework.synthetic import RECENT_DAYS
from core import crypto
from core.roles import Role
from referrals.ledger import period_figures
from referrals.models import (
    CostGuarantee,
    Fund,
    FundBudget,
    Invoice,
    Provider,
    Referral,
    ReferralEvent,
)
from referrals.periods import Period
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COUNTS = ["--clients", "40", "--visits", "200", "--referrals", "30", "--providers", "5"]
# Enough for every kind of provider, a few current slot holders and letters waiting.
LARGER = ["--clients", "600", "--visits", "3000", "--referrals", "600", "--providers", "30"]


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


def test_seeds_funds_with_guarantees_and_invoices_as_the_services_leave_them(settings):
    settings.DEBUG = True

    text = _seed(*LARGER)

    funds = list(Fund.objects.all())
    assert len(funds) == 4
    years = {b.period_start.year for b in FundBudget.objects.all()}
    assert years == set(range(timezone.localdate().year - 10, timezone.localdate().year + 1))
    assert FundBudget.objects.count() == 4 * len(years)
    guarantees = list(CostGuarantee.objects.select_related("referral__provider"))
    # About 15% of referrals, mostly to hospitals and specialists; one voucher code each.
    assert 45 <= len(guarantees) <= 135
    assert len({g.voucher_code for g in guarantees}) == len(guarantees)
    assert all(g.referral.provider.kind not in ("legal", "social") for g in guarantees)
    assert all(g.override_shortfall is None for g in guarantees)
    refused = [g for g in guarantees if g.referral.status in ("cancelled", "declined")]
    assert all(not g.is_open for g in refused)
    invoices = list(Invoice.objects.select_related("guarantee__referral"))
    assert invoices
    assert all(i.guarantee.referral.status in ("attended", "closed") for i in invoices)
    assert {i.status for i in invoices} & {"paid", "written-off"}
    # Every year has its budget, and the guarantees of the year use part of it.
    figures = [
        period_figures(fund, Period.containing(fund.period_kind, date(year, 1, 1)))
        for fund in funds
        for year in years
    ]
    assert all(f.budget.amount > 0 for f in figures)
    assert sum(f.invoiced.amount for f in figures) > 0
    assert f"{len(guarantees)} cost guarantees, {len(invoices)} invoices" in text


def test_seeds_the_address_service_one_holder_per_slot_and_sealed(settings):
    settings.DEBUG = True

    text = _seed(*LARGER)

    address = PostalAddress.objects.get()
    assert address.slots.count() == 45  # 5% of 600 clients hold one, and room for quarantine
    assignments = list(SlotAssignment.objects.select_related("client__data_key", "slot"))
    current = [a for a in assignments if a.is_active]
    assert current
    assert len(assignments) > len(current)
    holders = [a.slot_id for a in assignments if a.holds_slot]
    assert len(holders) == len(set(holders))
    for assignment in assignments:
        assert ClientSite.objects.filter(client=assignment.client, site=address.site).exists()
        assert assignment.name_on_letters
        if not assignment.is_active:
            assert assignment.quarantine_until >= assignment.ended_on
            assert assignment.holds_slot == assignment.in_quarantine()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name_on_letters FROM casework_slotassignment")
        stored = {row[0] for row in cursor.fetchall()}
    assert not stored & {a.name_on_letters for a in assignments}
    letters = list(MailItem.objects.select_related("assignment", "client__data_key"))
    assert {m.status for m in letters} == {"handed-over", "returned", "waiting"}
    assert any(m.urgent for m in letters)
    waiting = [m for m in letters if m.is_waiting]
    assert all(m.assignment.is_active for m in waiting)
    assert len(waiting) < len(letters) / 10
    assert all(m.note.startswith("Synthetic: ") for m in letters if m.note)
    assert f"{len(assignments)} assignments ({len(current)} current)" in text


def test_seeds_each_follow_up_reminder_as_the_dispatcher_and_staff_leave_it(settings):
    settings.DEBUG = True
    call_command("seed_synthetic", *LARGER, "--no-progress", stdout=io.StringIO())
    now = timezone.now()

    follow_ups = Visit.objects.exclude(follow_up_on=None)
    reminders = Reminder.objects.filter(kind="casework.visit.follow_up")
    assert reminders.count() == follow_ups.count() > 0
    for visit in follow_ups.select_related("counsellor", "site")[:200]:
        reminder = reminders.get(dedupe_key=visit.follow_up_dedupe_key)
        assert reminder.obj == visit and reminder.client_id == visit.client_id
        if visit.follow_up_for == FollowUpFor.ME:
            assert (reminder.user, reminder.site) == (visit.counsellor, None)
        else:
            assert (reminder.user, reminder.site) == (None, visit.site)
    # Not yet due: waiting for the dispatcher. Due: delivered, and seen to unless recent.
    assert not reminders.filter(due_at__gt=now).exclude(delivered_at=None).exists()
    assert not reminders.filter(due_at__lte=now, delivered_at=None).exists()
    long_ago = now - timedelta(days=RECENT_DAYS)
    assert not reminders.open().filter(due_at__lt=long_ago).exists()
    assert (
        reminders.filter(done_at__isnull=False).count()
        > reminders.filter(dismissed_at__isnull=False).count()
    )
    # Nothing both done and dismissed.
    assert not reminders.filter(done_at__isnull=False, dismissed_at__isnull=False).exists()
