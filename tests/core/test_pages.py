"""allauth's pages and ours render inside base.html, with labels on every input."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

# Inputs a person never types into.
_UNLABELLED_TYPES = {"hidden", "submit", "button"}


class PageAudit(HTMLParser):
    """Collects what the accessibility and CSP checks need from one page."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.label_targets: set[str] = set()
        self.fields: list[dict[str, str | None]] = []
        self.inline_scripts = 0
        self.stylesheets: list[str] = []
        self.skip_link = False
        self._open_labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        elif tag == "label":
            self._open_labels += 1
            if a.get("for"):
                self.label_targets.add(a["for"] or "")
        elif tag in {"input", "select", "textarea"}:
            if (a.get("type") or "text") not in _UNLABELLED_TYPES:
                self.fields.append({**a, "_wrapped": "yes" if self._open_labels else None})
        elif tag == "script":
            if not a.get("src") and a.get("type") != "application/json":
                self.inline_scripts += 1
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a.get("href") or "")
        elif tag == "a" and "skip-link" in (a.get("class") or ""):
            self.skip_link = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._open_labels -= 1

    def unlabelled(self) -> list[str]:
        return [
            str(field.get("name") or field.get("id"))
            for field in self.fields
            if not (
                field["_wrapped"]
                or field.get("aria-label")
                or field.get("aria-labelledby")
                or field.get("id") in self.label_targets
            )
        ]


def audit(html: str) -> PageAudit:
    page = PageAudit()
    page.feed(html)
    return page


def assert_our_page(response) -> None:
    assert response.status_code == 200, response
    page = audit(response.content.decode())
    assert "/static/css/app.css" in page.stylesheets
    assert page.skip_link
    assert page.h1 == 1
    assert page.unlabelled() == []
    assert page.inline_scripts == 0


ANONYMOUS_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
]
SIGNED_IN_PAGES = [
    "mfa_index",
    "account_change_password",
    "account_reauthenticate",
    "mfa_reauthenticate",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_list_webauthn",
    "mfa_add_webauthn",
    "home",
    "core:user_list",
    "core:invitation_list",
    "core:invitation_create",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_public_pages(anonymous_client, name):
    assert_our_page(anonymous_client.get(reverse(name)))


@pytest.mark.django_db
def test_the_mfa_stage_of_log_in(anonymous_client, counsellor_a):
    anonymous_client.post(
        reverse("account_login"), {"login": counsellor_a.email, "password": TEST_PASSWORD}
    )
    assert_our_page(anonymous_client.get(reverse("mfa_authenticate")))


@pytest.mark.django_db
@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_signed_in_pages(administrator_client, administrator, name):
    RecoveryCodes.activate(administrator)
    administrator_client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert_our_page(administrator_client.get(reverse(name)))


@pytest.mark.django_db
def test_enrolment_pages(db):
    user = UserFactory(with_totp=False)
    client = Client()
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    response = client.get(reverse("mfa_index"))
    assert_our_page(response)
    assert "Set up a second factor to continue." in response.content.decode()
    assert_our_page(client.get(reverse("mfa_activate_totp")))
    assert not Authenticator.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_form_errors_are_tied_to_their_fields(anonymous_client):
    response = anonymous_client.post(reverse("account_login"), {"login": "", "password": ""})
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert_our_page(response)
