"""Staff accounts, the sites they work at, and invitations to join."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    Group,
    PermissionsMixin,
)
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import CASE_ROLES, ROLE_CHOICES, Role


class Site(models.Model):
    """A drop-in location. Counsellors are bound to one or more sites."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.TextField(_("public address"), blank=True)
    opening_hours = models.TextField(
        _("drop-in hours"), blank=True, help_text=_("Printed on client cards.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A staff account. Clients never have accounts."""

    # Pages about a user carry this random id, never the sequential key.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    sites = models.ManyToManyField(Site, blank=True, related_name="staff", verbose_name=_("sites"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    is_staff = models.BooleanField(_("may open the admin site"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    @cached_property
    def roles(self) -> frozenset[Role]:
        names = {group.name for group in self.groups.all()}
        return frozenset(role for role in Role if role.value in names)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def has_any_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def set_roles(self, roles: Iterable[Role]) -> None:
        """Hold exactly `roles`. Only administrators may open the Django admin."""
        wanted = set(roles)
        self.groups.set(Group.objects.filter(name__in=[role.value for role in wanted]))
        self.__dict__.pop("roles", None)
        is_staff = Role.ADMINISTRATOR in wanted
        if self.is_staff != is_staff:
            self.is_staff = is_staff
            self.save(update_fields=["is_staff"])

    @property
    def sees_case_data(self) -> bool:
        return bool(self.roles & CASE_ROLES)

    @cached_property
    def site_ids(self) -> frozenset[uuid.UUID]:
        return frozenset(self.sites.values_list("id", flat=True))


class UserSession(models.Model):
    """Which sessions belong to whom, so that deactivating a user can end them all."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="session_records")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"session of user {self.user_id}"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def usable(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A single-use, expiring link by which an administrator lets a staff member in.

    Only a hash of the token is stored: a database reader cannot use pending invitations.
    """

    VALID_FOR = timedelta(days=7)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=ROLE_CHOICES)
    sites = models.ManyToManyField(Site, blank=True, verbose_name=_("sites"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations_sent")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitation"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.role})"

    def issue_token(self) -> str:
        """Give the invitation a fresh token; the caller sends it, we keep only its hash."""
        token = secrets.token_urlsafe(32)
        self.token_hash = _hash_token(token)
        self.expires_at = timezone.now() + self.VALID_FOR
        return token

    @classmethod
    def find_usable(cls, token: str) -> Invitation | None:
        return cls.objects.usable().filter(token_hash=_hash_token(token)).first()

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
