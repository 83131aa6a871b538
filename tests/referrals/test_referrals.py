"""Referral pages: scoping by persona, creation, editing and the lifecycle."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from casework.models import Language
from referrals import services
from referrals.models import (
    TRANSITIONS,
    CostGuarantee,
    GuaranteeStatus,
    Outcome,
    Referral,
    Status,
)
from tests.factories import ClientFactory
from tests.referrals.factories import (
    CostGuaranteeFactory,
    ProviderFactory,
    ReferralFactory,
)
from tests.referrals.helpers import assert_login_redirect, audit_entries

pytestmark = pytest.mark.django_db

LIST = reverse("referrals:referral_list")


def detail(referral: Referral) -> str:
    return reverse("referrals:referral_detail", args=[referral.id])


def edit(referral: Referral) -> str:
    return reverse("referrals:referral_edit", args=[referral.id])


def step(referral: Referral, transition: str) -> str:
    return reverse("referrals:referral_transition", args=[referral.id, transition])


def create(code: str) -> str:
    return reverse("referrals:referral_create", args=[code])


def person_urls(referral: Referral) -> list[str]:
    return [
        detail(referral),
        edit(referral),
        step(referral, "send"),
        reverse("referrals:referral_slip", args=[referral.id]),
        create(referral.client.code),
    ]


# --- who may open what -----------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(anonymous_client, referral_a):
    for url in [LIST, *person_urls(referral_a)]:
        assert_login_redirect(anonymous_client.get(url))


@pytest.mark.parametrize("persona", ["reporting_client", "administrator_client"])
def test_reporting_and_administrator_roles_see_no_referral(persona, request, referral_a):
    client = request.getfixturevalue(persona)
    for url in [LIST, *person_urls(referral_a)]:
        assert client.get(url).status_code == 403
    assert client.post(step(referral_a, "send"), {"version": 1}).status_code == 403
    referral_a.refresh_from_db()
    assert referral_a.status == Status.DRAFTED


def test_another_sites_referral_is_404(counsellor_b_client, referral_a):
    for url in person_urls(referral_a):
        assert counsellor_b_client.get(url).status_code == 404
    response = counsellor_b_client.post(step(referral_a, "send"), {"version": 1})
    assert response.status_code == 404
    referral_a.refresh_from_db()
    assert referral_a.status == Status.DRAFTED
    assert not audit_entries("referrals.referral.viewed")


def test_the_list_is_scoped(
    counsellor_a_client, counsellor_b_client, coordinator_client, referral_a, site_b
):
    other = ReferralFactory(client=ClientFactory(registered_site=site_b))

    def listed(client) -> set[uuid.UUID]:
        return {r.id for r in client.get(LIST).context["page"].object_list}

    assert listed(counsellor_a_client) == {referral_a.id}
    assert listed(counsellor_b_client) == {other.id}
    assert listed(coordinator_client) == {referral_a.id, other.id}


def test_the_list_shows_codes_never_pseudonyms(coordinator_client, referral_a):
    response = coordinator_client.get(LIST)

    assert referral_a.client.display_code in response.text
    assert "Moon" not in response.text


def test_the_list_filters_by_status(coordinator_client, referral_a):
    closed = ReferralFactory(status=Status.CLOSED, outcome=Outcome.TREATED)

    def listed(**params: str) -> set[uuid.UUID]:
        return {r.id for r in coordinator_client.get(LIST, params).context["page"].object_list}

    assert listed() == {referral_a.id}
    assert listed(status="closed") == {closed.id}
    assert listed(status="all") == {referral_a.id, closed.id}


@pytest.mark.parametrize("count", [2, 20])
def test_list_query_count_does_not_grow_with_rows(
    count, coordinator_client, django_assert_max_num_queries
):
    ReferralFactory.create_batch(count)
    coordinator_client.get(LIST)

    with django_assert_max_num_queries(6):
        response = coordinator_client.get(LIST)

    assert len(response.context["page"].object_list) == count


def test_wrong_methods_are_refused(coordinator_client, referral_a):
    assert coordinator_client.post(LIST).status_code == 405
    assert coordinator_client.post(detail(referral_a)).status_code == 405
    assert coordinator_client.put(edit(referral_a)).status_code == 405
    assert coordinator_client.delete(step(referral_a, "send")).status_code == 405
    slip = reverse("referrals:referral_slip", args=[referral_a.id])
    assert coordinator_client.post(slip).status_code == 405
    follow = reverse("referrals:referral_follow", args=[referral_a.id])
    assert coordinator_client.get(follow).status_code == 405


# --- creating and reading --------------------------------------------------------------------


def test_counsellor_drafts_a_referral_for_a_client_they_see(
    counsellor_a_client, counsellor_a, client_of_a
):
    provider = ProviderFactory()
    arabic = Language.objects.get(code="ar")

    response = counsellor_a_client.post(
        create(client_of_a.display_code.lower()),
        {
            "provider": provider.pk,
            "reason": "dental",
            "urgency": "soon",
            "interpreter_language": arabic.pk,
            "accompaniment": "needed",
            "notes": "Broken molar, cannot eat",
        },
    )

    referral = Referral.objects.get(client=client_of_a)
    assert response.status_code == 302
    assert response["Location"] == detail(referral)
    assert referral.status == Status.DRAFTED
    assert referral.followed_by == counsellor_a
    assert referral.interpreter_language == arabic
    assert referral.notes == "Broken molar, cannot eat"
    [event] = referral.events.all()
    assert (event.to_status, event.by) == (Status.DRAFTED, counsellor_a)
    [entry] = audit_entries("referrals.referral.created", referral.id)
    assert "Broken" not in str(entry.details)
    # The notes are sealed at rest.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT notes FROM referrals_referral WHERE id = %s",
            [referral.id.hex if connection.vendor == "sqlite" else referral.id],
        )
        stored = cursor.fetchone()[0]
    assert "molar" not in stored


def test_creating_needs_a_visible_client(counsellor_b_client, client_of_a):
    provider = ProviderFactory()

    response = counsellor_b_client.post(
        create(client_of_a.code), {"provider": provider.pk, "reason": "dental"}
    )

    assert response.status_code == 404
    assert not Referral.objects.exists()
    assert counsellor_b_client.get(create("not-a-code")).status_code == 404


def test_an_invalid_referral_form_keeps_the_notes(counsellor_a_client, client_of_a):
    response = counsellor_a_client.post(
        create(client_of_a.code), {"reason": "dental", "notes": "Keep this text"}
    )

    assert response.status_code == 200
    assert "Keep this text" in response.text
    assert "provider" in response.context["form"].errors
    assert not Referral.objects.exists()


def test_inactive_providers_are_not_offered_for_new_referrals(counsellor_a_client, client_of_a):
    ProviderFactory(name="Gone away", is_active=False)
    ProviderFactory(name="Still here")

    response = counsellor_a_client.get(create(client_of_a.code))

    assert "Still here" in response.text
    assert "Gone away" not in response.text


def test_opening_a_referral_is_audited_and_offers_only_valid_steps(
    counsellor_a_client, counsellor_a, referral_a
):
    response = counsellor_a_client.get(detail(referral_a))

    assert response.status_code == 200
    assert "Pain in the left knee" in response.text
    offered = {t.action for t in response.context["transitions"]}
    assert offered == {"send", "cancel"}
    assert step(referral_a, "send") in response.text
    assert step(referral_a, "attended") not in response.text
    [entry] = audit_entries("referrals.referral.viewed", referral_a.id)
    assert entry.actor == counsellor_a


def test_opening_the_edit_form_is_audited_as_a_read(counsellor_a_client, referral_a):
    response = counsellor_a_client.get(edit(referral_a))

    assert "Pain in the left knee" in response.text
    [entry] = audit_entries("referrals.referral.viewed", referral_a.id)
    assert entry.details == {"page": "edit"}


def test_editing_saves_and_is_audited(counsellor_a_client, referral_a):
    response = counsellor_a_client.post(
        edit(referral_a),
        {
            "version": referral_a.version,
            "provider": referral_a.provider.pk,
            "reason": "chronic",
            "urgency": "urgent",
            "notes": "Now also diabetic",
        },
    )

    assert response.status_code == 302
    referral_a.refresh_from_db()
    assert (referral_a.reason, referral_a.urgency, referral_a.version) == ("chronic", "urgent", 2)
    assert referral_a.notes == "Now also diabetic"
    [entry] = audit_entries("referrals.referral.updated", referral_a.id)
    assert set(entry.details["fields"]) == {"reason", "urgency", "notes"}


def test_a_stale_edit_is_refused_and_nothing_is_lost(counsellor_a_client, referral_a, coordinator):
    seen = referral_a.version
    services.referral_transition(
        actor=coordinator, referral=referral_a, action="send", expected_version=seen
    )

    response = counsellor_a_client.post(
        edit(referral_a),
        {
            "version": seen,
            "provider": referral_a.provider.pk,
            "reason": "legal",
            "urgency": "routine",
            "notes": "Mine",
        },
    )

    assert response.status_code == 200
    assert "Someone else changed this referral" in response.text
    assert "Mine" in response.text  # what was typed is still in the form
    referral_a.refresh_from_db()
    assert referral_a.reason == "general"
    assert not audit_entries("referrals.referral.updated")


# --- the lifecycle ---------------------------------------------------------------------------


def test_the_whole_lifecycle_through_the_pages(coordinator_client, coordinator, referral_a):
    appointment = "2030-05-06T09:30"

    def post(transition: str, **data: str) -> None:
        referral_a.refresh_from_db()
        response = coordinator_client.post(
            step(referral_a, transition), {"version": referral_a.version, **data}
        )
        assert response.status_code == 302

    post("send")
    post("book", appointment_at=appointment)
    post("attended")
    post("close", outcome="treated")

    referral_a.refresh_from_db()
    assert referral_a.status == Status.CLOSED
    assert referral_a.outcome == Outcome.TREATED
    assert timezone.localtime(referral_a.appointment_at).strftime("%Y-%m-%dT%H:%M") == appointment
    events = list(referral_a.events.all())
    assert [(e.from_status, e.to_status) for e in events] == [
        ("drafted", "sent"),
        ("sent", "booked"),
        ("booked", "attended"),
        ("attended", "closed"),
    ]
    assert all(e.by == coordinator for e in events)
    for verb in ("sent", "booked", "attended", "closed"):
        assert audit_entries(f"referrals.referral.{verb}", referral_a.id)


def test_an_invalid_step_is_refused_with_a_clear_message(coordinator_client, referral_a):
    response = coordinator_client.post(
        step(referral_a, "attended"), {"version": referral_a.version}, follow=True
    )

    assert "cannot take the step" in response.text
    referral_a.refresh_from_db()
    assert referral_a.status == Status.DRAFTED
    assert not referral_a.events.exists()
    assert not audit_entries("referrals.referral.attended")


def test_an_unknown_step_is_404(coordinator_client, referral_a):
    assert coordinator_client.get(step(referral_a, "teleport")).status_code == 404


def test_a_stale_step_is_refused(coordinator_client, coordinator, referral_a):
    seen = referral_a.version
    services.referral_transition(
        actor=coordinator, referral=referral_a, action="send", expected_version=seen
    )

    response = coordinator_client.post(step(referral_a, "cancel"), {"version": seen}, follow=True)

    assert "Someone else changed this referral" in response.text
    referral_a.refresh_from_db()
    assert referral_a.status == Status.SENT


def test_booking_needs_an_appointment_and_closing_an_outcome(coordinator_client, coordinator):
    referral = ReferralFactory(status=Status.SENT)
    response = coordinator_client.post(step(referral, "book"), {"version": referral.version})
    assert response.status_code == 200
    assert "appointment_at" in response.context["form"].errors

    referral = ReferralFactory(status=Status.ATTENDED)
    response = coordinator_client.post(step(referral, "close"), {"version": referral.version})
    assert response.status_code == 200
    assert "outcome" in response.context["form"].errors
    referral.refresh_from_db()
    assert referral.status == Status.ATTENDED


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (Status.DRAFTED, {"send", "cancel"}),
        (Status.SENT, {"book", "decline", "cancel"}),
        (Status.BOOKED, {"book", "attended", "no-show", "decline", "cancel"}),
        (Status.ATTENDED, {"close"}),
        (Status.NO_SHOW, {"book", "cancel", "close"}),
        (Status.DECLINED, {"close"}),
        (Status.CANCELLED, {"close"}),
        (Status.CLOSED, set()),
    ],
)
def test_the_service_allows_exactly_the_lifecycle(status, allowed, coordinator):
    for action in TRANSITIONS:
        referral = ReferralFactory(status=status)
        kwargs = {
            "appointment_at": timezone.make_aware(datetime(2030, 1, 2, 10)),
            "outcome": Outcome.TREATED,
        }
        if action in allowed:
            services.referral_transition(
                actor=coordinator, referral=referral, action=action, expected_version=1, **kwargs
            )
            referral.refresh_from_db()
            assert referral.status == TRANSITIONS[action].target
            assert referral.version == 2
        else:
            with pytest.raises(services.ReferralConflict):
                services.referral_transition(
                    actor=coordinator,
                    referral=referral,
                    action=action,
                    expected_version=1,
                    **kwargs,
                )
            referral.refresh_from_db()
            assert referral.status == status


@pytest.mark.parametrize("action", ["cancel", "decline"])
def test_cancelling_or_a_refusal_releases_open_guarantees(action, coordinator):
    referral = ReferralFactory(status=Status.SENT)
    guarantee = CostGuaranteeFactory(referral=referral)

    services.referral_transition(
        actor=coordinator, referral=referral, action=action, expected_version=1
    )

    guarantee.refresh_from_db()
    assert guarantee.status == GuaranteeStatus.CLOSED
    assert guarantee.closed_by == coordinator
    assert audit_entries("referrals.guarantee.closed", guarantee.id)


def test_no_show_keeps_the_guarantee(coordinator):
    referral = ReferralFactory(status=Status.BOOKED)
    CostGuaranteeFactory(referral=referral)

    services.referral_transition(
        actor=coordinator, referral=referral, action="no-show", expected_version=1
    )

    assert CostGuarantee.objects.get().status == GuaranteeStatus.OPEN


def test_a_closed_referral_cannot_be_edited(coordinator_client):
    referral = ReferralFactory(status=Status.CLOSED, outcome=Outcome.TREATED)

    response = coordinator_client.post(
        edit(referral),
        {"version": 1, "provider": referral.provider.pk, "reason": "legal", "urgency": "soon"},
        follow=True,
    )

    assert "cannot be changed" in response.text
    referral.refresh_from_db()
    assert referral.reason == "general"


# --- following -------------------------------------------------------------------------------


def test_a_coordinator_takes_over_following(coordinator_client, coordinator, referral_a):
    response = coordinator_client.post(reverse("referrals:referral_follow", args=[referral_a.id]))

    assert response.status_code == 302
    referral_a.refresh_from_db()
    assert referral_a.followed_by == coordinator
    assert audit_entries("referrals.referral.follower_changed", referral_a.id)


def test_a_counsellor_cannot_take_over_following(counsellor_a_client, referral_a):
    url = reverse("referrals:referral_follow", args=[referral_a.id])
    assert counsellor_a_client.post(url).status_code == 403
