"""The provider directory pages: who may read, who may edit, search and filters."""

from __future__ import annotations

import pytest
from django.urls import reverse

from referrals.models import Provider, ProviderKind
from tests.referrals.factories import ProviderFactory
from tests.referrals.helpers import assert_login_redirect, audit_entries

pytestmark = pytest.mark.django_db

LIST = reverse("referrals:provider_list")
CREATE = reverse("referrals:provider_create")


def detail_url(provider: Provider) -> str:
    return reverse("referrals:provider_detail", args=[provider.id])


def edit_url(provider: Provider) -> str:
    return reverse("referrals:provider_edit", args=[provider.id])


def names(response) -> list[str]:
    return [p.name for p in response.context["page"].object_list]


# --- who may open what -----------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(anonymous_client):
    provider = ProviderFactory()
    for url in (LIST, CREATE, detail_url(provider), edit_url(provider)):
        assert_login_redirect(anonymous_client.get(url))


@pytest.mark.parametrize("persona", ["reporting_client", "administrator_client"])
def test_reporting_and_administrator_roles_see_no_directory(persona, request):
    client = request.getfixturevalue(persona)
    provider = ProviderFactory()
    for url in (LIST, CREATE, detail_url(provider), edit_url(provider)):
        assert client.get(url).status_code == 403


def test_counsellor_reads_but_may_not_edit(counsellor_a_client):
    provider = ProviderFactory(name="Dr. Reader")

    listing = counsellor_a_client.get(LIST)
    detail = counsellor_a_client.get(detail_url(provider))

    assert listing.status_code == 200
    assert "Dr. Reader" in listing.text
    assert detail.status_code == 200
    assert edit_url(provider) not in detail.text
    assert counsellor_a_client.get(edit_url(provider)).status_code == 403
    assert counsellor_a_client.post(CREATE, {"name": "X", "kind": "gp"}).status_code == 403
    assert not Provider.objects.filter(name="X").exists()


def test_unknown_provider_is_404(coordinator_client):
    import uuid

    missing = reverse("referrals:provider_detail", args=[uuid.uuid4()])
    assert coordinator_client.get(missing).status_code == 404


def test_wrong_methods_are_refused(coordinator_client):
    provider = ProviderFactory()
    assert coordinator_client.post(LIST).status_code == 405
    assert coordinator_client.post(detail_url(provider)).status_code == 405
    assert coordinator_client.delete(edit_url(provider)).status_code == 405
    assert coordinator_client.put(CREATE).status_code == 405


# --- keeping the directory -------------------------------------------------------------------


def test_coordinator_adds_a_provider(coordinator_client, coordinator):
    response = coordinator_client.post(
        CREATE,
        {
            "name": "Clinic of the Good Samaritan",
            "kind": ProviderKind.HOSPITAL,
            "specialities_text": "Maternity, emergency,  maternity ",
            "acceptances": ["pro-bono", "fund-paid"],
            "languages": [],
            "availability": "volunteer doctor, 1st and 3rd Tuesday",
            "monthly_capacity": "12",
            "is_active": "on",
        },
    )

    provider = Provider.objects.get(name="Clinic of the Good Samaritan")
    assert response.status_code == 302
    assert response["Location"] == detail_url(provider)
    assert sorted(s.name for s in provider.specialities.all()) == ["Maternity", "emergency"]
    assert provider.accepts_pro_bono and provider.accepts_fund_paid
    assert not provider.accepts_insurance
    assert provider.monthly_capacity == 12
    [entry] = audit_entries("referrals.provider.created", provider.id)
    assert entry.actor == coordinator
    assert "name" in entry.details["fields"]


def test_coordinator_edits_a_provider(coordinator_client):
    from casework.models import Language

    provider = ProviderFactory(name="Old name", specialities=["dental"])

    response = coordinator_client.post(
        edit_url(provider),
        {
            "name": "New name",
            "kind": ProviderKind.DENTAL,
            "specialities_text": "dental, children",
            "languages": [Language.objects.get(code="ar").pk],
            "acceptances": ["reduced-fee"],
        },
    )

    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.name == "New name"
    assert not provider.is_active  # the box was left unticked
    assert provider.acceptances == ["reduced-fee"]
    assert [lang.code for lang in provider.languages.all()] == ["ar"]
    assert sorted(s.name for s in provider.specialities.all()) == ["children", "dental"]
    [entry] = audit_entries("referrals.provider.updated", provider.id)
    assert set(entry.details["fields"]) >= {"name", "kind", "is_active"}


def test_an_invalid_form_keeps_what_was_typed(coordinator_client):
    response = coordinator_client.post(
        CREATE,
        {"name": "", "kind": "gp", "availability": "Mondays", "email": "not-an-address"},
    )

    assert response.status_code == 200
    assert "Mondays" in response.text
    assert response.context["form"].errors.keys() == {"name", "email"}
    assert not Provider.objects.exists()
    assert not audit_entries("referrals.provider.created")


# --- search and filters ----------------------------------------------------------------------


def test_filters_narrow_the_list(counsellor_a_client):
    ProviderFactory(name="Arabic dentist", kind=ProviderKind.DENTAL, languages=["ar"])
    ProviderFactory(
        name="Pro bono cardiologist",
        kind=ProviderKind.SPECIALIST,
        specialities=["Cardiology"],
        accepts_pro_bono=True,
        accepts_fund_paid=False,
    )
    ProviderFactory(name="Retired GP", is_active=False)

    def search(**params: str) -> list[str]:
        return names(counsellor_a_client.get(LIST, params))

    speciality_id = str(Provider.objects.get(name="Pro bono cardiologist").specialities.get().pk)
    assert search() == ["Arabic dentist", "Pro bono cardiologist"]
    assert search(kind="dental") == ["Arabic dentist"]
    assert search(language="ar") == ["Arabic dentist"]
    assert search(accepts="pro-bono") == ["Pro bono cardiologist"]
    assert search(speciality=speciality_id) == ["Pro bono cardiologist"]
    assert search(q="cardio") == ["Pro bono cardiologist"]
    assert search(q="CARDIOLOGY") == ["Pro bono cardiologist"]
    assert search(status="inactive") == ["Retired GP"]
    assert search(status="all", kind="gp") == ["Retired GP"]


def test_an_unknown_filter_value_is_ignored_with_a_message(counsellor_a_client):
    ProviderFactory(name="Anyone")

    response = counsellor_a_client.get(LIST, {"kind": "astrologer", "language": "xx"})

    assert response.status_code == 200
    assert names(response) == ["Anyone"]
    assert "not understood" in response.text


def test_the_list_is_paginated(counsellor_a_client):
    ProviderFactory.create_batch(30, kind=ProviderKind.PHARMACY)

    first = counsellor_a_client.get(LIST, {"kind": "pharmacy"})
    second = counsellor_a_client.get(LIST, {"kind": "pharmacy", "page": "2"})

    assert len(names(first)) == 25
    assert len(names(second)) == 5
    assert "kind=pharmacy&amp;page=2" in first.text


@pytest.mark.parametrize("count", [3, 25])
def test_search_query_count_does_not_grow_with_rows(
    count, counsellor_a_client, django_assert_max_num_queries
):
    for n in range(count):
        ProviderFactory(languages=["ar", "fr"], specialities=[f"S{n}", "common"])
    counsellor_a_client.get(LIST)  # warm the session and the caches of the user

    # 11 with the count of due reminders that the navigation shows on every page.
    with django_assert_max_num_queries(11):
        response = counsellor_a_client.get(LIST, {"q": "provider", "language": "ar"})

    assert len(names(response)) == count
