import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SITES, demo_email
from core.models import Site, User
from core.roles import Role
from tests.totp import fresh_window


def _seed(capsys: pytest.CaptureFixture[str]) -> str:
    call_command("seed_demo")
    return capsys.readouterr().out


def _current_code(email: str, capsys: pytest.CaptureFixture[str]) -> str:
    call_command("demo_totp", email)
    return capsys.readouterr().out.strip()


@pytest.mark.django_db
@pytest.mark.parametrize("command", [["seed_demo"], ["demo_totp", "counsellor@demo.invalid"]])
def test_demo_commands_refuse_to_run_without_debug(settings, command):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command(*command)

    assert not User.objects.exists()


@pytest.mark.django_db
def test_seed_demo_creates_one_account_per_role_and_is_idempotent(settings, capsys):
    settings.DEBUG = True

    _seed(capsys)
    out = _seed(capsys)

    assert Site.objects.filter(name__in=DEMO_SITES).count() == len(DEMO_SITES)
    users = User.objects.filter(email__endswith="@demo.invalid")
    assert {frozenset(user.roles) for user in users} == {frozenset({role}) for role in Role}
    counsellor = users.get(email=demo_email("counsellor"))
    assert [site.name for site in counsellor.sites.all()] == ["Demo drop-in Central"]
    assert not users.get(email=demo_email("coordinator")).sites.exists()
    for user in users:
        assert user.check_password(DEMO_PASSWORD)
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).count() == 1
    for local_part, *_ in DEMO_ACCOUNTS:
        assert demo_email(local_part) in out
    assert DEMO_PASSWORD in out
    assert "demo_totp" in out


@pytest.mark.django_db
def test_demo_totp_prints_a_code_the_authenticator_accepts(settings, capsys):
    settings.DEBUG = True
    _seed(capsys)
    authenticator = Authenticator.objects.get(
        user__email=demo_email("coordinator"), type=Authenticator.Type.TOTP
    )

    fresh_window()
    code = _current_code(demo_email("coordinator"), capsys)

    assert len(code) == 6
    assert code.isdigit()
    assert TOTP(authenticator).validate_code(code)


@pytest.mark.django_db
def test_demo_totp_refuses_accounts_that_are_not_demo_accounts(settings, coordinator):
    settings.DEBUG = True

    with pytest.raises(CommandError, match="demo accounts"):
        call_command("demo_totp", coordinator.email)


@pytest.mark.django_db
def test_demo_counsellor_logs_in_with_password_and_code(settings, capsys, client):
    settings.DEBUG = True
    _seed(capsys)
    email = demo_email("counsellor")

    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not signed in before the code

    response = client.post(
        reverse("mfa_authenticate"), {"code": _current_code(email, capsys)}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.status_code == 200
    assert response.context["user"].email == email
