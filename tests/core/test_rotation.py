"""Key rotation: re-wrap, re-encrypt and re-index without losing anything."""

from datetime import date

import pytest
from django.core.management import call_command

from casework.models import Client
from core import crypto
from core.models import AuditEntry, DataKey
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_ring(settings):
    return settings.ENCRYPTION_KEYS


def use_ring(settings, text: str) -> None:
    settings.ENCRYPTION_KEYS = text
    crypto.reset_key_caches()


def assert_everyone_readable(expected: dict) -> None:
    for client in Client.objects.select_related("data_key"):
        assert (client.name, client.date_of_birth) == expected[client.pk]


def make_clients(count: int) -> dict:
    clients = [
        ClientFactory(name=f"Person {n}", date_of_birth=date(1980 + n, 1, 1)) for n in range(count)
    ]
    return {c.pk: (c.name, c.date_of_birth) for c in clients}


def test_rewrap_lets_the_old_master_key_go(settings, old_ring, capsys):
    expected = make_clients(5)
    new_entry = crypto.generate_key_entry("k2")
    use_ring(settings, f"{new_entry},{old_ring}")

    call_command("rotate_keys", "--batch-size", "2")

    output = capsys.readouterr()
    assert "Re-wrapped 5 data key(s)" in output.out
    assert "data keys" in output.err  # the progress bar
    assert {k.master_key_id for k in DataKey.objects.all()} == {"k2"}
    use_ring(settings, new_entry)
    assert_everyone_readable(expected)
    assert AuditEntry.objects.filter(action="core.keys.rotated").exists()


def test_interrupted_rotation_can_be_run_again(settings, old_ring, monkeypatch):
    expected = make_clients(5)
    new_entry = crypto.generate_key_entry("k2")
    use_ring(settings, f"{new_entry},{old_ring}")
    calls = {"n": 0}
    real_rewrap = DataKey.rewrap

    def failing_rewrap(self):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_rewrap(self)

    monkeypatch.setattr(DataKey, "rewrap", failing_rewrap)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate_keys", "--batch-size", "2", "--no-progress")
    assert sorted(k.master_key_id for k in DataKey.objects.all()).count("k2") == 2

    monkeypatch.setattr(DataKey, "rewrap", real_rewrap)
    call_command("rotate_keys", "--batch-size", "2", "--no-progress")
    call_command("rotate_keys", "--batch-size", "2", "--no-progress")  # idempotent

    use_ring(settings, new_entry)
    assert_everyone_readable(expected)


def test_reencrypt_gives_every_client_a_new_data_key(settings, old_ring):
    expected = make_clients(3)
    old_keys = set(DataKey.objects.values_list("pk", flat=True))
    new_entry = crypto.generate_key_entry("k2")
    use_ring(settings, f"{new_entry},{old_ring}")

    call_command("rotate_keys", "--reencrypt", "--no-progress")

    assert not old_keys & set(DataKey.objects.values_list("pk", flat=True))
    assert DataKey.objects.count() == 3
    use_ring(settings, new_entry)
    assert_everyone_readable(expected)


def test_blind_index_rotation_rebuilds_and_search_works_throughout(settings):
    amina = ClientFactory(name="Amina Diallo")
    old_blind = settings.BLIND_INDEX_KEYS
    new_blind = crypto.generate_key_entry("b2")
    settings.BLIND_INDEX_KEYS = f"{new_blind},{old_blind}"
    crypto.reset_key_caches()

    def found() -> bool:
        candidates = crypto.blind_index_candidates("name", "amina diallo")
        return Client.objects.filter(name_index__in=candidates).filter(pk=amina.pk).exists()

    assert found()  # before the rebuild, through the old key still in the ring
    call_command("rotate_keys", "--blind-index", "--no-progress")
    settings.BLIND_INDEX_KEYS = new_blind
    crypto.reset_key_caches()
    assert found()
