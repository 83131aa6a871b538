"""The coordinators' referral desk."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import InvoiceStatus, Outcome, Status
from tests.referrals.factories import FundFactory, InvoiceFactory, ReferralFactory, give_budget
from tests.referrals.helpers import assert_login_redirect

pytestmark = pytest.mark.django_db

DESK = reverse("referrals:dashboard")


def test_only_coordinators_open_the_desk(
    anonymous_client, counsellor_a_client, reporting_client, administrator_client
):
    assert_login_redirect(anonymous_client.get(DESK))
    for client in (counsellor_a_client, reporting_client, administrator_client):
        assert client.get(DESK).status_code == 403


def test_wrong_method_is_refused(coordinator_client):
    assert coordinator_client.post(DESK).status_code == 405


def test_the_desk_shows_what_needs_attention(coordinator_client, coordinator, settings):
    settings.REFERRAL_OUTCOME_OVERDUE_DAYS = 14
    now = timezone.now()
    soon = ReferralFactory(status=Status.BOOKED, appointment_at=now + timedelta(days=6))
    ReferralFactory(status=Status.BOOKED, appointment_at=now + timedelta(days=8))
    ReferralFactory(status=Status.DRAFTED)
    overdue = ReferralFactory(status=Status.ATTENDED, appointment_at=now - timedelta(days=15))
    ReferralFactory(status=Status.BOOKED, appointment_at=now - timedelta(days=10))
    ReferralFactory(
        status=Status.CLOSED, outcome=Outcome.TREATED, appointment_at=now - timedelta(days=30)
    )
    fund = FundFactory(name="Health fund", low_balance_threshold=Decimal("500"))
    give_budget(fund, "1000.00", by=coordinator)
    waiting = InvoiceFactory(guarantee__fund=fund, amount_billed=Decimal("700.00"))
    InvoiceFactory(guarantee__fund=fund, status=InvoiceStatus.PAID)

    response = coordinator_client.get(DESK)

    context = response.context
    counts = {status: n for status, _label, n in context["status_counts"]}
    assert counts == {
        "drafted": 1 + 2,  # the two invoices' referrals are drafted too
        "sent": 0,
        "booked": 3,
        "attended": 1,
        "no-show": 0,
        "declined": 0,
        "cancelled": 0,
        "closed": 1,
    }
    assert [r.id for r in context["appointments"].rows] == [soon.id]
    assert [r.id for r in context["overdue"].rows] == [overdue.id]
    assert [i.id for i in context["invoices"].rows] == [waiting.id]
    [(shown_fund, _period, figures)] = context["funds"]
    assert shown_fund == fund
    # 700 billed on a 300 guarantee, 120 paid on another 300 one that still reserves 180.
    assert (figures.invoiced.amount, figures.reserved.amount) == (
        Decimal("820.00"),
        Decimal("180.00"),
    )
    assert figures.left.amount == Decimal("0.00")
    assert "low" in response.text
    assert soon.client.display_code in response.text


def test_the_overdue_delay_is_a_setting(coordinator_client, settings):
    late = ReferralFactory(status=Status.BOOKED, appointment_at=timezone.now() - timedelta(days=6))
    settings.REFERRAL_OUTCOME_OVERDUE_DAYS = 14
    assert coordinator_client.get(DESK).context["overdue"].rows == []

    settings.REFERRAL_OUTCOME_OVERDUE_DAYS = 5

    assert [r.id for r in coordinator_client.get(DESK).context["overdue"].rows] == [late.id]


def test_long_lists_are_cut_and_counted(coordinator_client, monkeypatch):
    from referrals import dashboard

    monkeypatch.setattr(dashboard, "LIST_LIMIT", 3)
    for days in range(1, 6):
        ReferralFactory(status=Status.BOOKED, appointment_at=timezone.now() + timedelta(days=days))

    appointments = coordinator_client.get(DESK).context["appointments"]

    assert (len(appointments.rows), appointments.total, appointments.more) == (3, 5, 2)


@pytest.mark.parametrize("count", [2, 20])
def test_the_desk_query_count_does_not_grow_with_rows(
    count, coordinator_client, coordinator, django_assert_max_num_queries
):
    now = timezone.now()
    for n in range(count):
        ReferralFactory(status=Status.BOOKED, appointment_at=now + timedelta(hours=n + 1))
        ReferralFactory(status=Status.NO_SHOW, appointment_at=now - timedelta(days=30 + n))
        give_budget(InvoiceFactory().guarantee.fund, "100", by=coordinator)
    coordinator_client.get(DESK)

    with django_assert_max_num_queries(12):
        response = coordinator_client.get(DESK)

    assert len(response.context["appointments"].rows) == count
    assert len(response.context["funds"]) == count
