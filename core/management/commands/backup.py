"""Write an encrypted backup: the case data, or (with --keys) the data-key table.

The two go to different places with different retention; see docs/privacy.md.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from core.backup import CHUNK_BYTES, encrypt_stream
from core.models import DataKey


def postgres_environment() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore, and PGPASSWORD kept out of argv."""
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {"PGPASSWORD": db.get("PASSWORD") or "", "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return args, env


def _postgres_dump() -> Iterator[bytes]:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise CommandError("pg_dump is not installed.")
    args, env = postgres_environment()
    command = [pg_dump, "--format=custom", "--no-owner", "--exclude-table-data=core_datakey"]
    with subprocess.Popen(command + args, stdout=subprocess.PIPE, env=env) as process:  # noqa: S603 (pg_dump; arguments from settings)
        stdout = process.stdout
        while stdout is not None and (chunk := stdout.read(CHUNK_BYTES)):
            yield chunk
    if process.returncode != 0:
        raise CommandError(f"pg_dump failed with exit code {process.returncode}.")


def _sqlite_dump() -> Iterator[bytes]:
    with tempfile.TemporaryDirectory() as folder:
        copy_path = Path(folder) / "copy.sqlite3"
        source = sqlite3.connect(connection.settings_dict["NAME"])
        target = sqlite3.connect(copy_path)
        with target:
            source.backup(target)
            target.execute("DELETE FROM core_datakey")
        target.execute("VACUUM")
        source.close()
        target.close()
        with copy_path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                yield chunk


def _key_rows() -> Iterator[bytes]:
    for key in DataKey.objects.order_by("pk").iterator(chunk_size=2000):
        row = {"id": str(key.pk), "wrapped": key.wrapped, "created_at": key.created_at.isoformat()}
        yield (json.dumps(row) + "\n").encode()


class Command(BaseCommand):
    help = "Write an encrypted backup of the case data, or with --keys of the data-key table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output-dir", default="var/backups")
        parser.add_argument(
            "--keys", action="store_true", help="Back up the data-key table instead of the data."
        )

    def handle(self, *args: Any, output_dir: str, keys: bool, **options: Any) -> None:
        folder = Path(output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        kind = "keys" if keys else "data"
        if keys:
            source = _key_rows()
        elif connection.vendor == "postgresql":
            source = _postgres_dump()
        elif connection.vendor == "sqlite":
            source = _sqlite_dump()
        else:
            raise CommandError(f"Backups of {connection.vendor} databases are not supported.")
        path = folder / f"{kind}-{connection.vendor}-{stamp}.cwbk"
        partial = path.with_suffix(".partial")
        with partial.open("wb") as out:
            encrypt_stream(source, out, kind=kind)
        partial.rename(path)
        self.stdout.write(f"Wrote {path} ({path.stat().st_size} bytes, encrypted).")
        if not keys:
            self.stdout.write(
                "The data keys are not in this file. Back them up separately, to another place "
                "with a short retention:\n"
                "  manage.py backup --keys --output-dir <key backup place>\n"
                "and keep the master keys (ENCRYPTION_KEYS, BLIND_INDEX_KEYS) offline, apart "
                "from both. See docs/privacy.md."
            )
