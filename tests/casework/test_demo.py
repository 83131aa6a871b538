from __future__ import annotations

import pytest
from django.core.management import call_command

from casework.demo import DEMO_CLIENTS, demo_code
from casework.models import Client, Reminder, Visit

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_fictional_clients_once(settings, capsys):
    settings.DEBUG = True

    call_command("seed_demo")
    visits = Visit.objects.count()
    call_command("seed_demo")

    codes = {demo_code(body) for body, *_rest in DEMO_CLIENTS}
    assert set(Client.objects.values_list("code", flat=True)) == codes
    assert Visit.objects.count() == visits == sum(len(c[-1]) for c in DEMO_CLIENTS)
    assert Reminder.objects.filter(kind="casework.visit.follow_up").exists()
    assert all(c.name.startswith("Example") or not c.name for c in Client.objects.all())
