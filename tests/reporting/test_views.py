"""The report page, its CSV and the recompute button, for every persona."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from core.models import AuditEntry
from reporting.models import MonthlySnapshot
from reporting.presentation import BAR_SPACE
from tests.reporting.conftest import MONTH

pytestmark = pytest.mark.django_db

REPORT = reverse("reporting:report")
CSV = reverse("reporting:report_csv")
RECOMPUTE = reverse("reporting:recompute")


@pytest.mark.parametrize("url", [REPORT, CSV])
def test_anonymous_visitors_are_sent_to_log_in(anonymous_client, url):
    response = anonymous_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", [REPORT, CSV])
@pytest.mark.parametrize("persona", ["counsellor_a_client", "administrator_client"])
def test_other_roles_are_refused(request, persona, url):
    assert request.getfixturevalue(persona).get(url).status_code == 403


@pytest.mark.parametrize("persona", ["reporting_client", "coordinator_client"])
def test_reporting_and_coordinators_see_the_report(request, persona, october):
    response = request.getfixturevalue(persona).get(REPORT, {"period": MONTH})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Report: October 2026" in body
    assert "Site B" in body and "&lt; 5" in body
    assert "<svg" in body


def test_the_default_period_is_last_month(reporting_client, time_machine):
    time_machine.move_to("2026-11-25 09:00:00+01:00")
    response = reporting_client.get(REPORT)
    assert "Report: October 2026" in response.content.decode()


def test_an_empty_period_says_so(reporting_client):
    response = reporting_client.get(REPORT, {"period": "2025-03"})
    assert "Nothing was recorded in this period." in response.content.decode()


@pytest.mark.parametrize("slug", ["2026-13", "26-10", "2026-Q5", "nonsense"])
def test_an_unknown_period_is_not_found(reporting_client, slug):
    assert reporting_client.get(REPORT, {"period": slug}).status_code == 404


def test_the_csv_holds_the_published_tables(reporting_client, october):
    response = reporting_client.get(CSV, {"period": MONTH})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="report-2026-10.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert "2026-10,Visits by site,Site B,Visits,< 5" in text


@pytest.mark.parametrize("url", [REPORT, CSV])
def test_posting_to_the_report_is_not_allowed(reporting_client, url):
    assert reporting_client.post(url).status_code == 405


def test_coordinators_can_recompute_a_month(coordinator_client, coordinator, october):
    response = coordinator_client.post(RECOMPUTE, {"period": MONTH})
    assert response.status_code == 302
    assert response["Location"] == f"{REPORT}?period={MONTH}"
    snapshot = MonthlySnapshot.objects.get(month="2026-10-01")
    assert snapshot.data["period"] == MONTH
    entry = AuditEntry.objects.get(action="reporting.snapshot.recomputed")
    assert entry.actor == coordinator
    assert entry.object_ref == MONTH
    page = coordinator_client.get(REPORT, {"period": MONTH}).content.decode()
    assert "Monthly snapshot, computed" in page


def test_recompute_is_offered_to_coordinators_only(reporting_client, coordinator_client):
    button = "Compute this month again"
    assert button in coordinator_client.get(REPORT, {"period": MONTH}).content.decode()
    assert button not in reporting_client.get(REPORT, {"period": MONTH}).content.decode()
    assert button not in coordinator_client.get(REPORT, {"period": "2026"}).content.decode()


@pytest.mark.parametrize(
    "persona", ["reporting_client", "counsellor_a_client", "administrator_client"]
)
def test_only_coordinators_may_recompute(request, persona):
    response = request.getfixturevalue(persona).post(RECOMPUTE, {"period": MONTH})
    assert response.status_code == 403
    assert not MonthlySnapshot.objects.exists()


def test_recompute_takes_months_only_and_only_by_post(coordinator_client):
    assert coordinator_client.get(RECOMPUTE).status_code == 405
    assert coordinator_client.post(RECOMPUTE, {"period": "2026"}).status_code == 404
    assert not MonthlySnapshot.objects.exists()


def test_a_live_report_takes_a_fixed_number_of_queries(
    reporting_client, october, django_assert_max_num_queries
):
    with django_assert_max_num_queries(34):
        assert reporting_client.get(REPORT, {"period": MONTH}).status_code == 200


def test_a_snapshot_opens_with_a_handful_of_queries(
    coordinator_client, october, django_assert_max_num_queries
):
    coordinator_client.post(RECOMPUTE, {"period": MONTH})
    with django_assert_max_num_queries(5):
        response = coordinator_client.get(REPORT, {"period": MONTH})
    assert "Monthly snapshot" in response.content.decode()


def test_chart_coordinates_stay_plain_numbers_in_a_language_with_a_decimal_comma(
    reporting_client, reporting_user, october
):
    reporting_user.language = "de"
    reporting_user.save()

    body = reporting_client.get(REPORT, {"period": MONTH}).content.decode()

    assert '<html lang="de">' in body
    bars = re.findall(r'<rect class="bar" x="([^"]*)" y="([^"]*)" width="([^"]*)"', body)
    assert bars
    for coordinates in bars:
        for value in coordinates:
            assert re.fullmatch(r"\d+\.\d", value), value
    # The largest bar of a horizontal chart spans the whole space for bars.
    assert f"{BAR_SPACE:.1f}" in {width for _x, _y, width in bars}
