"""Log-in with password and a second factor; MFA for every account; rate limits; sessions."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.middleware import MFA_ENROLMENT_URL_NAMES
from core.models import AuditEntry, User, UserSession
from core.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory, totp_secret
from tests.totp import totp_code


def log_in_with_password(client: Client, email: str, password: str = TEST_PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def log_in_fully(client: Client, user: User) -> None:
    """Password, then the TOTP code: the whole log-in as a person does it."""
    response = log_in_with_password(client, user.email)
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(totp_secret(user))})
    assert response.status_code == 302


def add_fake_security_key(user: User) -> Authenticator:
    """A WebAuthn row as allauth stores one; no browser is needed to test removal rules."""
    return Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "Office key", "credential": {"id": "x", "response": {}}},
    )


def reauthenticate(client: Client) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 302


# --- The whole log-in --------------------------------------------------------------------


@pytest.mark.django_db
def test_log_in_takes_the_password_then_the_totp_code(client, counsellor_a):
    response = log_in_with_password(client, counsellor_a.email)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Between the two steps nobody is signed in.
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))

    code = totp_code(totp_secret(counsellor_a))
    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert str(counsellor_a) in home.content.decode()
    assert AuditEntry.objects.filter(action="core.auth.logged_in", actor=counsellor_a).exists()
    assert UserSession.objects.filter(
        user=counsellor_a, session_key=client.session.session_key
    ).exists()


@pytest.mark.django_db
def test_a_wrong_totp_code_does_not_sign_in(client, counsellor_a):
    log_in_with_password(client, counsellor_a.email)
    secret = totp_secret(counsellor_a)
    wrong = totp_code(secret, at=time.time() - 3600)

    response = client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="core.mfa.failed")
    assert entry.object_ref == str(counsellor_a.pk)
    assert entry.details == {"type": "totp", "reauthentication": False}


@pytest.mark.django_db
def test_a_wrong_password_is_audited_without_the_address(client, counsellor_a):
    response = log_in_with_password(client, counsellor_a.email, "not the password")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="core.auth.login_failed")
    assert entry.actor is None
    assert counsellor_a.email not in str(entry.details) + entry.object_ref


@pytest.mark.django_db
def test_log_out_ends_the_session_on_the_server(client, counsellor_a):
    log_in_fully(client, counsellor_a)
    session_key = client.session.session_key
    assert Session.objects.filter(session_key=session_key).exists()

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=session_key).exists()
    assert not UserSession.objects.filter(session_key=session_key).exists()
    assert AuditEntry.objects.filter(action="core.auth.logged_out", actor=counsellor_a).exists()
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_log_out_needs_a_post(counsellor_a_client):
    counsellor_a_client.get(reverse("account_logout"))
    assert counsellor_a_client.get(reverse("home")).status_code == 200


# --- MFA for every account ---------------------------------------------------------------


@pytest.fixture
def unenrolled() -> User:
    return UserFactory(
        email="new.admin@example.org", roles=[Role.ADMINISTRATOR], is_staff=True, with_totp=False
    )


@pytest.fixture
def unenrolled_client(unenrolled) -> Client:
    client = Client()
    log_in_with_password(client, unenrolled.email)
    assert "_auth_user_id" in client.session
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/staff/users/",
        "/staff/invitations/new/",
        "/accounts/password/change/",
        "/accounts/email/",
        "/accounts/2fa/totp/deactivate/",
        "/accounts/2fa/webauthn/",
        "/admin/",
        "/admin/core/site/",
    ],
)
def test_an_account_without_mfa_reaches_only_enrolment(unenrolled_client, url):
    for method in (unenrolled_client.get, unenrolled_client.post):
        response = method(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_index")


@pytest.mark.django_db
def test_enrolment_pages_stay_open_without_mfa(unenrolled_client):
    assert unenrolled_client.get(reverse("mfa_index")).status_code == 200
    assert unenrolled_client.get(reverse("account_reauthenticate")).status_code == 200
    # allauth asks for the password once more before a factor is added.
    response = unenrolled_client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert set(MFA_ENROLMENT_URL_NAMES) >= {"mfa_index", "mfa_activate_totp", "mfa_add_webauthn"}


@pytest.mark.django_db
def test_enrolling_totp_stores_the_secret_sealed(
    unenrolled_client, unenrolled, django_capture_on_commit_callbacks
):
    reauthenticate(unenrolled_client)
    page = unenrolled_client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret

    with django_capture_on_commit_callbacks(execute=True):
        response = unenrolled_client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    # What the database holds is a sealed token, not the secret (nor its recovery seed).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, data FROM mfa_authenticator WHERE user_id = %s", [unenrolled.pk]
        )
        # SQLite hands back JSON text, PostgreSQL a decoded jsonb value.
        rows = {
            kind: json.loads(data) if isinstance(data, str) else data
            for kind, data in cursor.fetchall()
        }
    assert set(rows) == {"totp", "recovery_codes"}
    assert secret not in json.dumps(rows)
    assert rows["totp"]["secret"].startswith("e1.")
    assert rows["recovery_codes"]["seed"].startswith("e1.")
    assert totp_secret(unenrolled) == secret
    assert AuditEntry.objects.filter(action="core.mfa.added", actor=unenrolled).exists()
    # Enrolled: the rest of the app opens.
    assert unenrolled_client.get(reverse("core:user_list")).status_code == 200


@pytest.mark.django_db
def test_a_sealed_secret_does_not_open_elsewhere(counsellor_a):
    from core.crypto import DecryptionError, master_decrypt

    token = Authenticator.objects.get(user=counsellor_a, type="totp").data["secret"]
    with pytest.raises(DecryptionError):
        master_decrypt(token, context="casework.client.name")


@pytest.mark.django_db
def test_the_last_totp_cannot_be_deactivated(counsellor_a_client, counsellor_a):
    reauthenticate(counsellor_a_client)

    response = counsellor_a_client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 200
    assert "only second factor" in response.content.decode()
    assert Authenticator.objects.filter(user=counsellor_a, type="totp").exists()


@pytest.mark.django_db
def test_totp_can_go_when_a_security_key_remains(counsellor_a_client, counsellor_a):
    add_fake_security_key(counsellor_a)
    reauthenticate(counsellor_a_client)

    response = counsellor_a_client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=counsellor_a, type="totp").exists()
    assert AuditEntry.objects.filter(action="core.mfa.removed", actor=counsellor_a).exists()


@pytest.mark.django_db
def test_the_last_security_key_cannot_be_removed(counsellor_a_client, counsellor_a):
    Authenticator.objects.filter(user=counsellor_a).delete()
    key = add_fake_security_key(counsellor_a)
    reauthenticate(counsellor_a_client)
    url = reverse("mfa_remove_webauthn", args=[key.pk])

    response = counsellor_a_client.post(url)

    assert response["Location"] == reverse("mfa_list_webauthn")
    assert Authenticator.objects.filter(pk=key.pk).exists()


@pytest.mark.django_db
def test_a_security_key_can_go_when_totp_remains(counsellor_a_client, counsellor_a):
    key = add_fake_security_key(counsellor_a)
    reauthenticate(counsellor_a_client)

    response = counsellor_a_client.post(reverse("mfa_remove_webauthn", args=[key.pk]))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=key.pk).exists()


@pytest.mark.django_db
def test_nobody_removes_someone_elses_key(counsellor_a_client, counsellor_b):
    key = add_fake_security_key(counsellor_b)
    reauthenticate(counsellor_a_client)
    response = counsellor_a_client.post(reverse("mfa_remove_webauthn", args=[key.pk]))
    assert response.status_code == 404
    assert Authenticator.objects.filter(pk=key.pk).exists()


# --- Rate limits -------------------------------------------------------------------------


@pytest.mark.django_db
def test_failed_log_ins_lock_one_account_not_the_office(counsellor_a, counsellor_b):
    office = {"REMOTE_ADDR": "203.0.113.7"}
    attacker = Client()
    for _ in range(5):
        response = log_in_with_password(attacker, counsellor_a.email, "guess", **office)
        assert response.status_code == 200

    # The account is locked: even the right password is refused for now.
    locked = Client()
    response = log_in_with_password(locked, counsellor_a.email, **office)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in locked.session

    # A colleague behind the same office address still gets in.
    colleague = Client()
    log_in_fully(colleague, counsellor_b)
    assert colleague.get(reverse("home"), **office).status_code == 200

    # And the locked account opens again once the window has passed.
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        later = Client()
        response = log_in_with_password(later, counsellor_a.email, **office)
        assert response["Location"] == reverse("mfa_authenticate")


# --- Session limits ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_idle_session_ends(counsellor_a, settings):
    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = Client()
        log_in_fully(client, counsellor_a)
        session_key = client.session.session_key

        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200

        traveller.shift(timedelta(minutes=31))
        response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/"
    assert not Session.objects.filter(session_key=session_key).exists()
    entry = AuditEntry.objects.get(action="core.auth.session_expired")
    assert entry.details == {"reason": "idle"}


@pytest.mark.django_db
def test_a_busy_session_still_ends_after_its_lifetime(counsellor_a, settings):
    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    settings.SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = Client()
        log_in_fully(client, counsellor_a)
        # Active every 20 minutes, so never idle, for just under twelve hours.
        for _ in range(35):
            traveller.shift(timedelta(minutes=20))
            assert client.get(reverse("home")).status_code == 200

        traveller.shift(timedelta(minutes=21))
        response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    entry = AuditEntry.objects.get(action="core.auth.session_expired")
    assert entry.details == {"reason": "lifetime"}


@pytest.mark.django_db
def test_staff_cannot_add_a_second_login_address(counsellor_a_client, counsellor_a):
    from allauth.account.models import EmailAddress

    response = counsellor_a_client.post(
        reverse("account_email"), {"action_add": "", "email": "other@example.org"}
    )
    assert "protected by two-factor authentication" in response.content.decode()
    assert not EmailAddress.objects.filter(email="other@example.org").exists()
    assert not User.objects.filter(email="other@example.org").exists()
