"""`manage.py create_administrator`: the one way in for the first administrator."""

from __future__ import annotations

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.models import AuditEntry, User
from core.roles import Role

PASSWORD = "a long passphrase nobody guesses"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_administrator", *args, "--password-stdin", stdout=out)
    return out.getvalue()


@pytest.fixture
def _stdin(monkeypatch):
    def use(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return use


@pytest.mark.django_db
def test_creates_an_administrator_who_must_enrol_a_second_factor(_stdin, client):
    _stdin(PASSWORD + "\n")
    output = run("First.Admin@Example.org")

    user = User.objects.get(email="first.admin@example.org")
    assert user.roles == {Role.ADMINISTRATOR}
    assert user.is_staff and not user.is_superuser
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert AuditEntry.objects.filter(action="core.user.bootstrapped", object_ref=str(user.pk))
    assert "second factor" in output

    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    # Without an authenticator the account reaches only the enrolment pages.
    response = client.get(reverse("core:user_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")


@pytest.mark.django_db
def test_refuses_while_an_administrator_exists(_stdin, administrator):
    _stdin(PASSWORD + "\n")
    with pytest.raises(CommandError, match="exists already"):
        run("second@example.org")
    assert not User.objects.filter(email="second@example.org").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "stdin", "message"),
    [
        ("not-an-address", PASSWORD + "\n", "Not an e-mail address"),
        ("weak@example.org", "password\n", "too common"),
        ("empty@example.org", "\n", "No password"),
    ],
)
def test_bad_input_creates_nothing(_stdin, email, stdin, message):
    _stdin(stdin)
    with pytest.raises(CommandError, match=message):
        run(email)
    assert not User.objects.exists()
