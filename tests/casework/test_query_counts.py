"""Query counts of the desk pages stay the same however many rows they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import timeline
from casework.models import NeedsAssessment, Topic
from tests.factories import ClientFactory, VisitFactory

pytestmark = pytest.mark.django_db

SIZES = [5, 30]
# The pins hold on PostgreSQL, where appending to the audit trail takes one more query (the
# advisory lock) than on SQLite.


def _count(http, method: str, url: str, data: dict | None = None) -> int:
    http.get(reverse("home"))  # a first request settles the session
    with CaptureQueriesContext(connection) as queries:
        response = getattr(http, method)(url, data or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("rows", SIZES)
def test_search_results(rows, counsellor_a_client, site_a, django_assert_max_num_queries):
    for _ in range(rows):
        ClientFactory(registered_site=site_a, name="Amina Diallo")

    with django_assert_max_num_queries(15):
        response = counsellor_a_client.post(reverse("casework:search"), {"q": "Amina Diallo"})

    assert len(response.context["result"].clients) == rows


@pytest.mark.parametrize("rows", SIZES)
def test_todays_list(rows, counsellor_a_client, site_a, django_assert_max_num_queries):
    health = Topic.objects.get(code="health")
    for _ in range(rows):
        VisitFactory(client=ClientFactory(registered_site=site_a)).topics.add(health)

    with django_assert_max_num_queries(18):
        response = counsellor_a_client.get(reverse("casework:today"))

    assert len(response.context["page"].object_list) == rows


@pytest.mark.parametrize("rows", SIZES)
def test_client_timeline(
    rows, counsellor_a_client, client_a, counsellor_a, django_assert_max_num_queries
):
    health = Topic.objects.get(code="health")
    for n in range(rows):
        VisitFactory(client=client_a, counsellor=counsellor_a, notes=f"note {n}").topics.add(health)
        NeedsAssessment.objects.create(client=client_a, site=client_a.registered_site, notes="n")

    # The page itself, plus one query per timeline source (visits take two: their topics).
    # An app whose source needs more says so here.
    with django_assert_max_num_queries(17 + len(timeline._SOURCES) + 1):
        response = counsellor_a_client.get(reverse("casework:client", args=[client_a.code]))

    assert len(response.context["entries"]) == min(2 * rows, 20)


@pytest.mark.parametrize("rows", SIZES)
def test_visit_form(rows, counsellor_a_client, client_a, django_assert_max_num_queries):
    for n in range(rows):
        Topic.objects.create(code=f"extra-{n}", name=f"Extra {n}")

    with django_assert_max_num_queries(16):
        response = counsellor_a_client.get(reverse("casework:visit_create", args=[client_a.code]))

    assert len(response.context["form"].fields["topics"].choices) == 11 + rows


def test_the_counts_do_not_grow(counsellor_a_client, client_a, site_a, counsellor_a):
    """The same page with 5 and with 30 rows costs exactly the same."""
    health = Topic.objects.get(code="health")
    measured = []
    for rows in SIZES:
        while client_a.visits.count() < rows:
            VisitFactory(client=client_a, counsellor=counsellor_a).topics.add(health)
            VisitFactory(client=ClientFactory(registered_site=site_a, name="Same Name"))
        measured.append(
            (
                _count(counsellor_a_client, "get", reverse("casework:today")),
                _count(
                    counsellor_a_client, "get", reverse("casework:client", args=[client_a.code])
                ),
                _count(counsellor_a_client, "post", reverse("casework:search"), {"q": "Same Name"}),
            )
        )
    assert measured[0] == measured[1]
