"""The Django admin: administrators only, behind the same log-in and MFA as everything else.

Only non-personal models are registered. Roles are not edited here: the staff page audits
every change (core.views_users).
"""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from core.models import Site, User
from core.roles import Role, sudo_required

# No admin log-in form of its own: anonymous visitors go to allauth's log-in (and its MFA
# stage), keeping `next`; signed-in users who are not staff get 403.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

# Roles, MFA devices and e-mail records change only through audited pages.
for model in (Group, Authenticator, EmailAddress):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class AdministratorsOnly(admin.ModelAdmin):
    """The administrator role, not per-model permissions, opens these pages."""

    def _is_administrator(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or user.has_role(Role.ADMINISTRATOR))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request)

    # Changing accounts and sites is managing staff, as on the staff pages: sudo mode. Pages
    # open as usual; saving, deleting and list actions need a fresh password or passkey check.
    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        view = sudo_required(super().changeform_view)
        return view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return sudo_required(super().delete_view)(request, object_id, extra_context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return sudo_required(super().changelist_view)(request, extra_context)


@admin.register(Site)
class SiteAdmin(AdministratorsOnly):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(AdministratorsOnly):
    """Read-mostly: accounts are created by invitation and managed on the staff page."""

    list_display = ["email", "display_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff"]
    search_fields = ["email", "display_name"]
    fields = [
        "email",
        "display_name",
        "language",
        "roles_display",
        "sites",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    ]
    readonly_fields = [
        "email",
        "roles_display",
        "sites",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    ]

    @admin.display(description=_("roles"))
    def roles_display(self, user: User) -> str:
        return ", ".join(sorted(role.label for role in user.roles)) or "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Accounts are deactivated, never deleted: the audit trail points at them.
        return False
