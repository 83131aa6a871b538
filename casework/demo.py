"""Fictional clients and visits for `manage.py seed_demo` (DEBUG only, idempotent).

Every demo client has a fixed code starting with "DEM" and a name that says it is made up,
so nobody mistakes them for people. They are registered by the demo counsellor through the
same services as real clients, so the audit trail of a demo looks like a real one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.utils import timezone

from casework import codes
from casework.models import Client, Language, NeedsAssessment, Topic, Visit
from casework.services import client_register, needs_assess, visit_log
from core.demo import demo_email
from core.models import Site, User

DEMO_SITE = "Demo drop-in Central"

# (code body, pseudonym, fictional name or "", gender, age band, region, languages,
#  visits as (days ago, topics, outcome))
DEMO_CLIENTS = [
    ("DEM2A", "Demo Heron", "Example Person One", "female", "25-34", "west-africa", ["fr"],
     [(40, ["health"], "referred"), (12, ["dental"], "follow-up"), (0, ["food"], "material")]),
    ("DEM2B", "Demo Lark", "", "male", "35-44", "middle-east", ["ar", "en"],
     [(20, ["legal"], "advice"), (3, ["housing"], "advice")]),
    ("DEM2C", "Demo Otter", "Example Person Three", "", "18-24", "latin-america", ["es"],
     [(7, ["labour", "debt"], "advice")]),
    ("DEM2D", "Demo Finch", "", "diverse", "", "eastern-europe", ["ru", "uk"],
     [(0, ["psychosocial"], "follow-up")]),
    ("DEM2E", "Demo Willow", "", "female", "45-54", "", [], [(60, ["address"], "resolved")]),
]  # fmt: skip


def demo_code(body: str) -> str:
    return body + codes.check_character(body)


def seed_clients_and_visits(write: Callable[[str], None]) -> None:
    counsellor = User.objects.get(email=demo_email("counsellor"))
    site = Site.objects.get(name=DEMO_SITE)
    today = timezone.localdate()
    created = 0
    for number, row in enumerate(DEMO_CLIENTS, start=1):
        body, pseudonym, name, gender, age_band, region, languages, visits = row
        code = demo_code(body)
        if Client.objects.filter(code=code).exists():
            continue
        client = client_register(
            client=Client(
                code=code,
                pseudonym=pseudonym,
                name=name,
                phone=f"+00 000 000 00 {number:02d}" if name else "",
                gender=gender,
                age_band=age_band,
                region=region,
            ),
            languages=Language.objects.filter(code__in=languages),
            site=site,
            actor=counsellor,
        )
        for days_ago, topics, outcome in visits:
            _visit(client, site, counsellor, today - timedelta(days=days_ago), topics, outcome)
        if name:
            needs_assess(
                assessment=NeedsAssessment(
                    client=client,
                    site=site,
                    assessed_on=today - timedelta(days=visits[0][0]),
                    housing="crowded",
                    health_coverage="none",
                    income="irregular",
                    urgent_needs=["medical"],
                ),
                actor=counsellor,
            )
        created += 1
    if created:
        write(f"Demo clients: {created} fictional clients (codes DEM…) with visits at {DEMO_SITE}.")


def _visit(
    client: Client, site: Site, counsellor: User, day: date, topics: list[str], outcome: str
) -> None:
    follow_up = outcome == "follow-up"
    visit_log(
        visit=Visit(
            client=client,
            site=site,
            date=day,
            duration_minutes=20,
            outcome=outcome,
            notes="Demo note: fictional, for trying the app out.",
            # A follow-up falls due today, so the reminders list and its badge have something.
            follow_up_kind="call" if follow_up else "",
            follow_up_on=timezone.localdate() if follow_up else None,
        ),
        topics=Topic.objects.filter(code__in=topics),
        actor=counsellor,
    )
