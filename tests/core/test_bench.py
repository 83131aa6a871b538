from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from casework.models import Client, Reminder, Visit
from casework.models.addresses import MailItem

pytestmark = pytest.mark.django_db

PAGES = [
    "empty search form",
    "search by code",
    "search by code typo",
    "search by name",
    "today's list",
    "client timeline",
    "visit POST",
    "mail desk",
    "mail POST by slot",
    "coordinator desk",
    "provider search",
    "monthly report, live",
    "monthly report, snapshot",
]


def _bench(tmp_path, *extra: str) -> tuple[str, dict]:
    out = io.StringIO()
    path = tmp_path / "bench.json"
    call_command(
        "bench",
        *("--scale", "0.0005", "--samples", "3", "--report-samples", "1"),
        *("--load-seconds", "0", "--no-progress", "--json", str(path)),
        *extra,
        stdout=out,
    )
    return out.getvalue(), json.loads(path.read_text())


def test_bench_seeds_then_measures_every_page_without_an_error(settings, tmp_path):
    settings.DEBUG = True

    text, figures = _bench(tmp_path)

    assert "Seeded 50 clients" in text
    assert [page["name"] for page in figures["pages"]] == PAGES
    for page in figures["pages"]:
        assert page["errors"] == 0, page["name"]
        assert page["samples"] >= 1, page["name"]
        assert page["queries_min"] > 0, page["name"]
        assert page["p95_ms"] >= page["median_ms"] > 0
        assert f"\n{page['name']} " in text
    assert figures["rows"]["clients"] == 50
    assert figures["rows"]["cost guarantees"] > 0
    assert figures["rows"]["address assignments"] > 0
    assert figures["rows"]["letters"] > 0
    assert figures["report_vs_group_by"]["group_by_ms"] > 0
    assert "report build" in text
    assert "load: skipped" in text
    for client in Client.objects.select_related("data_key"):
        for value in (client.code, client.pseudonym, client.name, client.phone):
            if value:
                assert value not in text


def test_a_profile_says_where_a_pages_time_goes_and_shows_no_one(settings, tmp_path):
    settings.DEBUG = True

    text, _ = _bench(tmp_path, "--profile", "search by code")

    profile = text.split("Profile of search by code, 3 requests:")[1].split("Bench at scale")[0]
    assert "Ordered by: cumulative time" in profile
    assert "Ordered by: internal time" in profile
    assert "casework/views/visits.py" in profile  # the search view is among the callers
    for client in Client.objects.select_related("data_key"):
        for value in (client.code, client.pseudonym, client.name, client.phone):
            if value:
                assert value not in text


def _rows() -> dict[str, int]:
    return {
        "visits": Visit.objects.count(),
        "reminders": Reminder.objects.count(),
        "letters": MailItem.objects.count(),
    }


def test_a_second_run_reuses_the_data_and_a_run_at_another_scale_is_refused(settings, tmp_path):
    settings.DEBUG = True
    _bench(tmp_path)
    rows = _rows()

    text, figures = _bench(tmp_path)
    assert "Reusing the synthetic data already here (50 clients)" in text
    assert figures["rows"]["clients"] == 50
    # The visits, their follow-up reminders and the letters that the POSTs logged are gone
    # again: the second run measured the same data as the first, and so will the next.
    assert _rows() == rows

    with pytest.raises(CommandError, match="another scale"):
        _bench(tmp_path, "--scale", "0.001")


def test_bench_refuses_a_database_with_other_data(settings, tmp_path, site_a):
    settings.DEBUG = True
    Client.objects.create(registered_site=site_a)

    with pytest.raises(CommandError, match="other data"):
        _bench(tmp_path)


def test_bench_refuses_production_mode_unless_told(settings, tmp_path):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="allow-production"):
        _bench(tmp_path)
