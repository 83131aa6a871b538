"""The client timeline: everything that happened with a person, newest first, from every app.

Each app registers a source in its `AppConfig.ready()`:

    from casework.timeline import TimelineEntry, register
    register("referrals", referral_entries)

A source is `(client, limit) -> entries`: at most `limit` entries about the client, newest
first, in a fixed number of queries. Each entry names the partial template that renders it
(context: `entry`, `item`). The page merges the sources and cuts one page out, so it costs
the same few queries however long the history is.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any

from django.utils import timezone

from casework.models import Client, Reminder


@dataclass(frozen=True)
class TimelineEntry:
    day: date  # what the entry is dated (shown, and the main sort key)
    at: datetime  # when it was recorded (orders entries of one day)
    kind: str  # "visit", "needs", "reminder", "referral"…: a CSS hook and a test handle
    template: str
    item: Any

    @property
    def sort_key(self) -> tuple[date, datetime]:
        return (self.day, self.at)


TimelineSource = Callable[[Client, int | None], Sequence[TimelineEntry]]

_SOURCES: dict[str, TimelineSource] = {}


def register(name: str, source: TimelineSource) -> None:
    _SOURCES[name] = source


def entries(client: Client, *, limit: int | None = None) -> list[TimelineEntry]:
    """The newest `limit` entries (all with None) over every registered source."""
    streams: list[Iterable[TimelineEntry]] = [source(client, limit) for source in _SOURCES.values()]
    merged = heapq.merge(*streams, key=lambda entry: entry.sort_key, reverse=True)
    return list(islice(merged, limit))


def page(client: Client, *, number: int, size: int) -> tuple[list[TimelineEntry], bool]:
    """Page `number` (from 1) of the timeline, and whether an older page exists."""
    wanted = number * size + 1
    newest = entries(client, limit=wanted)
    return newest[(number - 1) * size : number * size], len(newest) == wanted


def _limited(queryset: Any, limit: int | None) -> Any:
    return queryset if limit is None else queryset[:limit]


def visit_entries(client: Client, limit: int | None) -> list[TimelineEntry]:
    visits = _limited(
        client.visits.select_related("site", "counsellor", "language")
        .prefetch_related("topics")
        .order_by("-date", "-created_at"),
        limit,
    )
    found = []
    for visit in visits:
        visit.client = client  # the notes open with the client's key, already loaded
        found.append(
            TimelineEntry(
                visit.date, visit.created_at, "visit", "casework/entries/visit.html", visit
            )
        )
    return found


def needs_entries(client: Client, limit: int | None) -> list[TimelineEntry]:
    assessments = _limited(
        client.needs_assessments.select_related("site", "assessed_by").order_by(
            "-assessed_on", "-created_at"
        ),
        limit,
    )
    found = []
    for assessment in assessments:
        assessment.client = client
        found.append(
            TimelineEntry(
                assessment.assessed_on,
                assessment.created_at,
                "needs",
                "casework/entries/needs.html",
                assessment,
            )
        )
    return found


def reminder_entries(client: Client, limit: int | None) -> list[TimelineEntry]:
    reminders: Iterable[Reminder] = _limited(
        client.reminders.select_related("user", "site", "done_by", "dismissed_by").order_by(
            "-due_at"
        ),
        limit,
    )
    return [
        TimelineEntry(
            timezone.localdate(reminder.due_at),
            reminder.due_at,
            "reminder",
            "casework/entries/reminder.html",
            reminder,
        )
        for reminder in reminders
    ]


def register_casework_sources() -> None:
    register("casework.visits", visit_entries)
    register("casework.needs", needs_entries)
    register("casework.reminders", reminder_entries)
