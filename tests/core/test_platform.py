"""Health check, language choice and log format."""

import json
import logging

import pytest
from django.urls import reverse

from core.logging import JsonFormatter


@pytest.mark.django_db
def test_health_check_is_public_and_says_only_ok(anonymous_client):
    response = anonymous_client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert anonymous_client.post(reverse("healthz")).status_code == 405


@pytest.mark.django_db
def test_health_check_reports_an_unreachable_database(anonymous_client, monkeypatch):
    from django.db import DatabaseError
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = anonymous_client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@pytest.mark.django_db
def test_a_visitor_can_switch_language_on_the_login_page(anonymous_client):
    response = anonymous_client.post(
        reverse("set_language"), {"language": "fr", "next": "/accounts/login/"}
    )

    assert response.status_code == 302
    page = anonymous_client.get("/accounts/login/")
    assert page.headers["Content-Language"] == "fr"
    assert 'lang="fr"' in page.content.decode()


@pytest.mark.django_db
def test_staff_language_choice_is_remembered_across_sessions(counsellor_a, counsellor_a_client):
    counsellor_a_client.post(reverse("set_language"), {"language": "it", "next": "/"})
    counsellor_a.refresh_from_db()
    assert counsellor_a.language == "it"

    from django.test import Client

    fresh = Client()
    fresh.force_login(counsellor_a)
    assert fresh.get(reverse("home")).headers["Content-Language"] == "it"


def test_json_log_lines_carry_where_but_not_what():
    formatter = JsonFormatter()
    value = "Amina Diallo"
    try:
        raise ValueError(f"{value} is not a valid date")
    except ValueError:
        record = logging.LogRecord(
            "casework", logging.ERROR, __file__, 1, "Import failed for row %s", (7,), None
        )
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(formatter.format(record))

    assert line["message"] == "Import failed for row 7"
    assert line["exception"] == "ValueError"
    assert "test_platform.py" in line["traceback"]
    assert "Amina" not in json.dumps(line)
