from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from casework.models import Client
from core.models import DataKey, Site

pytestmark = pytest.mark.django_db


def test_bench_search_prints_timings_and_leaves_nothing_behind(client_a):
    out = io.StringIO()

    call_command("bench_search", "--clients", "300", "--searches", "20", stdout=out)

    text = out.getvalue()
    assert "301 clients (300 seeded" in text
    for label in ("code", "code with a typo", "exact name"):
        assert f"search by {label} " in text
    assert "Rolled back" in text
    assert Client.objects.count() == 1
    assert DataKey.objects.count() == 1
    assert Site.objects.count() == 1
