"""The address service on the client timeline (see casework.timeline): one entry per assignment,
dated from its start, and one per letter, dated when it came. One query per source."""

from __future__ import annotations

from casework.models import Client
from casework.timeline import TimelineEntry, register


def assignment_entries(client: Client, limit: int | None) -> list[TimelineEntry]:
    assignments = client.address_assignments.select_related("slot__address").order_by(
        "-starts_on", "-created_at"
    )
    if limit is not None:
        assignments = assignments[:limit]
    found = []
    for assignment in assignments:
        assignment.client = client
        found.append(
            TimelineEntry(
                assignment.starts_on,
                assignment.created_at,
                "address",
                "casework/entries/address_assignment.html",
                assignment,
            )
        )
    return found


def mail_entries(client: Client, limit: int | None) -> list[TimelineEntry]:
    mail = client.mail.select_related("assignment__slot__address", "handed_over_by").order_by(
        "-received_on", "-logged_at"
    )
    if limit is not None:
        mail = mail[:limit]
    found = []
    for item in mail:
        item.client = client  # the note opens with the client's key, already loaded
        found.append(
            TimelineEntry(
                item.received_on, item.logged_at, "mail", "casework/entries/mail.html", item
            )
        )
    return found


def register_address_sources() -> None:
    register("casework.address_assignments", assignment_entries)
    register("casework.mail", mail_entries)
