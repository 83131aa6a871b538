"""Navigation by role, computed once per request."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.roles import Role

# (label, url name, roles that see it). Each feature adds its own line.
NAV_ITEMS: list[tuple[Any, str, frozenset[Role]]] = [
    (_("Home"), "home", frozenset(Role)),
    (_("Clients"), "casework:search", frozenset({Role.COUNSELLOR, Role.COORDINATOR})),
    (_("Reminders"), "casework:reminders", frozenset({Role.COUNSELLOR, Role.COORDINATOR})),
    (_("Mail desk"), "casework:address_desk", frozenset({Role.COUNSELLOR, Role.COORDINATOR})),
    (_("Addresses"), "casework:address_list", frozenset({Role.COORDINATOR})),
    (_("Referrals"), "referrals:referral_list", frozenset({Role.COUNSELLOR, Role.COORDINATOR})),
    (_("Referral desk"), "referrals:dashboard", frozenset({Role.COORDINATOR})),
    (_("Providers"), "referrals:provider_list", frozenset({Role.COUNSELLOR, Role.COORDINATOR})),
    (_("Funds"), "referrals:fund_list", frozenset({Role.COORDINATOR})),
    (_("Reports"), "reporting:report", frozenset({Role.REPORTING, Role.COORDINATOR})),
    (_("Staff"), "core:user_list", frozenset({Role.ADMINISTRATOR})),
    (_("Invitations"), "core:invitation_list", frozenset({Role.ADMINISTRATOR})),
]

# A number shown next to a nav item: url name -> dotted path of `f(request) -> int`.
NAV_BADGES: dict[str, str] = {
    "casework:reminders": "casework.reminders.nav_badge",
}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        # The log-in and invitation pages show whose service this is.
        return {"nav_items": [], "organisation_name": _organisation_name()}
    items = [
        {
            "label": label,
            "url": reverse(name),
            "active": request.path == reverse(name),
            "badge": import_string(NAV_BADGES[name])(request) if name in NAV_BADGES else 0,
        }
        for label, name, roles in NAV_ITEMS
        if user.has_any_role(*roles) or name == "home"
    ]
    return {"nav_items": items, "organisation_name": _organisation_name()}


def _organisation_name() -> str:
    from django.conf import settings

    return str(settings.ORGANISATION_NAME)
