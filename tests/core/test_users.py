"""Administrators manage staff accounts: roles, sites, and (de)activation."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from core import views_users
from core.models import AuditEntry, User, UserSession
from core.roles import Role
from tests.conftest import recently_reauthenticated
from tests.factories import SiteFactory, UserFactory


def edit_url(user: User) -> str:
    return reverse("core:user_edit", args=[user.public_id])


def deactivate_url(user: User) -> str:
    return reverse("core:user_deactivate", args=[user.public_id])


def reactivate_url(user: User) -> str:
    return reverse("core:user_reactivate", args=[user.public_id])


def fresh(user: User) -> User:
    """A new instance: `roles` and `site_ids` are cached on the old one."""
    return User.objects.get(pk=user.pk)


# --- Access ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(anonymous_client, counsellor_a):
    for url in (
        reverse("core:user_list"),
        edit_url(counsellor_a),
        deactivate_url(counsellor_a),
        reactivate_url(counsellor_a),
    ):
        response = anonymous_client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["counsellor_a_client", "coordinator_client", "reporting_client"]
)
def test_only_administrators_manage_staff(request, persona, counsellor_b):
    client = request.getfixturevalue(persona)
    assert client.get(reverse("core:user_list")).status_code == 403
    assert client.get(edit_url(counsellor_b)).status_code == 403
    assert client.post(edit_url(counsellor_b), {"roles": ["administrator"]}).status_code == 403
    assert client.post(deactivate_url(counsellor_b)).status_code == 403
    counsellor_b = fresh(counsellor_b)
    assert counsellor_b.roles == {Role.COUNSELLOR}
    assert counsellor_b.is_active


@pytest.mark.django_db
def test_wrong_methods_are_refused(administrator_client, counsellor_a):
    assert administrator_client.post(reverse("core:user_list")).status_code == 405
    assert administrator_client.put(edit_url(counsellor_a)).status_code == 405
    assert administrator_client.delete(deactivate_url(counsellor_a)).status_code == 405
    assert administrator_client.get(reactivate_url(counsellor_a)).status_code == 405


@pytest.mark.django_db
def test_unknown_users_are_not_found(administrator_client):
    url = reverse("core:user_edit", args=["3f2c7e0a-0000-4000-8000-000000000000"])
    assert administrator_client.get(url).status_code == 404


# --- Listing -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_roles_sites_state_and_mfa(
    administrator_client, counsellor_a, coordinator, django_assert_max_num_queries
):
    UserFactory(email="no.mfa@example.org", roles=[Role.REPORTING], with_totp=False)
    UserFactory(email="gone@example.org", roles=[Role.COORDINATOR], is_active=False)
    for n in range(10):
        UserFactory(roles=[Role.COUNSELLOR], sites=[SiteFactory(name=f"Extra {n}")])

    administrator_client.get(reverse("home"))  # the session notes MFA enrolment once
    with django_assert_max_num_queries(8):
        response = administrator_client.get(reverse("core:user_list"))

    rows = {staff.email: staff for staff in response.context["page"].object_list}
    assert rows["counsellor.a@example.org"].mfa_enrolled
    assert not rows["no.mfa@example.org"].mfa_enrolled
    assert not rows["gone@example.org"].is_active
    page = response.content.decode()
    assert "Site A" in page
    assert "not enrolled" in page
    assert "deactivated" in page
    assert "Coordinator" in page


@pytest.mark.django_db
def test_list_is_paginated(administrator_client, administrator, monkeypatch):
    monkeypatch.setattr(views_users, "PAGE_SIZE", 2)
    UserFactory.create_batch(3)

    first = administrator_client.get(reverse("core:user_list"))
    last = administrator_client.get(reverse("core:user_list"), {"page": 2})

    assert len(first.context["page"].object_list) == 2
    assert len(last.context["page"].object_list) == 2
    assert 'rel="next"' in first.content.decode()
    assert "Page 2 of 2" in last.content.decode()


# --- Editing roles and sites -------------------------------------------------------------


@pytest.mark.django_db
def test_administrator_changes_roles_and_sites(
    administrator_client, administrator, counsellor_a, site_a, site_b
):
    response = administrator_client.post(
        edit_url(counsellor_a),
        {"roles": ["counsellor", "coordinator"], "sites": [site_a.pk, site_b.pk]},
    )

    assert response.status_code == 302
    user = fresh(counsellor_a)
    assert user.roles == {Role.COUNSELLOR, Role.COORDINATOR}
    assert user.site_ids == {site_a.pk, site_b.pk}
    roles_entry = AuditEntry.objects.get(action="core.user.roles_changed")
    assert roles_entry.actor == administrator
    assert roles_entry.object_ref == str(counsellor_a.pk)
    assert roles_entry.details == {
        "added": ["coordinator"],
        "removed": [],
        "roles": ["coordinator", "counsellor"],
    }
    sites_entry = AuditEntry.objects.get(action="core.user.sites_changed")
    assert sites_entry.details == {"sites": 2}


@pytest.mark.django_db
def test_saving_without_changes_writes_no_audit_entry(administrator_client, counsellor_a, site_a):
    administrator_client.post(
        edit_url(counsellor_a), {"roles": ["counsellor"], "sites": [site_a.pk]}
    )
    assert not AuditEntry.objects.filter(action__startswith="core.user.").exists()


@pytest.mark.django_db
def test_a_counsellor_needs_a_site(administrator_client, coordinator):
    response = administrator_client.post(edit_url(coordinator), {"roles": ["counsellor"]})
    assert response.status_code == 200
    assert "sites" in response.context["form"].errors
    assert fresh(coordinator).roles == {Role.COORDINATOR}


@pytest.mark.django_db
def test_sites_are_dropped_with_the_counsellor_role(administrator_client, counsellor_a):
    administrator_client.post(edit_url(counsellor_a), {"roles": ["coordinator"]})
    user = fresh(counsellor_a)
    assert user.roles == {Role.COORDINATOR}
    assert not user.site_ids


@pytest.mark.django_db
def test_the_administrator_role_grants_the_django_admin(administrator_client, coordinator):
    administrator_client.post(edit_url(coordinator), {"roles": ["coordinator", "administrator"]})
    assert fresh(coordinator).is_staff
    administrator_client.post(edit_url(coordinator), {"roles": ["coordinator"]})
    assert not fresh(coordinator).is_staff


@pytest.mark.django_db
def test_the_last_administrator_keeps_the_role(administrator_client, administrator):
    response = administrator_client.post(edit_url(administrator), {"roles": ["coordinator"]})

    assert response.status_code == 200
    assert "last active administrator" in response.content.decode()
    user = fresh(administrator)
    assert user.roles == {Role.ADMINISTRATOR}
    assert user.is_staff
    assert not AuditEntry.objects.filter(action="core.user.roles_changed").exists()


@pytest.mark.django_db
def test_an_administrator_may_step_down_when_another_remains(administrator_client, administrator):
    UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)
    response = administrator_client.post(edit_url(administrator), {"roles": ["coordinator"]})
    assert response.status_code == 302
    assert fresh(administrator).roles == {Role.COORDINATOR}


@pytest.mark.django_db
def test_a_deactivated_administrator_does_not_count(administrator_client, administrator):
    UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_active=False)
    response = administrator_client.post(edit_url(administrator), {"roles": ["coordinator"]})
    assert response.status_code == 200
    assert fresh(administrator).roles == {Role.ADMINISTRATOR}


# --- Deactivating ------------------------------------------------------------------------


def signed_in_elsewhere(user: User, n: int = 2) -> list[Client]:
    clients = []
    for _ in range(n):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


@pytest.mark.django_db
def test_deactivation_asks_first_then_ends_every_session(
    administrator_client, administrator, counsellor_a
):
    phone, laptop = signed_in_elsewhere(counsellor_a)
    assert phone.get(reverse("home")).status_code == 200
    assert UserSession.objects.filter(user=counsellor_a).count() == 2

    confirm = administrator_client.get(deactivate_url(counsellor_a))
    assert confirm.status_code == 200
    assert fresh(counsellor_a).is_active

    response = administrator_client.post(deactivate_url(counsellor_a))

    assert response.status_code == 302
    assert not fresh(counsellor_a).is_active
    assert not UserSession.objects.filter(user=counsellor_a).exists()
    for client in (phone, laptop):
        assert not Session.objects.filter(session_key=client.session.session_key).exists()
        assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))
    entry = AuditEntry.objects.get(action="core.user.deactivated")
    assert entry.actor == administrator
    assert entry.object_ref == str(counsellor_a.pk)
    assert entry.details == {"roles": ["counsellor"], "sessions": 2}
    # The administrator's own session is untouched.
    assert administrator_client.get(reverse("core:user_list")).status_code == 200


@pytest.mark.django_db
def test_nobody_deactivates_themselves(administrator_client, administrator):
    UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)
    response = administrator_client.post(deactivate_url(administrator))
    assert response.status_code == 400
    assert fresh(administrator).is_active
    assert administrator_client.get(reverse("core:user_list")).status_code == 200


@pytest.mark.django_db
def test_the_last_administrator_cannot_be_deactivated(administrator):
    other_admin = UserFactory(roles=[Role.ADMINISTRATOR, Role.COORDINATOR], is_staff=True)
    client = Client()
    client.force_login(other_admin)
    recently_reauthenticated(client, other_admin)
    client.post(edit_url(administrator), {"roles": ["coordinator"]})
    assert fresh(administrator).roles == {Role.COORDINATOR}

    response = client.post(deactivate_url(other_admin))

    assert response.status_code == 400
    assert fresh(other_admin).is_active


@pytest.mark.django_db
def test_reactivation(administrator_client, administrator):
    gone = UserFactory(roles=[Role.COORDINATOR], is_active=False)

    response = administrator_client.post(reactivate_url(gone))

    assert response.status_code == 302
    assert fresh(gone).is_active
    entry = AuditEntry.objects.get(action="core.user.reactivated")
    assert entry.actor == administrator
    assert entry.details == {"roles": ["coordinator"]}


@pytest.mark.django_db
def test_a_deactivated_user_cannot_log_in(client, counsellor_a):
    counsellor_a.is_active = False
    counsellor_a.save()
    response = client.post(
        reverse("account_login"),
        {"login": counsellor_a.email, "password": "correct horse battery staple"},
    )
    assert response["Location"] == reverse("account_inactive")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_staff_appear_in_the_navigation_of_administrators_only(
    administrator_client, coordinator_client
):
    staff_url = reverse("core:user_list")
    assert staff_url in administrator_client.get(reverse("home")).content.decode()
    assert staff_url not in coordinator_client.get(reverse("home")).content.decode()
