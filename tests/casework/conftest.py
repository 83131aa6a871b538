from __future__ import annotations

import pytest

from casework.models import Client, Reminder, Visit
from core.models import AuditEntry, Site, User
from tests.factories import ClientFactory, VisitFactory


@pytest.fixture
def client_a(site_a: Site) -> Client:
    """A client registered at site A, with a few identity fields."""
    return ClientFactory(
        registered_site=site_a,
        pseudonym="Blue Heron",
        name="Amina Diallo",
        phone="+41 79 123 45 67",
    )


@pytest.fixture
def visit_a(client_a: Client, counsellor_a: User) -> Visit:
    return VisitFactory(client=client_a, site=client_a.registered_site, counsellor=counsellor_a)


@pytest.fixture
def reminder_a(client_a: Client, counsellor_a: User, visit_a: Visit) -> Reminder:
    from django.utils import timezone

    reminder = Reminder.objects.schedule(
        kind="casework.visit.follow_up",
        label="Call back (follow-up from a visit)",
        due_at=timezone.now(),
        client=client_a,
        obj=visit_a,
        user=counsellor_a,
    )
    reminder.delivered_at = timezone.now()
    reminder.save()
    return reminder


def audited(action: str, obj: object | None = None) -> bool:
    entries = AuditEntry.objects.filter(action=action)
    if obj is not None:
        entries = entries.filter(object_ref=str(obj.pk))  # type: ignore[attr-defined]
    return entries.exists()


def stored(model: type, pk: object, column: str) -> str | None:
    """The value as it sits in the database (a sealed token for encrypted fields)."""
    from django.db import connection

    table = model._meta.db_table  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk.hex])  # type: ignore[attr-defined]  # noqa: S608 (table and column from the model, not input)
        row = cursor.fetchone()
    return row[0] if row else None
