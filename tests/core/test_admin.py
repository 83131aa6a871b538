"""The Django admin: same log-in and MFA as the app, administrators only, no personal data."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from core.models import Site, User
from core.roles import Role
from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_admin_log_in_is_allauths_keeping_next(anonymous_client):
    response = anonymous_client.get(reverse("admin:login"), {"next": "/admin/core/site/"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2Fcore%2Fsite%2F"


@pytest.mark.django_db
def test_anonymous_visitors_of_admin_pages_are_sent_to_log_in(anonymous_client):
    response = anonymous_client.get("/admin/core/site/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "/admin/core/site/" in response.redirect_chain[-1][0]
    assert response.templates[0].name == "account/login.html"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["counsellor_a_client", "coordinator_client", "reporting_client"]
)
def test_only_staff_reach_the_admin(request, persona):
    client = request.getfixturevalue(persona)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403


@pytest.mark.django_db
def test_administrators_manage_sites_in_the_admin(administrator_client):
    assert administrator_client.get("/admin/").status_code == 200
    response = administrator_client.post(
        "/admin/core/site/add/",
        {"name": "Drop-in Süd", "address": "", "opening_hours": "", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Site.objects.filter(name="Drop-in Süd", is_active=True).exists()


@pytest.mark.django_db
def test_staff_without_the_administrator_role_see_nothing(coordinator):
    coordinator.is_staff = True
    coordinator.save()
    client = Client()
    client.force_login(coordinator)
    assert client.get("/admin/core/site/").status_code == 403


@pytest.mark.django_db
def test_the_user_page_shows_no_password_hash_and_changes_no_roles(
    administrator_client, counsellor_a
):
    url = reverse("admin:core_user_change", args=[counsellor_a.pk])
    page = administrator_client.get(url).content.decode()
    assert counsellor_a.password not in page
    assert counsellor_a.password.split("$")[-1] not in page
    assert 'name="groups"' not in page
    assert 'name="is_active"' not in page

    administrator_client.post(url, {"display_name": "Renamed", "language": "de", "groups": [1]})
    user = User.objects.get(pk=counsellor_a.pk)
    assert user.display_name == "Renamed"
    assert user.roles == {Role.COUNSELLOR}


@pytest.mark.django_db
def test_accounts_are_neither_added_nor_deleted_in_the_admin(administrator_client):
    victim = UserFactory()
    assert administrator_client.get("/admin/core/user/add/").status_code == 403
    response = administrator_client.post(
        reverse("admin:core_user_delete", args=[victim.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert User.objects.filter(pk=victim.pk).exists()


def test_roles_mfa_devices_and_addresses_are_not_in_the_admin():
    for model in (Group, Authenticator, EmailAddress):
        assert not admin.site.is_registered(model)
    assert admin.site.is_registered(Site)
    assert admin.site.is_registered(User)
