"""Coordinators configure the visit topics."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.models import SEEDED_TOPICS, Topic
from tests.casework.conftest import audited

pytestmark = pytest.mark.django_db


def test_the_seeded_topics_are_there():
    assert [t.code for t in Topic.objects.all()] == [code for code, _name in SEEDED_TOPICS]


def test_a_coordinator_adds_a_topic(coordinator_client):
    response = coordinator_client.post(
        reverse("casework:topics"), {"name": "Winter clothes", "position": 5, "is_active": "on"}
    )

    assert response.status_code == 302
    topic = Topic.objects.get(code="winter-clothes")
    assert topic.name == "Winter clothes"
    assert audited("casework.topic.created", topic)


def test_a_duplicate_topic_name_is_refused(coordinator_client):
    response = coordinator_client.post(
        reverse("casework:topics"), {"name": "Health", "position": 5}
    )

    assert "name" in response.context["form"].errors


def test_a_retired_topic_is_not_offered_but_stays_on_old_visits(
    coordinator_client, counsellor_a_client, visit_a
):
    dental = Topic.objects.get(code="dental")
    visit_a.topics.add(dental)

    coordinator_client.post(
        reverse("casework:topic_edit", args=["dental"]), {"name": "Dental", "position": 20}
    )

    dental.refresh_from_db()
    assert not dental.is_active
    assert audited("casework.topic.updated", dental)
    new_form = counsellor_a_client.get(
        reverse("casework:visit_create", args=[visit_a.client.code])
    ).context["form"]
    edit_form = counsellor_a_client.get(reverse("casework:visit_edit", args=[visit_a.pk])).context[
        "form"
    ]
    assert dental not in new_form.fields["topics"].queryset
    assert dental in edit_form.fields["topics"].queryset


def test_an_unknown_topic_is_a_404(coordinator_client):
    assert coordinator_client.get(reverse("casework:topic_edit", args=["nope"])).status_code == 404
