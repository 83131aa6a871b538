"""The report of a month: true totals, small cells hidden, no personal data needed."""

from __future__ import annotations

import pytest

import reporting
from casework.models import Client
from core import crypto
from reporting.disclosure import HIDDEN_MARK
from reporting.models import MonthlySnapshot
from reporting.periods import ReportPeriod
from reporting.presentation import report_csv, shown_sections
from reporting.report import Report
from reporting.snapshots import report_for, store_snapshot
from reporting.tasks import snapshot_last_month
from tests.reporting.conftest import MONTH

pytestmark = pytest.mark.django_db


def _shown(report: Report, key: str) -> dict[str, list[str]]:
    for section in shown_sections(report):
        for table in section.tables:
            if table.key == key:
                return {row.label: [cell.text for cell in row.cells] for row in table.rows}
    raise KeyError(key)


def test_key_figures_are_true_and_large_enough_to_show(october):
    report = reporting.build_report(MONTH)
    figures = _shown(report, "key_figures")
    assert figures["Visits"] == ["14"]
    assert figures["People who came (distinct clients)"] == ["14"]
    assert figures["New clients registered"] == ["12"]


def test_a_small_site_is_hidden_with_a_partner_and_the_total_stays_true(october):
    sites = _shown(reporting.build_report(MONTH), "visits_by_site")
    assert sites["Site B"] == ["< 5"]
    assert sites["Site A"] == [HIDDEN_MARK]
    assert sites["Total"] == ["14"]


def test_cross_table_of_gender_and_age_hides_the_small_group(october):
    table = _shown(reporting.build_report(MONTH), "clients_by_gender_age")
    # Two people in all: the whole row is hidden, zeros included, so that their age band
    # cannot be read off the zeros next to it — except where the column's total is 0 anyway.
    for mine, total in zip(table["Non-binary / diverse"], table["Total"], strict=True):
        assert mine == "< 5" or mine == total == "0"
    assert table["Total"][-1] == "14"
    shown = [text for row in table.values() for text in row]
    assert not {"1", "2", "3", "4"} & set(shown)


def test_topics_count_visits_and_people(october):
    topics = _shown(reporting.build_report(MONTH), "visits_by_topic")
    assert topics["Health"] == ["12", "12"]
    assert topics["Legal / residence"] == ["< 5", "< 5"]


def test_referrals_and_money_with_few_people_behind_are_hidden(october):
    report = reporting.build_report(MONTH)
    assert _shown(report, "referrals_by_kind")["General practitioner"] == ["6"]
    [fund] = report.funds
    assert fund.guaranteed is None and fund.invoiced is None


def test_an_empty_month_reports_nothing(october):
    report = reporting.build_report("2025-03")
    assert report.is_empty


def test_a_quarter_and_a_year_add_up_their_months(october):
    quarter = _shown(reporting.build_report("2026-Q4"), "key_figures")
    year = _shown(reporting.build_report("2026"), "key_figures")
    assert quarter["Visits"] == ["14"]
    assert year["Visits"] == ["15"]


def test_the_trend_shows_twelve_months_ending_with_the_period(october):
    trend = _shown(reporting.build_report(MONTH), "trend")
    months = list(trend)
    assert len(months) == 12
    assert months[-1] == "October 2026"
    assert trend["October 2026"][0] == "14"
    assert trend["September 2026"][0] == "< 5"


def test_the_report_needs_no_key(october, settings):
    """Proof that reports touch no personal data: with the key rings gone, it still works."""
    del settings.ENCRYPTION_KEYS
    del settings.BLIND_INDEX_KEYS
    crypto.reset_key_caches()
    with pytest.raises(AttributeError):
        # Reading a person now fails: the test would catch a report that reads one.
        Client.objects.get(pk=october["clients"][0].pk).pseudonym  # noqa: B018

    report = reporting.build_report(MONTH)
    assert "Site B" in report_csv(report)
    store_snapshot(ReportPeriod.parse(MONTH))
    assert report_for(ReportPeriod.parse(MONTH)).from_snapshot


def test_a_snapshot_stores_the_published_report_and_is_served(october):
    period = ReportPeriod.parse(MONTH)
    live = reporting.build_report(period)
    store_snapshot(period)
    stored = report_for(period)
    assert stored.from_snapshot
    assert stored.tables == live.tables
    # Only the published numbers are kept: site B's 2 is nowhere in the snapshot.
    snapshot = MonthlySnapshot.objects.get(month=period.start)
    sites = next(t for t in snapshot.data["tables"] if t["key"] == "visits_by_site")
    assert sites["values"] == [[None], [None], [14]]


def test_the_snapshot_stays_until_recomputed(october):
    period = ReportPeriod.parse(MONTH)
    store_snapshot(period)
    october["clients"][0].visits.update(date="2026-11-01")
    assert _shown(report_for(period), "key_figures")["Visits"] == ["14"]
    store_snapshot(period)
    assert _shown(report_for(period), "key_figures")["Visits"] == ["13"]


def test_beat_task_stores_last_month(october, time_machine):
    time_machine.move_to("2026-11-01 04:07:00+01:00")
    assert snapshot_last_month() == MONTH
    assert MonthlySnapshot.objects.filter(month="2026-10-01").exists()


def test_csv_has_the_published_cells_only(october):
    text = report_csv(reporting.build_report(MONTH))
    assert "2026-10,Visits by site,Site B,Visits,< 5" in text
    assert "2026-10,Visits by site,Total,Visits,14" in text
    assert ",2\r\n" not in text
