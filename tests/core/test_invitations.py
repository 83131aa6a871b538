"""Staff join only by invitation: a single-use, expiring link an administrator sends."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, Invitation, User
from core.roles import Role
from core.services import invitation_create
from tests.factories import SiteFactory

NEW_PASSWORD = "a long and unusual passphrase 7"


def invite(administrator, role=Role.COUNSELLOR, sites=(), email="new.person@example.org"):
    return invitation_create(invited_by=administrator, email=email, role=role, sites=sites)


def accept_url(token: str) -> str:
    return reverse("core:invitation_accept", args=[token])


@pytest.fixture
def pending(administrator, site_a):
    invitation, token = invite(administrator, sites=[site_a])
    return invitation, token


# --- Access ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["core:invitation_list", "core:invitation_create"])
def test_anonymous_visitors_are_sent_to_log_in(anonymous_client, name):
    url = reverse(name)
    response = anonymous_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["counsellor_a_client", "coordinator_client", "reporting_client"]
)
def test_only_administrators_manage_invitations(request, persona, pending):
    client = request.getfixturevalue(persona)
    invitation, _token = pending
    assert client.get(reverse("core:invitation_list")).status_code == 403
    assert client.get(reverse("core:invitation_create")).status_code == 403
    response = client.post(reverse("core:invitation_create"), {"email": "x@example.org"})
    assert response.status_code == 403
    revoke = reverse("core:invitation_revoke", args=[invitation.public_id])
    assert client.post(revoke).status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert not Invitation.objects.filter(email="x@example.org").exists()


@pytest.mark.django_db
def test_wrong_methods_are_refused(administrator_client, pending):
    invitation, token = pending
    assert administrator_client.post(reverse("core:invitation_list")).status_code == 405
    assert administrator_client.put(reverse("core:invitation_create")).status_code == 405
    revoke = reverse("core:invitation_revoke", args=[invitation.public_id])
    assert administrator_client.delete(revoke).status_code == 405
    assert administrator_client.put(accept_url(token)).status_code == 405


# --- Creating ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_administrator_invites_a_counsellor(administrator_client, administrator, site_a, site_b):
    response = administrator_client.post(
        reverse("core:invitation_create"),
        {"email": "New.Person@Example.org", "role": "counsellor", "sites": [site_a.pk]},
    )

    assert response.status_code == 200
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@example.org"
    assert invitation.role == Role.COUNSELLOR
    assert list(invitation.sites.all()) == [site_a]
    assert invitation.invited_by == administrator
    lifetime = invitation.expires_at - invitation.created_at
    assert abs(lifetime - Invitation.VALID_FOR) < timedelta(seconds=5)
    # The page shows the link once; the database keeps only a hash of its token.
    link = response.context["link"]
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert link in response.content.decode()
    assert token not in invitation.token_hash
    assert Invitation.find_usable(token) == invitation
    entry = AuditEntry.objects.get(action="core.invitation.created")
    assert entry.actor == administrator
    assert entry.object_ref == str(invitation.pk)
    assert entry.details == {"role": "counsellor", "sites": 1}


@pytest.mark.django_db
def test_the_email_carries_only_the_link_and_the_organisation(
    administrator_client, site_a, settings
):
    settings.ORGANISATION_NAME = "Drop-in Nord"
    response = administrator_client.post(
        reverse("core:invitation_create"),
        {"email": "new.person@example.org", "role": "counsellor", "sites": [site_a.pk]},
    )

    [message] = mail.outbox
    assert message.to == ["new.person@example.org"]
    assert "Drop-in Nord" in message.subject
    body = message.body
    assert response.context["link"] in body
    for detail in ("counsellor", "Counsellor", site_a.name, "admin@example.org", "new.person"):
        assert detail not in body
        assert detail not in message.subject
    urls = re.findall(r"https?://\S+", body)
    assert urls == [response.context["link"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "new@example.org", "role": "counsellor"}, "sites"),
        ({"email": "not an address", "role": "coordinator"}, "email"),
        ({"email": "counsellor.a@example.org", "role": "coordinator"}, "email"),
        ({"email": "new@example.org", "role": "superhero"}, "role"),
    ],
)
def test_invalid_invitations_re_render_with_errors(administrator_client, counsellor_a, data, field):
    response = administrator_client.post(reverse("core:invitation_create"), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox


@pytest.mark.django_db
def test_a_pending_address_cannot_be_invited_twice(administrator_client, pending):
    response = administrator_client.post(
        reverse("core:invitation_create"),
        {"email": "new.person@example.org", "role": "coordinator"},
    )
    assert "email" in response.context["form"].errors
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_sites_are_kept_only_for_counsellors(administrator, site_a):
    invitation, _token = invite(administrator, role=Role.COORDINATOR, sites=[site_a])
    assert not invitation.sites.exists()


# --- Listing and revoking ----------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_pending_invitations_only(
    administrator_client, administrator, site_a, django_assert_max_num_queries
):
    for n in range(12):
        invite(administrator, sites=[site_a], email=f"pending{n}@example.org")
    revoked, _ = invite(administrator, role=Role.REPORTING, email="revoked@example.org")
    revoked.revoked_at = timezone.now()
    revoked.save()
    with time_machine.travel(timezone.now() - Invitation.VALID_FOR - timedelta(hours=1)):
        invite(administrator, role=Role.REPORTING, email="expired@example.org")

    administrator_client.get(reverse("home"))  # the session notes MFA enrolment once
    with django_assert_max_num_queries(8):
        response = administrator_client.get(reverse("core:invitation_list"))

    page = response.content.decode()
    assert "pending11@example.org" in page
    assert "revoked@example.org" not in page
    assert "expired@example.org" not in page
    assert len(response.context["page"].object_list) == 12


@pytest.mark.django_db
def test_list_has_an_empty_state(administrator_client):
    response = administrator_client.get(reverse("core:invitation_list"))
    assert "No pending invitations." in response.content.decode()


@pytest.mark.django_db
def test_revoking_asks_first_then_kills_the_link(
    administrator_client, administrator, anonymous_client, pending
):
    invitation, token = pending
    url = reverse("core:invitation_revoke", args=[invitation.public_id])

    confirm = administrator_client.get(url)
    assert confirm.status_code == 200
    invitation.refresh_from_db()
    assert invitation.revoked_at is None

    response = administrator_client.post(url)

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    entry = AuditEntry.objects.get(action="core.invitation.revoked")
    assert entry.actor == administrator
    assert entry.object_ref == str(invitation.pk)
    assert anonymous_client.get(accept_url(token)).status_code == 410
    # A withdrawn invitation is no longer there to withdraw.
    assert administrator_client.post(url).status_code == 404


# --- Accepting ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_accepting_creates_the_account_and_leads_to_mfa_enrolment(
    anonymous_client, pending, site_a
):
    invitation, token = pending

    form = anonymous_client.get(accept_url(token))
    assert form.status_code == 200
    assert "new.person@example.org" in form.content.decode()

    response = anonymous_client.post(
        accept_url(token), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")
    user = User.objects.get(email="new.person@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert user.roles == {Role.COUNSELLOR}
    assert list(user.sites.all()) == [site_a]
    assert not user.is_staff
    assert EmailAddress.objects.get(user=user).verified
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    entry = AuditEntry.objects.get(action="core.invitation.accepted")
    assert entry.actor == user
    assert entry.object_ref == str(invitation.pk)
    # Signed in, and sent straight on to set up an authenticator app without retyping the
    # password they just chose; anything else is out of reach until then.
    assert anonymous_client.get(reverse("mfa_activate_totp")).status_code == 200
    assert anonymous_client.get(reverse("home"))["Location"] == reverse("mfa_index")


@pytest.mark.django_db
def test_an_invited_administrator_may_open_the_admin(anonymous_client, administrator):
    _invitation, token = invite(administrator, role=Role.ADMINISTRATOR, email="boss@example.org")
    anonymous_client.post(accept_url(token), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    user = User.objects.get(email="boss@example.org")
    assert user.roles == {Role.ADMINISTRATOR}
    assert user.is_staff


@pytest.mark.django_db
def test_an_invitation_works_once(anonymous_client, pending, client):
    _invitation, token = pending
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    anonymous_client.post(accept_url(token), data)

    second = client.post(accept_url(token), data)

    assert second.status_code == 410
    assert "not valid" in second.content.decode()
    assert User.objects.filter(email="new.person@example.org").count() == 1


@pytest.mark.django_db
def test_an_invitation_expires(anonymous_client, pending):
    _invitation, token = pending
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    with time_machine.travel(timezone.now() + Invitation.VALID_FOR + timedelta(minutes=1)):
        assert anonymous_client.get(accept_url(token)).status_code == 410
        assert anonymous_client.post(accept_url(token), data).status_code == 410
    assert not User.objects.filter(email="new.person@example.org").exists()


@pytest.mark.django_db
def test_a_made_up_token_gets_the_invalid_page(anonymous_client, pending):
    response = anonymous_client.get(accept_url("made-up-token"))
    assert response.status_code == 410
    assert "Ask the person who invited you" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password1", "password2", "field"),
    [
        (NEW_PASSWORD, NEW_PASSWORD + "x", "password2"),
        ("short", "short", "password1"),
        ("new.person@example.org", "new.person@example.org", "password1"),
    ],
)
def test_a_bad_password_re_renders_the_form(anonymous_client, pending, password1, password2, field):
    invitation, token = pending
    response = anonymous_client.post(
        accept_url(token), {"password1": password1, "password2": password2}
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(email="new.person@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_a_signed_in_user_is_asked_to_log_out_first(counsellor_a_client, pending):
    invitation, token = pending
    response = counsellor_a_client.post(
        accept_url(token), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 409
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_public_sign_up_is_closed(anonymous_client):
    response = anonymous_client.post(
        reverse("account_signup"),
        {"email": "walk.in@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="walk.in@example.org").exists()


@pytest.mark.django_db
def test_inactive_sites_are_not_offered(administrator_client):
    SiteFactory(name="Closed site", is_active=False)
    response = administrator_client.get(reverse("core:invitation_create"))
    assert "Closed site" not in response.content.decode()
