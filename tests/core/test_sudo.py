"""Sudo mode: sensitive actions need a fresh password or passkey check."""

import pytest
from django.test import Client
from django.urls import reverse

from core.roles import Role
from tests.conftest import recently_reauthenticated
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_admin_client(administrator):
    client = Client()
    client.force_login(administrator)
    return client


def test_managing_staff_asks_for_the_password_again(fresh_admin_client, administrator, site_a):
    colleague = UserFactory(roles=[Role.COUNSELLOR], sites=[site_a])
    url = reverse("core:user_edit", kwargs={"public_id": colleague.public_id})

    assert fresh_admin_client.get(url).status_code == 200
    response = fresh_admin_client.post(url, {"roles": [Role.COORDINATOR.value], "sites": []})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    colleague.refresh_from_db()
    assert colleague.roles == frozenset({Role.COUNSELLOR})

    recently_reauthenticated(fresh_admin_client, administrator)
    fresh_admin_client.post(url, {"roles": [Role.COORDINATOR.value], "sites": []})
    colleague = type(colleague).objects.get(pk=colleague.pk)
    assert colleague.roles == frozenset({Role.COORDINATOR})


@pytest.mark.parametrize(
    "name",
    [
        "core:user_edit",
        "core:user_deactivate",
        "core:user_reactivate",
        "core:invitation_create",
        "core:invitation_revoke",
    ],
)
def test_every_staff_management_action_is_in_sudo_mode(name):
    from django.urls import resolve

    from tests.core.test_urls import CONVERTER_SAMPLES

    kwargs = {"public_id": CONVERTER_SAMPLES["uuid"]} if "user_" in name or "revoke" in name else {}
    view = resolve(reverse(name, kwargs=kwargs)).func
    chain = [view]
    while hasattr(chain[-1], "__wrapped__"):
        chain.append(chain[-1].__wrapped__)
    assert any(getattr(step, "sudo_required", False) for step in chain)
