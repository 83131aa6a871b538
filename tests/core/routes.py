"""Every URL of the project, made concrete with real objects of site A, and who may reach it.

The role-by-view matrix (test_access_matrix.py) and the header check (test_security_headers.py)
both walk the URL resolver through tests/core/test_urls.py, so a URL added later is in both
without anyone remembering it; the matrix fails until the new URL gets a line in ACCESS below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.urls import resolve, reverse
from django.utils import timezone

from casework.models import Client, Reminder, Visit
from casework.models.addresses import MailItem, PostalAddress, SlotAssignment, WaitlistEntry
from casework.services_addresses import waitlist_add
from core.models import Invitation, Site, User
from core.roles import Role
from core.services import invitation_create
from referrals.models import CostGuarantee, Invoice, Referral
from tests.casework.addresses.conftest import assign, letter, make_address
from tests.core.test_auth import add_fake_security_key
from tests.core.test_urls import REACHABLE, Route
from tests.factories import ClientFactory, UserFactory, VisitFactory
from tests.referrals.factories import CostGuaranteeFactory, InvoiceFactory, ReferralFactory

# The cast of STYLE.md; each name is also a `<name>_client` fixture in tests/conftest.py.
COUNSELLOR_A = "counsellor_a"
COUNSELLOR_B = "counsellor_b"
COORDINATOR = "coordinator"
REPORTING = "reporting"
ADMINISTRATOR = "administrator"
ANONYMOUS = "anonymous"
PERSONAS = (COUNSELLOR_A, COUNSELLOR_B, COORDINATOR, REPORTING, ADMINISTRATOR, ANONYMOUS)

SIGNED_IN = frozenset({COUNSELLOR_A, COUNSELLOR_B, COORDINATOR, REPORTING, ADMINISTRATOR})
EVERYONE = SIGNED_IN | {ANONYMOUS}
# Case work that is about no single person, or about nothing tied to a site.
CASE = frozenset({COUNSELLOR_A, COUNSELLOR_B, COORDINATOR})
# About one person or object of site A: the counsellor of site B gets 404, never 403.
SITE_A = frozenset({COUNSELLOR_A, COORDINATOR})
COORDINATION = frozenset({COORDINATOR})
REPORTS = frozenset({REPORTING, COORDINATOR})
ADMINISTRATION = frozenset({ADMINISTRATOR})
NOBODY: frozenset[str] = frozenset()

# Who may reach each URL (route key as in test_urls.py). Everyone else is refused: anonymous
# visitors are sent to log in, signed-in staff of the wrong role get 403, and the counsellor of
# site B gets 404 where the counsellor of site A may go (the object belongs to site A).
ACCESS: dict[str, frozenset[str]] = {
    "home": SIGNED_IN,
    # allauth: log-in, the account's own e-mail, password and second factors.
    "account_login": EVERYONE,
    "account_logout": EVERYONE,
    "account_inactive": EVERYONE,
    "account_signup": EVERYONE,
    "account_reauthenticate": SIGNED_IN,
    "account_email": SIGNED_IN,
    "account_email_verification_sent": EVERYONE,
    "account_change_password": SIGNED_IN,
    "account_set_password": SIGNED_IN,
    "account_reset_password": EVERYONE,
    # Log-in stages (public in test_urls.py): without a log-in under way they send an anonymous
    # visitor to the log-in form.
    "account_confirm_login_code": SIGNED_IN,
    "account_confirm_email": EVERYONE,
    "account_reset_password_from_key_done": EVERYONE,
    "account_reset_password_from_key": EVERYONE,
    "account_reset_password_done": EVERYONE,
    "mfa_index": SIGNED_IN,
    "mfa_authenticate": SIGNED_IN,
    "mfa_reauthenticate": SIGNED_IN,
    "mfa_activate_totp": SIGNED_IN,
    "mfa_deactivate_totp": SIGNED_IN,
    "mfa_view_recovery_codes": frozenset({COUNSELLOR_A}),
    "mfa_generate_recovery_codes": SIGNED_IN,
    "mfa_download_recovery_codes": frozenset({COUNSELLOR_A}),
    "mfa_list_webauthn": SIGNED_IN,
    "mfa_add_webauthn": SIGNED_IN,
    "mfa_reauthenticate_webauthn": SIGNED_IN,
    "mfa_login_webauthn": SIGNED_IN,
    # A colleague's security key (see NOT_FOUND_FOR).
    "mfa_edit_webauthn": NOBODY,
    "/accounts/2fa/webauthn/keys/1/remove/": NOBODY,
    # Staff management.
    "core:user_list": ADMINISTRATION,
    "core:user_edit": ADMINISTRATION,
    "core:user_deactivate": ADMINISTRATION,
    "core:user_reactivate": ADMINISTRATION,
    "core:invitation_list": ADMINISTRATION,
    "core:invitation_create": ADMINISTRATION,
    "core:invitation_revoke": ADMINISTRATION,
    "core:invitation_accept": EVERYONE,
    # Clients and visits.
    "casework:search": CASE,
    "casework:today": CASE,
    "casework:client_create": CASE,
    "casework:client": SITE_A,
    "casework:client_edit": SITE_A,
    "casework:client_card": SITE_A,
    "casework:client_record": SITE_A,
    "casework:needs_assess": SITE_A,
    "casework:visit_create": SITE_A,
    "casework:client_merge": COORDINATION,
    "casework:client_erase": COORDINATION,
    "casework:visit_quick": CASE,
    "casework:visit_edit": SITE_A,
    "casework:reminders": CASE,
    "casework:reminder_settings": CASE,
    "casework:reminder_done": frozenset({COUNSELLOR_A}),
    "casework:reminder_dismiss": frozenset({COUNSELLOR_A}),
    "casework:topics": COORDINATION,
    "casework:topic_edit": COORDINATION,
    # The address service and its mail desk.
    "casework:address_desk": CASE,
    "casework:address_mail_log": CASE,
    "casework:address_mail_detail": SITE_A,
    "casework:address_mail_hand_over": SITE_A,
    "casework:address_mail_return": SITE_A,
    "casework:address_client_lookup": CASE,
    "casework:address_client": SITE_A,
    "casework:address_assign": SITE_A,
    "casework:address_waitlist_add": SITE_A,
    "casework:address_assignment_renew": SITE_A,
    "casework:address_assignment_end": SITE_A,
    "casework:address_assignment_letter": SITE_A,
    "casework:address_waitlist": CASE,
    "casework:address_waitlist_withdraw": SITE_A,
    "casework:address_list": COORDINATION,
    "casework:address_create": COORDINATION,
    "casework:address_slots": SITE_A,
    "casework:address_edit": COORDINATION,
    # Referrals, the provider directory, funds and cost guarantees.
    "referrals:referral_list": CASE,
    "referrals:dashboard": COORDINATION,
    "referrals:referral_create": SITE_A,
    "referrals:referral_detail": SITE_A,
    "referrals:referral_edit": SITE_A,
    "referrals:referral_transition": SITE_A,
    "referrals:referral_slip": SITE_A,
    "referrals:referral_follow": COORDINATION,
    "referrals:guarantee_create": COORDINATION,
    "referrals:provider_list": CASE,
    "referrals:provider_create": COORDINATION,
    "referrals:directory_export": COORDINATION,
    "referrals:directory_import": COORDINATION,
    "referrals:provider_detail": CASE,
    "referrals:provider_edit": COORDINATION,
    "referrals:fund_list": COORDINATION,
    "referrals:fund_create": COORDINATION,
    "referrals:fund_detail": COORDINATION,
    "referrals:fund_edit": COORDINATION,
    "referrals:fund_budget": COORDINATION,
    "referrals:guarantee_detail": COORDINATION,
    "referrals:guarantee_close": COORDINATION,
    "referrals:invoice_create": COORDINATION,
    "referrals:invoice_step": COORDINATION,
    # Anonymised statistics.
    "reporting:report": REPORTS,
    "reporting:report_csv": REPORTS,
    "reporting:recompute": COORDINATION,
    # Plumbing.
    "set_language": EVERYONE,
    "healthz": EVERYONE,
    # The Django admin: sites and (read-mostly) accounts, for administrators.
    "admin:index": ADMINISTRATION,
    # Public, but only to hand anonymous visitors to allauth's log-in; non-staff get 403.
    "admin:login": ADMINISTRATION,
    "admin:logout": ADMINISTRATION,
    "admin:password_change": ADMINISTRATION,
    "admin:password_change_done": ADMINISTRATION,
    # No admin form uses autocomplete, so it answers 403 to everyone (Django's own check).
    "admin:autocomplete": NOBODY,
    "admin:jsi18n": ADMINISTRATION,
    "admin:view_on_site": NOBODY,
    "admin:core_site_changelist": ADMINISTRATION,
    "admin:core_site_add": ADMINISTRATION,
    "admin:core_site_history": ADMINISTRATION,
    "admin:core_site_delete": ADMINISTRATION,
    "admin:core_site_change": ADMINISTRATION,
    "/admin/core/site/1/": ADMINISTRATION,
    "admin:core_user_changelist": ADMINISTRATION,
    # Accounts come by invitation and are never deleted: 403 for the administrator too.
    "admin:core_user_add": NOBODY,
    "admin:core_user_history": ADMINISTRATION,
    "admin:core_user_delete": NOBODY,
    "admin:core_user_change": ADMINISTRATION,
    "/admin/core/user/1/": ADMINISTRATION,
    "admin:app_list": ADMINISTRATION,
    "/admin/no-such-page/": NOBODY,
}

# Where a persona that passes the role check still finds nothing (404, never 403), beyond
# the counsellor of site B on site-A objects (see expected()).
_NOT_COUNSELLOR_A = SIGNED_IN - {COUNSELLOR_A}
NOT_FOUND_FOR: dict[str, frozenset[str]] = {
    # A colleague's security key: no other account finds it (one's own: test_auth.py).
    "mfa_edit_webauthn": SIGNED_IN,
    "/accounts/2fa/webauthn/keys/1/remove/": SIGNED_IN,
    # Counsellor A's recovery codes: the other accounts have none.
    "mfa_view_recovery_codes": _NOT_COUNSELLOR_A,
    "mfa_download_recovery_codes": _NOT_COUNSELLOR_A,
    # A reminder addressed to counsellor A is theirs: not even a coordinator ticks it off.
    "casework:reminder_done": frozenset({COUNSELLOR_B, COORDINATOR}),
    "casework:reminder_dismiss": frozenset({COUNSELLOR_B, COORDINATOR}),
    # No model has a page of its own to jump to, so "view on site" finds nothing.
    "admin:view_on_site": ADMINISTRATION,
    # The admin's catch-all: past its own log-in check, an unknown page is not found.
    "/admin/no-such-page/": ADMINISTRATION,
}

# Views that answer POST only; the others are asked with GET, which changes nothing.
POST_ONLY = {
    "casework:reminder_settings",
    "casework:reminder_done",
    "casework:reminder_dismiss",
    "casework:address_waitlist_add",
    "referrals:referral_follow",
    "referrals:fund_budget",
    "reporting:recompute",
    "core:user_reactivate",
    "set_language",
    "admin:logout",
}


@dataclass
class World:
    """One of everything, at site A, for URLs that name an object."""

    site: Site
    client: Client
    other_client: Client
    visit: Visit
    reminder: Reminder
    referral: Referral
    guarantee: CostGuarantee
    invoice: Invoice
    address: PostalAddress
    assignment: SlotAssignment
    mail: MailItem
    waitlist_entry: WaitlistEntry
    colleague: User
    invitation: Invitation
    invitation_token: str
    security_key: Authenticator

    def sample(self, route_key: str, name: str) -> Any:
        """The value of URL argument `name` in the URL of `route_key`."""
        if route_key == "casework:topic_edit":
            return "health"
        if route_key.startswith("admin:"):
            return self._admin_sample(route_key, name)
        if route_key == "core:invitation_revoke":
            return self.invitation.public_id
        values: dict[str, Any] = {
            "code": self.client.code,
            "visit_id": self.visit.pk,
            "reminder_id": self.reminder.pk,
            "mail_id": self.mail.pk,
            "assignment_id": self.assignment.pk,
            "entry_id": self.waitlist_entry.pk,
            "address_id": self.address.pk,
            "referral_id": self.referral.pk,
            "transition": "send",
            "provider_id": self.referral.provider_id,
            "fund_id": self.guarantee.fund_id,
            "period_slug": self.guarantee.fund.current_period().slug,
            "guarantee_id": self.guarantee.pk,
            "invoice_id": self.invoice.pk,
            "step": "check",
            "public_id": self.colleague.public_id,
            "token": self.invitation_token,
            "pk": self.security_key.pk,
            # Links from e-mails: any value reaches the view, which says the link is bad.
            "key": "sample-key",
            "uidb36": "1",
        }
        return values[name]

    def _admin_sample(self, route_key: str, name: str) -> Any:
        if name == "app_label":
            return "core"
        if name == "content_type_id":
            return ContentType.objects.get_for_model(User).pk
        if "core_site" in route_key:
            return self.site.pk
        return self.colleague.pk


def build_world(site_a: Site, counsellor_a: User, coordinator: User, administrator: User) -> World:
    client = ClientFactory(registered_site=site_a, name="Amina Diallo")
    other_client = ClientFactory(registered_site=site_a)
    visit = VisitFactory(client=client, site=site_a, counsellor=counsellor_a)
    reminder = Reminder.objects.schedule(
        kind="casework.visit.follow_up",
        label="Call back (follow-up from a visit)",
        due_at=timezone.now(),
        client=client,
        obj=visit,
        user=counsellor_a,
    )
    referral = ReferralFactory(client=client, followed_by=counsellor_a, created_by=counsellor_a)
    guarantee = CostGuaranteeFactory(referral=referral, issued_by=coordinator)
    invoice = InvoiceFactory(guarantee=guarantee)
    address = make_address(site_a, coordinator, name="Office A")
    assignment = assign(client, address, coordinator, number=2)
    RecoveryCodes.activate(counsellor_a)
    colleague = UserFactory(roles=[Role.COUNSELLOR], sites=[site_a])
    invitation, token = invitation_create(
        invited_by=administrator,
        email="new.colleague@example.org",
        role=Role.COUNSELLOR,
        sites=[site_a],
    )
    return World(
        site=site_a,
        client=client,
        other_client=other_client,
        visit=visit,
        reminder=reminder,
        referral=referral,
        guarantee=guarantee,
        invoice=invoice,
        address=address,
        assignment=assignment,
        mail=letter(assignment, coordinator),
        waitlist_entry=waitlist_add(client=other_client, address=address, actor=coordinator),
        colleague=colleague,
        invitation=invitation,
        invitation_token=token,
        security_key=add_fake_security_key(colleague),
    )


# Unnamed patterns: the admin's redirects from an object's old URL, and its catch-all.
_UNNAMED_URLS: dict[str, Callable[[World], str]] = {
    "/accounts/2fa/webauthn/keys/1/remove/": (
        lambda world: f"/accounts/2fa/webauthn/keys/{world.security_key.pk}/remove/"
    ),
    "/admin/core/site/1/": lambda world: f"/admin/core/site/{world.site.pk}/",
    "/admin/core/user/1/": lambda world: f"/admin/core/user/{world.colleague.pk}/",
    "/admin/no-such-page/": lambda world: "/admin/no-such-page/",
}


def url_for(route: Route, world: World) -> str:
    if route.key in _UNNAMED_URLS:
        return _UNNAMED_URLS[route.key](world)
    kwargs = resolve(route.path).kwargs
    if not kwargs:
        return route.path
    return reverse(route.key, kwargs={name: world.sample(route.key, name) for name in kwargs})


def method_for(route: Route) -> str:
    return "post" if route.key in POST_ONLY else "get"


# What a persona meets at a URL.
REACHED = "reached"
LOG_IN = "sent to log in"
FORBIDDEN = "403"
NOT_FOUND = "404"
WRONG_METHOD = "405: add the route to POST_ONLY"


def expected(route_key: str, persona: str) -> str:
    allowed = ACCESS[route_key]
    if persona in allowed:
        return REACHED
    if persona == ANONYMOUS:
        return LOG_IN
    hidden = NOT_FOUND_FOR.get(route_key, {COUNSELLOR_B} if COUNSELLOR_A in allowed else set())
    if persona in hidden:
        return NOT_FOUND
    return FORBIDDEN


def outcome(
    http: HttpClient, method: str, url: str, *, secure: bool = False
) -> tuple[str, HttpResponse]:
    response = getattr(http, method)(url, secure=secure)
    for _hop in range(2):
        if not _redirects_to(response, "admin:index", "admin:login"):
            break
        # The admin sends visitors on to its log-in page, which hands anonymous ones to
        # allauth's log-in and refuses signed-in staff who are not administrators.
        response = http.get(response["Location"], secure=secure)
    if _redirects_to(response, "account_login"):
        return LOG_IN, response
    statuses = {403: FORBIDDEN, 404: NOT_FOUND, 405: WRONG_METHOD}
    return statuses.get(response.status_code, REACHED), response


def _redirects_to(response: HttpResponse, *names: str) -> bool:
    if response.status_code != 302:
        return False
    return urlsplit(response["Location"]).path in {reverse(name) for name in names}


ROUTE_KEYS = [route.key for route in REACHABLE]
