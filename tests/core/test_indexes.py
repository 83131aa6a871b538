"""The partial and single-purpose indexes that `make bench` showed were needed stay usable.

A partial index serves a query only while the query's filter implies the index's condition: a
harmless-looking change to `open()` or to a status list would quietly send the navigation
badge or the desk back to reading whole tables (docs/performance.md, "What was fixed"). With
sequential scans priced out and the table's other indexes dropped (inside the test's
transaction, so they come back), PostgreSQL uses a partial index if, and only if, the query
implies its condition; otherwise the plan falls back to a sequential scan and the test fails.
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
        lambda _user: visits_in(ReportPeriod.last_month()),
        "casework_visit_date",
    ),
}
# An index without a condition can always be walked whole, which proves nothing: for these,
# the plan must also look the rows up by the index.
LOOKED_UP = {"casework_visit_date": "Index Cond: ((date >="}


# Indexes of a table other than `index`, leaving out those behind a constraint (primary key,
# unique), which cannot be dropped on their own and answer none of these queries.
OTHER_INDEXES = """
    SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = %s::regclass AND c.relname <> %s
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
"""


@pytest.mark.parametrize("case", CASES)
def test_the_query_can_use_its_index(case, counsellor_a):
    build, index = CASES[case]
    # The filter is the question; joins for display would only give the planner other paths.
    query = build(counsellor_a).select_related(None)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(OTHER_INDEXES, [query.model._meta.db_table, index])
        for (other,) in cursor.fetchall():
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(other)}")

    plan = query.explain()

    assert index in plan, plan
    assert LOOKED_UP.get(index, "") in plan, plan
