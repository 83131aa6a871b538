"""The partial and single-purpose indexes that `make bench` showed were needed stay usable.

A partial index serves a query only while the query's filter implies the index's condition: a
harmless-looking change to `open()` or to a status list would quietly send the navigation
badge or the desk back to reading whole tables (docs/performance.md, "What was fixed"). With
sequential scans priced out, PostgreSQL picks such an index if, and only if, it can use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from casework.models import Reminder
from casework.models.addresses import MailItem
from referrals.dashboard import overdue_outcomes_query, waiting_invoices_query
from reporting.periods import ReportPeriod
from reporting.queries import visits_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

CASES: dict[str, tuple[Callable[[Any], Any], str]] = {
    "the reminder badge, on every page": (
        lambda user: Reminder.objects.for_user(user).open().delivered(),
        "casework_reminder_open",
    ),
    "the desk's waiting invoices": (
        lambda _user: waiting_invoices_query()[:50],
        "referrals_waiting_invoice",
    ),
    "the desk's referrals without an outcome": (
        lambda _user: overdue_outcomes_query(timezone.now())[:50],
        "referrals_open_appointment",
    ),
    "the mail desk's letters waiting": (
        lambda _user: MailItem.objects.waiting().urgent_first()[:50],
        "mail_item_waiting",
    ),
    "a month's visits, for the report": (
        lambda _user: visits_in(ReportPeriod.last_month()).values("site_id"),
        "casework_visit_date",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_the_query_can_use_its_index(case, counsellor_a):
    query, index = CASES[case]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")

    plan = query(counsellor_a).explain()

    assert index in plan, plan
