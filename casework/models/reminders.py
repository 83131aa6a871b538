"""Reminders: stored in the database, delivered by the dispatcher, worked off by people.

Any app schedules one with `Reminder.objects.schedule(...)`. A reminder says what (a kind code
and a short label that never carries personal data), about which client and object, for whom
(one user, the team of a site, or everyone holding a role), and when it is due. The dispatcher
(`casework.reminders.dispatch_due`) delivers it once; it then stays in the in-app list until
someone marks it done or dismisses it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casework.models.clients import Client
from core.models import Site, User
from core.roles import CASE_ROLES, ROLE_CHOICES, Role


class ReminderQuerySet(models.QuerySet["Reminder"]):
    def open(self) -> ReminderQuerySet:
        return self.filter(done_at__isnull=True, dismissed_at__isnull=True)

    def delivered(self) -> ReminderQuerySet:
        return self.filter(delivered_at__isnull=False)

    def for_user(self, user: User) -> ReminderQuerySet:
        """Reminders addressed to `user`: personally, to the team of one of their sites, or
        to a role they hold. Only case roles receive reminders."""
        if not user.has_any_role(*CASE_ROLES):
            return self.none()
        addressed = Q(user=user) | Q(role__in=[role.value for role in user.roles])
        if user.has_role(Role.COUNSELLOR):
            # A subquery, not user.site_ids: the navigation badge runs this on every page.
            addressed |= Q(site_id__in=user.sites.values("pk"))
        return self.filter(addressed)


class ReminderManager(models.Manager["Reminder"]):
    def get_queryset(self) -> ReminderQuerySet:
        return ReminderQuerySet(self.model, using=self._db)

    def open(self) -> ReminderQuerySet:
        return self.get_queryset().open()

    def for_user(self, user: User) -> ReminderQuerySet:
        return self.get_queryset().for_user(user)

    def schedule(
        self,
        *,
        kind: str,
        label: str,
        label_params: Mapping[str, str | date] | None = None,
        due_at: datetime,
        client: Client | None = None,
        obj: models.Model | None = None,
        user: User | None = None,
        site: Site | None = None,
        role: Role | None = None,
        dedupe_key: str | None = None,
    ) -> Reminder:
        """Schedule a reminder. With a `dedupe_key` this is idempotent: a source that calls it
        again (a nightly scan, an edited follow-up date) gets the same reminder back — moved
        to the new time while it is still pending, untouched once it was delivered or closed —
        so each source fires once."""
        if [user is not None, site is not None, role is not None].count(True) != 1:
            raise ValueError("A reminder is for exactly one user, site or role.")
        fields: dict[str, Any] = {
            "kind": kind,
            "label": label,
            "label_params": {
                name: {"date": value.isoformat()} if isinstance(value, date) else value
                for name, value in (label_params or {}).items()
            },
            "due_at": due_at,
            "client": client,
            "content_type": ContentType.objects.get_for_model(obj) if obj is not None else None,
            "object_id": str(obj.pk) if obj is not None else "",
            "user": user,
            "site": site,
            "role": role.value if role is not None else "",
        }
        if dedupe_key is None:
            return self.create(**fields)
        with transaction.atomic():
            reminder, created = self.select_for_update().get_or_create(
                dedupe_key=dedupe_key, defaults=fields
            )
            if not created and reminder.is_pending:
                for name, value in fields.items():
                    setattr(reminder, name, value)
                reminder.save()
        return reminder

    def cancel(self, dedupe_key: str, *, by: User | None = None) -> int:
        """Dismiss the open reminder scheduled under `dedupe_key` (its source went away)."""
        return (
            self.open()
            .filter(dedupe_key=dedupe_key)
            .update(dismissed_at=timezone.now(), dismissed_by=by)
        )


class Reminder(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Namespaced like audit actions: "casework.visit.follow_up", "referrals.appointment.soon".
    kind = models.CharField(_("kind"), max_length=60)
    # Shown in the list and nowhere else; never a name, a note or anything about the person.
    # Stored in English with its values apart (`label_params`) and translated when shown, so
    # each reader sees it in their own language (see `text`).
    label = models.CharField(_("what"), max_length=120)
    label_params = models.JSONField(default=dict, blank=True)
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=40, blank=True)
    # Lists prefetch it: `prefetch_related("obj")`.
    obj = GenericForeignKey("content_type", "object_id")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    role = models.CharField(max_length=20, blank=True, choices=ROLE_CHOICES)

    due_at = models.DateTimeField(_("due"))
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ReminderManager()

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(
                name="casework_reminder_one_recipient",
                condition=(
                    Q(user__isnull=False, site__isnull=True, role="")
                    | Q(user__isnull=True, site__isnull=False, role="")
                    | (Q(user__isnull=True, site__isnull=True) & ~Q(role=""))
                ),
            )
        ]
        indexes = [
            # What the dispatcher scans every minute: small, because delivered rows leave it.
            models.Index(
                fields=["due_at"],
                name="casework_reminder_pending",
                condition=Q(
                    delivered_at__isnull=True, done_at__isnull=True, dismissed_at__isnull=True
                ),
            ),
            # What the navigation badge counts on every page, and the reminder list shows:
            # delivered and not yet seen to. A few hundred of the 100,000 reminders that ten
            # years of follow-ups leave at the design scale (docs/performance.md).
            models.Index(
                fields=["due_at"],
                name="casework_reminder_open",
                condition=Q(
                    delivered_at__isnull=False, done_at__isnull=True, dismissed_at__isnull=True
                ),
            ),
        ]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"reminder {self.pk} ({self.kind})"

    @property
    def text(self) -> str:
        """The label in the reader's language, its values filled in (dates in their format)."""
        params = {
            name: date_format(date.fromisoformat(value["date"]))
            if isinstance(value, dict)
            else value
            for name, value in self.label_params.items()
        }
        return gettext(self.label) % params if params else gettext(self.label)

    @property
    def is_pending(self) -> bool:
        return self.delivered_at is None and self.is_open

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.dismissed_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()

    def target_url(self) -> str:
        """Where working this reminder starts: its object's page, else the client's."""
        obj = self.obj
        if obj is not None and hasattr(obj, "get_absolute_url"):
            url: str = obj.get_absolute_url()
            return url
        if self.client is not None and self.client.code:
            return reverse("casework:client", args=[self.client.code])
        return reverse("casework:reminders")

    def mark_done(self, user: User) -> None:
        self.done_at = timezone.now()
        self.done_by = user
        self.save(update_fields=["done_at", "done_by"])

    def dismiss(self, user: User) -> None:
        self.dismissed_at = timezone.now()
        self.dismissed_by = user
        self.save(update_fields=["dismissed_at", "dismissed_by"])


class ReminderSettings(models.Model):
    """A staff member's choice to get an e-mail when reminders are due (off by default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_settings"
    )
    email_when_due = models.BooleanField(
        _("e-mail me when reminders are due"),
        default=False,
        help_text=_('The e-mail only says "you have N reminders due" — nothing about anyone.'),
    )

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return f"reminder settings of user {self.user_id}"
