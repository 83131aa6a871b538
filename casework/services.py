"""Writes that span several models: registering clients, logging visits, assessing needs.

Each service validates nothing the form already did, writes inside one transaction and
appends the audit entry — which names fields, never their values.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from casework import pseudonyms
from casework.models import (
    Client,
    ClientSite,
    FollowUpFor,
    FollowUpKind,
    Language,
    NeedsAssessment,
    Reminder,
    Topic,
    Visit,
)
from core.audit import log_action
from core.models import Site, User

# Identity fields named in audit details when they are given (never their values).
IDENTITY_FIELDS = ("name", "date_of_birth", "phone", "contact_notes")
# What an edit of a client may write. The rest (last_seen_at above all) belongs to other
# writers, which must not be undone by a form that was loaded a while ago.
CLIENT_EDITABLE_FIELDS = (
    "pseudonym",
    "name",
    "name_index",
    "date_of_birth",
    "date_of_birth_index",
    "phone",
    "phone_index",
    "contact_notes",
    "gender",
    "age_band",
    "region",
    "interpreter",
    "version",
)
# Follow-up reminders fall due at the start of the working day.
FOLLOW_UP_TIME = time(8, 0)
FOLLOW_UP_LABELS = {
    FollowUpKind.CALL_BACK: gettext_noop("Call back (follow-up from a visit)"),
    FollowUpKind.SEE_AGAIN: gettext_noop("See again (follow-up from a visit)"),
}


class StaleEdit(Exception):
    """Someone else saved the record after this edit began; nothing was written."""


def save_if_current(
    instance: Client | Visit, *, expected_version: int, update_fields: Iterable[str] | None = None
) -> None:
    """Save `instance` only if its stored version is still `expected_version` (optimistic
    concurrency). The conditional UPDATE takes the row lock, so of two edits based on the same
    version exactly one wins, on PostgreSQL and on SQLite alike."""
    model: type[models.Model] = type(instance)
    with transaction.atomic():
        bumped = model._base_manager.filter(pk=instance.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not bumped:
            raise StaleEdit
        instance.version = expected_version + 1
        instance.save(update_fields=list(update_fields) if update_fields is not None else None)


def _given_identity_fields(client: Client) -> list[str]:
    return [name for name in IDENTITY_FIELDS if getattr(client, name) not in (None, "")]


def client_register(
    *, client: Client, languages: Iterable[Language], site: Site, actor: User
) -> Client:
    """Register a new client at `site`; a missing pseudonym is generated."""
    with transaction.atomic():
        if not client.pseudonym:
            client.pseudonym = pseudonyms.generate()
        client.registered_site = site
        client.save()
        client.languages.set(languages)
        ClientSite.link(client, site)
        log_action(
            "casework.client.created",
            actor=actor,
            obj=client,
            details={"site": str(site.pk), "fields": _given_identity_fields(client)},
        )
    return client


def client_update(
    *,
    client: Client,
    expected_version: int,
    languages: Iterable[Language],
    changed: list[str],
    actor: User,
) -> None:
    """Save an edit made on top of `expected_version`; raises StaleEdit if that is old."""
    with transaction.atomic():
        save_if_current(
            client, expected_version=expected_version, update_fields=CLIENT_EDITABLE_FIELDS
        )
        client.languages.set(languages)
        log_action("casework.client.updated", actor=actor, obj=client, details={"fields": changed})


def _seen_at(visit: Visit) -> datetime:
    """When the person was last seen, for retention: now for today's visit, midday of the day
    for one logged afterwards."""
    if visit.date >= timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(visit.date, time(12)))


def _schedule_follow_up(visit: Visit, actor: User) -> None:
    if visit.follow_up_on is None or not visit.follow_up_kind:
        Reminder.objects.cancel(visit.follow_up_dedupe_key, by=actor)
        return
    recipient: dict[str, User | Site] = (
        {"user": visit.counsellor or actor}
        if visit.follow_up_for == FollowUpFor.ME
        else {"site": visit.site}
    )
    Reminder.objects.schedule(
        kind="casework.visit.follow_up",
        label=FOLLOW_UP_LABELS[FollowUpKind(visit.follow_up_kind)],
        due_at=timezone.make_aware(datetime.combine(visit.follow_up_on, FOLLOW_UP_TIME)),
        client=visit.client,
        obj=visit,
        dedupe_key=visit.follow_up_dedupe_key,
        **recipient,  # type: ignore[arg-type]
    )


def visit_log(*, visit: Visit, topics: Iterable[Topic], actor: User) -> Visit:
    """Record a visit of an existing client, by `actor`."""
    with transaction.atomic():
        visit.counsellor = actor
        visit.save()
        visit.topics.set(topics)
        ClientSite.link(visit.client, visit.site)
        seen_at = _seen_at(visit)
        Client.objects.filter(pk=visit.client_id, last_seen_at__lt=seen_at).update(
            last_seen_at=seen_at
        )
        _schedule_follow_up(visit, actor)
        log_action(
            "casework.visit.created",
            actor=actor,
            obj=visit,
            details={"client": str(visit.client_id), "site": str(visit.site_id)},
        )
    return visit


def visit_log_anonymous(*, visit: Visit, topics: Iterable[Topic], actor: User) -> Visit:
    """A quick visit of someone who gives no name: a new anonymous client, then the visit."""
    with transaction.atomic():
        client = client_register(
            client=Client(registered_site=visit.site), languages=[], site=visit.site, actor=actor
        )
        visit.client = client
        return visit_log(visit=visit, topics=topics, actor=actor)


def visit_update(
    *,
    visit: Visit,
    expected_version: int,
    topics: Iterable[Topic],
    changed: list[str],
    actor: User,
) -> None:
    with transaction.atomic():
        save_if_current(visit, expected_version=expected_version)
        visit.topics.set(topics)
        ClientSite.link(visit.client, visit.site)
        _schedule_follow_up(visit, actor)
        log_action("casework.visit.updated", actor=actor, obj=visit, details={"fields": changed})


def needs_assess(*, assessment: NeedsAssessment, actor: User) -> NeedsAssessment:
    """Record a (re-)assessment of needs: always a new dated row, so history is kept."""
    with transaction.atomic():
        assessment.assessed_by = actor
        assessment.save()
        log_action(
            "casework.needs.assessed",
            actor=actor,
            obj=assessment,
            details={"client": str(assessment.client_id)},
        )
    return assessment
