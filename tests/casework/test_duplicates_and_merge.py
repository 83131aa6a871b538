"""Possible duplicates are flagged before saving; a coordinator merges them, end to end."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.merge import MergeError, client_merge
from casework.models import Client, ClientSite, Language, NeedsAssessment, Reminder, Visit
from core.crypto import KeyDestroyed
from core.models import AuditEntry, DataKey
from tests.casework.conftest import audited, stored
from tests.factories import ClientFactory, VisitFactory

pytestmark = pytest.mark.django_db

CREATE = "casework:client_create"


def _new(site, **fields):
    return {"pseudonym": "New Person", "registered_site": site.pk, **fields}


def test_same_name_and_date_of_birth_warns_before_saving(counsellor_a_client, site_a):
    existing = ClientFactory(
        registered_site=site_a, name="Amina Diallo", date_of_birth=date(1990, 1, 2)
    )

    response = counsellor_a_client.post(
        reverse(CREATE), _new(site_a, name="DIALLO Amina", date_of_birth="1990-01-02")
    )

    assert response.status_code == 200
    assert response.context["duplicates"] == [existing]
    assert reverse("casework:client", args=[existing.code]).encode() in response.content
    assert b'name="save_anyway"' in response.content
    assert response.context["form"]["name"].value() == "DIALLO Amina"  # nothing lost
    assert Client.objects.count() == 1
    entry = AuditEntry.objects.get(action="casework.client.duplicate_warned")
    assert entry.details == {"matches": [str(existing.pk)], "shown": 1}


def test_same_phone_warns_however_written(counsellor_a_client, site_a):
    existing = ClientFactory(registered_site=site_a, phone="+41 79 123 45 67")

    response = counsellor_a_client.post(reverse(CREATE), _new(site_a, phone="079/123 45 67"))

    assert response.context["duplicates"] == [existing]


def test_same_name_alone_is_not_a_duplicate(counsellor_a_client, site_a):
    ClientFactory(registered_site=site_a, name="Amina Diallo", date_of_birth=date(1990, 1, 2))

    response = counsellor_a_client.post(
        reverse(CREATE), _new(site_a, name="Amina Diallo", date_of_birth="1991-01-02")
    )

    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_save_anyway_saves(counsellor_a_client, site_a):
    ClientFactory(registered_site=site_a, phone="+41 79 123 45 67")

    response = counsellor_a_client.post(
        reverse(CREATE), _new(site_a, phone="079 123 45 67", save_anyway="1")
    )

    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_a_match_at_another_site_is_mentioned_but_not_shown(counsellor_b_client, site_a, site_b):
    ClientFactory(registered_site=site_a, phone="+41 79 123 45 67", pseudonym="Hidden Owl")

    response = counsellor_b_client.post(reverse(CREATE), _new(site_b, phone="079 123 45 67"))

    assert response.context["duplicates"] == []
    assert response.context["hidden_duplicates"] == 1
    assert b"Hidden Owl" not in response.content
    assert b"seen only at another site" in response.content


@pytest.fixture
def pair(site_a, site_b, counsellor_a, coordinator):
    """A survivor and a duplicate of it, with a history each (visits, needs, reminders)."""
    survivor = ClientFactory(registered_site=site_a, pseudonym="Keeps", name="Amina Diallo")
    duplicate = ClientFactory(
        registered_site=site_b,
        pseudonym="Goes",
        phone="+41 79 123 45 67",
        date_of_birth=date(1990, 1, 2),
        gender="female",
        registered_at=timezone.now() - timedelta(days=400),
    )
    duplicate.languages.add(Language.objects.get(code="fr"))
    VisitFactory(client=survivor, site=site_a, notes="survivor's own note")
    moved_visit = VisitFactory(client=duplicate, site=site_b, notes="Pain in the left knee.")
    NeedsAssessment.objects.create(client=duplicate, site=site_b, housing="street", notes="n")
    Reminder.objects.schedule(
        kind="tests.thing",
        label="Call back",
        due_at=timezone.now(),
        client=duplicate,
        obj=moved_visit,
        site=site_b,
    )
    return survivor, duplicate, moved_visit


def test_merge_end_to_end(coordinator_client, pair, site_b):
    survivor, duplicate, moved_visit = pair
    url = reverse("casework:client_merge", args=[duplicate.code])
    old_code = duplicate.code
    old_key = duplicate.data_key_id
    # What a backup taken before the merge holds about the duplicate.
    backup = {
        "phone": stored(Client, duplicate.pk, "phone"),
        "note": stored(Visit, moved_visit.pk, "notes"),
    }
    assert all(
        token.split(".")[1] == duplicate.get_data_key().short_id for token in backup.values()
    )

    assert coordinator_client.get(url).status_code == 200
    preview = coordinator_client.post(url, {"survivor_code": survivor.display_code})
    assert preview.status_code == 200
    assert preview.context["survivor"] == survivor
    assert b"Goes" in preview.content and b"Keeps" in preview.content
    assert Visit.objects.filter(client=duplicate).exists()  # nothing happened yet

    response = coordinator_client.post(url, {"survivor_code": survivor.code, "confirm": "1"})

    assert response.status_code == 302
    assert response.url == reverse("casework:client", args=[survivor.code])
    # Everything moved, readable under the survivor's key.
    survivor.refresh_from_db()
    visits = Visit.objects.filter(client=survivor).select_related("client__data_key")
    assert sorted(v.notes for v in visits) == ["Pain in the left knee.", "survivor's own note"]
    assert NeedsAssessment.objects.get().client == survivor
    assert NeedsAssessment.objects.get().notes == "n"
    assert Reminder.objects.get().client == survivor
    assert set(ClientSite.objects.filter(client=survivor).values_list("site", flat=True)) == {
        survivor.registered_site_id,
        site_b.pk,
    }
    # Blanks of the survivor filled from the duplicate; its own values kept.
    assert survivor.name == "Amina Diallo"
    assert survivor.phone == "+41 79 123 45 67"
    assert survivor.date_of_birth == date(1990, 1, 2)
    assert survivor.gender == "female"
    assert survivor.pseudonym == "Keeps"
    assert [language.code for language in survivor.languages.all()] == ["fr"]
    assert survivor.registered_at == duplicate.registered_at
    # The duplicate's data is unreadable: its key is gone, and so is its ciphertext…
    assert not DataKey.objects.filter(pk=old_key).exists()
    tombstone = Client.objects.get(pk=duplicate.pk)
    assert tombstone.is_erased
    assert tombstone.merged_into == survivor
    assert stored(Client, duplicate.pk, "phone") in ("", None)
    assert tombstone.phone_index == ""
    # …and what an earlier backup holds was sealed under a key that no longer exists.
    remaining = {key.short_id for key in DataKey.objects.all()}
    for token in backup.values():
        assert token.split(".")[1] not in remaining
    with pytest.raises(KeyDestroyed):
        tombstone.get_data_key()
    # The old card leads to the survivor; the duplicate is nobody's any more.
    assert (
        coordinator_client.get(reverse("casework:client", args=[old_code])).context["client"]
        == survivor
    )
    entry = AuditEntry.objects.get(action="casework.client.merged")
    assert entry.object_ref == str(survivor.pk)
    assert entry.details["duplicate"] == str(duplicate.pk)
    assert "casework.visit:1" in entry.details["moved"]
    assert audited("casework.client.erased", duplicate)


def test_the_moved_values_are_sealed_under_the_survivors_key(pair, coordinator):
    survivor, duplicate, moved_visit = pair

    client_merge(duplicate=duplicate, survivor=survivor, actor=coordinator)

    survivor.refresh_from_db()
    token = stored(Visit, moved_visit.pk, "notes")
    assert token.split(".")[1] == survivor.get_data_key().short_id


def test_a_client_cannot_be_merged_into_itself(pair, coordinator_client, coordinator):
    survivor, _duplicate, _visit = pair

    with pytest.raises(MergeError):
        client_merge(duplicate=survivor, survivor=survivor, actor=coordinator)
    response = coordinator_client.post(
        reverse("casework:client_merge", args=[survivor.code]), {"survivor_code": survivor.code}
    )
    assert "survivor_code" in response.context["form"].errors


def test_an_unknown_or_invalid_code_is_an_error(pair, coordinator_client):
    _survivor, duplicate, _visit = pair
    url = reverse("casework:client_merge", args=[duplicate.code])

    invalid = coordinator_client.post(url, {"survivor_code": "ABC-DEF"})

    assert "survivor_code" in invalid.context["form"].errors
    assert Client.objects.filter(pk=duplicate.pk, erased_at__isnull=True).exists()


def test_a_merged_away_client_can_be_the_target_of_nothing(pair, coordinator):
    survivor, duplicate, _visit = pair
    client_merge(duplicate=duplicate, survivor=survivor, actor=coordinator)

    with pytest.raises(MergeError):
        client_merge(duplicate=survivor, survivor=duplicate, actor=coordinator)


def test_earlier_merges_follow_to_the_new_survivor(site_a, coordinator):
    first, second, third = (ClientFactory(registered_site=site_a) for _ in range(3))
    client_merge(duplicate=first, survivor=second, actor=coordinator)

    client_merge(duplicate=second, survivor=third, actor=coordinator)

    assert Client.objects.get(pk=first.pk).merged_into_id == third.pk


def test_rows_of_every_personal_model_move_and_stay_readable(site_a, coordinator):
    from core.fields import encrypted_fields
    from tests.privacy.seeding import MARKER, seed_person

    survivor = ClientFactory(registered_site=site_a)
    rows = seed_person(site_a)
    duplicate = rows.pop("casework.client")

    client_merge(duplicate=duplicate, survivor=survivor, actor=coordinator)

    for label, row in rows.items():
        moved = type(row)._base_manager.get(pk=row.pk)
        assert moved.client_id == survivor.pk, label
        for field in encrypted_fields(type(row)):
            value = getattr(moved, field.attname)
            assert value and (not isinstance(value, str) or MARKER.startswith(value)), label
