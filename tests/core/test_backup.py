"""Encrypted backups, and erasure reaching backups taken before it."""

import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from casework.erasure import ErasureReason, client_erase
from core import crypto
from core.backup import BackupError, decrypt_stream, encrypt_stream
from tests.factories import ClientFactory

MARKER = "ZQ-backup-marker-7731"


def test_stream_round_trips_and_hides_content():
    data = [MARKER.encode() * 1000, b"tail"]
    out = io.BytesIO()
    encrypt_stream(data, out, kind="data")

    assert MARKER.encode() not in out.getvalue()
    restored = b"".join(decrypt_stream(io.BytesIO(out.getvalue()), kind="data"))
    assert restored == b"".join(data)


def test_truncated_or_tampered_backups_are_refused():
    out = io.BytesIO()
    encrypt_stream([os.urandom(3 * 1024 * 1024)], out, kind="data")
    whole = out.getvalue()

    with pytest.raises(BackupError, match="truncated"):
        b"".join(decrypt_stream(io.BytesIO(whole[: len(whole) // 2]), kind="data"))
    tampered = bytearray(whole)
    tampered[-5] ^= 1
    with pytest.raises(BackupError, match="failed authentication"):
        b"".join(decrypt_stream(io.BytesIO(bytes(tampered)), kind="data"))
    with pytest.raises(BackupError, match="not a keys backup"):
        b"".join(decrypt_stream(io.BytesIO(whole), kind="keys"))


def test_a_backup_needs_the_master_keys(settings):
    out = io.BytesIO()
    encrypt_stream([b"payload"], out, kind="data")
    settings.ENCRYPTION_KEYS = crypto.generate_key_entry("unrelated")
    crypto.reset_key_caches()

    with pytest.raises(crypto.DecryptionError):
        b"".join(decrypt_stream(io.BytesIO(out.getvalue()), kind="data"))


@pytest.mark.django_db
def test_key_backup_holds_only_wrapped_keys(tmp_path):
    ClientFactory(name=MARKER)
    call_command("backup", "--keys", "--output-dir", str(tmp_path))

    [path] = tmp_path.glob("keys-*.cwbk")
    with path.open("rb") as source:
        rows = [
            json.loads(line) for line in b"".join(decrypt_stream(source, kind="keys")).splitlines()
        ]
    assert len(rows) == 1
    assert rows[0]["wrapped"].startswith("e1.")
    assert MARKER not in path.read_bytes().decode("latin-1")


def _manage(database_url: str, *args: str, **extra_env: str) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": database_url,
        **extra_env,
    }
    result = subprocess.run(  # noqa: S603 (our own manage.py, arguments from the test)
        [sys.executable, "manage.py", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


READ_BACK = """
import json
from casework.models import Client
from core.crypto import DecryptionError
out = {}
for client in Client.objects.select_related("data_key"):
    try:
        out[str(client.pk)] = client.name
    except DecryptionError as error:
        out[str(client.pk)] = type(error).__name__
print(json.dumps(out))
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_erasure_reaches_a_backup_taken_before_it(tmp_path, coordinator):
    xavier = ClientFactory(name="Xavier Erased")
    yasmin = ClientFactory(name="Yasmin Kept")
    call_command("backup", "--output-dir", str(tmp_path / "data"))
    client_erase(client=xavier, actor=coordinator, reason=ErasureReason.REQUEST)
    call_command("backup", "--keys", "--output-dir", str(tmp_path / "keys"))
    [data_file] = (tmp_path / "data").glob("data-*.cwbk")
    [keys_file] = (tmp_path / "keys").glob("keys-*.cwbk")
    assert b"Xavier" not in data_file.read_bytes()

    settings_dict = connection.settings_dict
    restored = f"restore_drill_{uuid.uuid4().hex[:8]}"
    server = f"{settings_dict['HOST']}:{settings_dict['PORT'] or 5432}"
    admin_url = f"postgres://{settings_dict['USER']}@{server}"
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        url = f"{admin_url}/{restored}"
        _manage(url, "restore_backup", str(data_file))
        _manage(url, "restore_backup", "--keys", str(keys_file))
        readable = json.loads(_manage(url, "shell", "-c", READ_BACK).strip().splitlines()[-1])
        # The same restored database, read by someone who has it but not the master key ring.
        stranger = crypto.generate_key_entry("stranger")
        unreadable = json.loads(
            _manage(url, "shell", "-c", READ_BACK, ENCRYPTION_KEYS=stranger)
            .strip()
            .splitlines()[-1]
        )
    finally:
        with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')

    assert readable == {str(xavier.pk): "KeyDestroyed", str(yasmin.pk): "Yasmin Kept"}
    decryption_errors = {crypto.DecryptionError.__name__} | {
        error.__name__ for error in crypto.DecryptionError.__subclasses__()
    }
    assert set(unreadable) == set(readable)
    assert set(unreadable.values()) <= decryption_errors, unreadable
