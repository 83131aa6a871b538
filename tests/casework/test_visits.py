"""Logging visits: from search results, quick anonymous visits, edits, follow-ups, today."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import Client, ClientSite, Reminder, Topic, Visit
from core.models import AuditEntry
from tests.casework.conftest import audited, stored
from tests.factories import ClientFactory, VisitFactory

pytestmark = pytest.mark.django_db


def _visit_data(site, **extra):
    data = {
        "date": timezone.localdate().isoformat(),
        "site": site.pk,
        "topics": [Topic.objects.get(code="health").pk, Topic.objects.get(code="housing").pk],
        "follow_up_for": "me",
    }
    data.update(extra)
    return data


def test_two_clicks_from_search_results_log_a_visit(counsellor_a_client, client_a, site_a):
    results = counsellor_a_client.post(reverse("casework:search"), {"q": client_a.display_code})
    log_url = reverse("casework:visit_create", args=[client_a.code])
    assert log_url.encode() in results.content

    form = counsellor_a_client.get(log_url)  # click one: the form, filled with today and my site
    assert form.context["form"]["site"].value() == site_a.pk
    response = counsellor_a_client.post(log_url, _visit_data(site_a))  # click two: save

    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.client == client_a
    assert visit.date == timezone.localdate()
    assert {t.code for t in visit.topics.all()} == {"health", "housing"}
    assert audited("casework.visit.created", visit)


def test_a_visit_marks_the_client_as_seen_at_the_site(coordinator_client, client_a, site_b):
    before = client_a.last_seen_at

    coordinator_client.post(
        reverse("casework:visit_create", args=[client_a.code]), _visit_data(site_b)
    )

    assert ClientSite.objects.filter(client=client_a, site=site_b).exists()
    client_a.refresh_from_db()
    assert client_a.last_seen_at > before


def test_notes_and_details_are_encrypted(counsellor_a_client, client_a, site_a):
    counsellor_a_client.post(
        reverse("casework:visit_create", args=[client_a.code]),
        _visit_data(
            site_a,
            notes="Tooth pain since May.",
            accompaniment="dentist",
            accompaniment_detail="Dr. Example, Tuesday",
        ),
    )

    visit = Visit.objects.get()
    assert visit.notes == "Tooth pain since May."
    assert "Tooth" not in stored(Visit, visit.pk, "notes")
    assert "Example" not in stored(Visit, visit.pk, "accompaniment_detail")


def test_a_future_visit_date_is_refused(counsellor_a_client, client_a, site_a):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = counsellor_a_client.post(
        reverse("casework:visit_create", args=[client_a.code]), _visit_data(site_a, date=tomorrow)
    )

    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_a_follow_up_becomes_one_reminder_for_me(
    counsellor_a_client, counsellor_a, client_a, site_a
):
    in_a_week = timezone.localdate() + timedelta(days=7)

    counsellor_a_client.post(
        reverse("casework:visit_create", args=[client_a.code]),
        _visit_data(
            site_a,
            follow_up_kind="call",
            follow_up_on=in_a_week.isoformat(),
            follow_up_about="The letter from the hospital",
        ),
    )

    reminder = Reminder.objects.get()
    visit = Visit.objects.get()
    assert reminder.user == counsellor_a
    assert reminder.client == client_a
    assert reminder.obj == visit
    assert timezone.localdate(reminder.due_at) == in_a_week
    assert "hospital" not in reminder.label
    assert visit.follow_up_about == "The letter from the hospital"


def test_a_follow_up_for_the_team_goes_to_the_site(counsellor_a_client, client_a, site_a):
    counsellor_a_client.post(
        reverse("casework:visit_create", args=[client_a.code]),
        _visit_data(
            site_a,
            follow_up_kind="see",
            follow_up_on=(timezone.localdate() + timedelta(days=2)).isoformat(),
            follow_up_for="site",
        ),
    )

    reminder = Reminder.objects.get()
    assert reminder.site == site_a
    assert reminder.user is None


def test_a_follow_up_needs_a_date(counsellor_a_client, client_a, site_a):
    response = counsellor_a_client.post(
        reverse("casework:visit_create", args=[client_a.code]),
        _visit_data(site_a, follow_up_kind="call"),
    )

    assert "follow_up_on" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_a_quick_visit_creates_an_anonymous_client(counsellor_a_client, site_a):
    response = counsellor_a_client.post(reverse("casework:visit_quick"), _visit_data(site_a))

    client = Client.objects.get()
    visit = Visit.objects.get()
    assert response.url == reverse("casework:client", args=[client.code])
    assert visit.client == client
    assert client.pseudonym
    assert client.name == ""
    assert client.registered_site == site_a
    assert audited("casework.client.created", client)
    assert audited("casework.visit.created", visit)


def test_editing_a_visit_is_audited_with_field_names(counsellor_a_client, visit_a, site_a):
    url = reverse("casework:visit_edit", args=[visit_a.pk])
    assert counsellor_a_client.get(url).status_code == 200
    assert audited("casework.visit.viewed", visit_a)

    response = counsellor_a_client.post(
        url, _visit_data(site_a, date=visit_a.date.isoformat(), outcome="advice", version=1)
    )

    assert response.status_code == 302
    visit_a.refresh_from_db()
    assert visit_a.outcome == "advice"
    assert visit_a.version == 2
    entry = AuditEntry.objects.get(action="casework.visit.updated")
    assert set(entry.details["fields"]) == {"topics", "outcome"}


def test_removing_a_follow_up_dismisses_its_reminder(counsellor_a_client, client_a, site_a):
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    counsellor_a_client.post(
        reverse("casework:visit_create", args=[client_a.code]),
        _visit_data(site_a, follow_up_kind="call", follow_up_on=day),
    )
    visit = Visit.objects.get()

    counsellor_a_client.post(
        reverse("casework:visit_edit", args=[visit.pk]),
        _visit_data(site_a, follow_up_kind="", follow_up_on="", version=1),
    )

    assert Reminder.objects.get().dismissed_at is not None


def test_a_counsellor_reads_but_does_not_edit_another_sites_visit(
    counsellor_b_client, client_a, site_a, site_b
):
    ClientSite.link(client_a, site_b)
    visit = VisitFactory(client=client_a, site=site_a, notes="seen at A")

    page = counsellor_b_client.get(reverse("casework:client", args=[client_a.code]))
    edit = counsellor_b_client.get(reverse("casework:visit_edit", args=[visit.pk]))

    assert b"seen at A" in page.content
    assert edit.status_code == 404


def test_today_lists_the_visits_of_my_sites_only(counsellor_a_client, site_a, site_b):
    mine = VisitFactory(client=ClientFactory(registered_site=site_a, pseudonym="Here Today"))
    VisitFactory(client=ClientFactory(registered_site=site_b, pseudonym="Elsewhere"))
    VisitFactory(
        client=ClientFactory(registered_site=site_a, pseudonym="Last Week"),
        date=timezone.localdate() - timedelta(days=7),
    )

    response = counsellor_a_client.get(reverse("casework:today"))

    assert list(response.context["page"].object_list) == [mine]
    assert mine.client.display_code.encode() in response.content
    # A list of several people shows codes, not pseudonyms: each person is one audited click.
    assert b"Here Today" not in response.content
    assert audited("casework.today.viewed")


def test_coordinators_see_today_at_every_site_or_one(coordinator_client, site_a, site_b):
    at_a = VisitFactory(client=ClientFactory(registered_site=site_a))
    at_b = VisitFactory(client=ClientFactory(registered_site=site_b))

    everywhere = coordinator_client.get(reverse("casework:today"))
    only_b = coordinator_client.get(reverse("casework:today"), {"site": str(site_b.pk)})

    assert set(everywhere.context["page"].object_list) == {at_a, at_b}
    assert list(only_b.context["page"].object_list) == [at_b]


def test_a_counsellor_without_a_site_is_told_why_nothing_can_be_logged(client_a):
    from django.test import Client as HttpClient

    from core.roles import Role
    from tests.factories import UserFactory

    http = HttpClient()
    http.force_login(UserFactory(roles=[Role.COUNSELLOR]))

    response = http.get(reverse("casework:visit_quick"))

    assert b"not attached to a site" in response.content
