"""Sudo mode: sensitive actions need a fresh password or passkey check.

The sensitive actions are erasing a client, merging two clients, and managing staff: roles and
sites, deactivation, reactivation and invitations on the staff pages, accounts and sites in the
Django admin. Rotating keys has no web action at all: it is the `rotate_keys` management
command, run by whoever operates the server (docs/deploy.md), so there is nothing here to guard.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account import app_settings as allauth_settings
from django.test import Client
from django.urls import resolve, reverse

from casework.models import Client as Person
from core.models import Invitation, Site, User
from core.roles import Role
from core.services import invitation_create
from tests.conftest import recently_reauthenticated
from tests.core.test_urls import CONVERTER_SAMPLES
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

SENSITIVE = [
    "casework:client_erase",
    "casework:client_merge",
    "core:user_edit",
    "core:user_deactivate",
    "core:user_reactivate",
    "core:invitation_create",
    "core:invitation_revoke",
]


@pytest.mark.parametrize("name", SENSITIVE)
def test_every_sensitive_action_is_in_sudo_mode(name):
    kwargs = {"code": "AAA-AAA"} if name.startswith("casework:") else {}
    if "user_" in name or "revoke" in name:
        kwargs = {"public_id": CONVERTER_SAMPLES["uuid"]}
    view = resolve(reverse(name, kwargs=kwargs)).func
    chain = [view]
    while hasattr(chain[-1], "__wrapped__"):
        chain.append(chain[-1].__wrapped__)
    assert any(getattr(step, "sudo_required", False) for step in chain)


@dataclass
class Action:
    """A sensitive POST, and how to tell whether it happened."""

    actor: User
    url: str
    data: dict[str, Any]
    happened: Callable[[], bool]
    # The page itself opens without a fresh check; only submitting it needs one.
    has_page: bool = True


def _erase(coordinator: User, administrator: User, site: Any) -> Action:
    person = ClientFactory(registered_site=site)
    return Action(
        coordinator,
        reverse("casework:client_erase", args=[person.code]),
        {"confirm_code": person.code},
        lambda: Person.objects.get(pk=person.pk).is_erased,
    )


def _merge(coordinator: User, administrator: User, site: Any) -> Action:
    duplicate, survivor = ClientFactory(registered_site=site), ClientFactory(registered_site=site)
    return Action(
        coordinator,
        reverse("casework:client_merge", args=[duplicate.code]),
        {"survivor_code": survivor.code, "confirm": "1"},
        lambda: Person.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk,
    )


def _edit_roles(coordinator: User, administrator: User, site: Any) -> Action:
    colleague = UserFactory(roles=[Role.COUNSELLOR], sites=[site])
    return Action(
        administrator,
        reverse("core:user_edit", args=[colleague.public_id]),
        {"roles": [Role.COORDINATOR.value], "sites": []},
        lambda: User.objects.get(pk=colleague.pk).roles == frozenset({Role.COORDINATOR}),
    )


def _deactivate(coordinator: User, administrator: User, site: Any) -> Action:
    colleague = UserFactory(roles=[Role.COUNSELLOR], sites=[site])
    return Action(
        administrator,
        reverse("core:user_deactivate", args=[colleague.public_id]),
        {},
        lambda: not User.objects.get(pk=colleague.pk).is_active,
    )


def _reactivate(coordinator: User, administrator: User, site: Any) -> Action:
    colleague = UserFactory(roles=[Role.COUNSELLOR], sites=[site], is_active=False)
    return Action(
        administrator,
        reverse("core:user_reactivate", args=[colleague.public_id]),
        {},
        lambda: User.objects.get(pk=colleague.pk).is_active,
        has_page=False,
    )


def _invite(coordinator: User, administrator: User, site: Any) -> Action:
    email = "new.colleague@example.org"
    return Action(
        administrator,
        reverse("core:invitation_create"),
        {"email": email, "role": Role.COUNSELLOR.value, "sites": [site.pk]},
        lambda: Invitation.objects.filter(email=email).exists(),
    )


def _revoke(coordinator: User, administrator: User, site: Any) -> Action:
    invitation, _token = invitation_create(
        invited_by=administrator, email="invited@example.org", role=Role.COUNSELLOR, sites=[site]
    )
    return Action(
        administrator,
        reverse("core:invitation_revoke", args=[invitation.public_id]),
        {},
        lambda: Invitation.objects.get(pk=invitation.pk).revoked_at is not None,
    )


def _admin_rename(coordinator: User, administrator: User, site: Any) -> Action:
    colleague = UserFactory(roles=[Role.COUNSELLOR], sites=[site])
    return Action(
        administrator,
        reverse("admin:core_user_change", args=[colleague.pk]),
        {"display_name": "Renamed", "language": "de"},
        lambda: User.objects.get(pk=colleague.pk).display_name == "Renamed",
    )


def _admin_add_site(coordinator: User, administrator: User, site: Any) -> Action:
    return Action(
        administrator,
        reverse("admin:core_site_add"),
        {"name": "Drop-in North", "address": "", "opening_hours": "", "is_active": "on"},
        lambda: Site.objects.filter(name="Drop-in North").exists(),
    )


def _admin_delete_site(coordinator: User, administrator: User, site: Any) -> Action:
    spare = Site.objects.create(name="Spare room")
    return Action(
        administrator,
        reverse("admin:core_site_delete", args=[spare.pk]),
        {"post": "yes"},
        lambda: not Site.objects.filter(pk=spare.pk).exists(),
    )


def _admin_delete_sites_from_the_list(coordinator: User, administrator: User, site: Any) -> Action:
    spare = Site.objects.create(name="Spare room")
    return Action(
        administrator,
        reverse("admin:core_site_changelist"),
        {"action": "delete_selected", "_selected_action": [spare.pk], "post": "yes"},
        lambda: not Site.objects.filter(pk=spare.pk).exists(),
    )


ACTIONS = {
    "casework:client_erase": _erase,
    "casework:client_merge": _merge,
    "core:user_edit": _edit_roles,
    "core:user_deactivate": _deactivate,
    "core:user_reactivate": _reactivate,
    "core:invitation_create": _invite,
    "core:invitation_revoke": _revoke,
    # The admin's views are methods of its classes, so the structural test above cannot see
    # them; these cases can.
    "admin:core_user_change": _admin_rename,
    "admin:core_site_add": _admin_add_site,
    "admin:core_site_delete": _admin_delete_site,
    "admin:core_site_changelist": _admin_delete_sites_from_the_list,
}


def test_each_sensitive_action_has_a_case_below():
    assert set(SENSITIVE) <= set(ACTIONS)


@pytest.mark.parametrize("name", ACTIONS)
def test_a_stale_session_is_asked_to_log_in_again_and_a_fresh_one_proceeds(
    name, coordinator, administrator, site_a
):
    action = ACTIONS[name](coordinator, administrator, site_a)
    http = Client()
    http.force_login(action.actor)
    # The last password check is older than the re-authentication window.
    stale = allauth_settings.REAUTHENTICATION_TIMEOUT + 60
    recently_reauthenticated(http, action.actor, seconds_ago=stale)

    if action.has_page:
        assert http.get(action.url).status_code == 200
    response = http.post(action.url, action.data)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not action.happened()

    recently_reauthenticated(http, action.actor)
    response = http.post(action.url, action.data)

    assert response.status_code in (200, 302)
    assert action.happened()
