"""Restore an encrypted backup written by `manage.py backup` into the configured database."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from core.backup import BackupError, decrypt_stream
from core.management.commands.backup import postgres_environment
from core.models import DataKey


class Command(BaseCommand):
    help = "Restore a data backup into an empty PostgreSQL database, or (--keys) a key backup."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--keys", action="store_true", help="The file is a key backup.")

    def handle(self, *args: Any, file: str, keys: bool, **options: Any) -> None:
        path = Path(file)
        try:
            with path.open("rb") as source:
                if keys:
                    restored = self.restore_keys(source)
                    self.stdout.write(f"Restored {restored} data key(s).")
                else:
                    self.restore_data(source)
                    self.stdout.write("Restored the data. Now restore the newest key backup.")
        except BackupError as error:
            raise CommandError(str(error)) from None

    def restore_keys(self, source: Any) -> int:
        rows = b"".join(decrypt_stream(source, kind="keys")).decode().splitlines()
        keys = [
            DataKey(id=row["id"], wrapped=row["wrapped"], created_at=row["created_at"])
            for row in map(json.loads, rows)
        ]
        with transaction.atomic():
            DataKey.objects.bulk_create(keys, ignore_conflicts=True, batch_size=2000)
        return len(keys)

    def restore_data(self, source: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Restoring data needs PostgreSQL (DATABASE_URL=postgres://...).")
        if connection.introspection.table_names():
            raise CommandError("The target database is not empty; restore into an empty one.")
        pg_restore = shutil.which("pg_restore")
        if pg_restore is None:
            raise CommandError("pg_restore is not installed.")
        args, env = postgres_environment()
        with tempfile.NamedTemporaryFile(suffix=".dump") as plain:
            for chunk in decrypt_stream(source, kind="data"):
                plain.write(chunk)
            plain.flush()
            result = subprocess.run(  # noqa: S603 (pg_restore; arguments from settings)
                [pg_restore, "--no-owner", "--exit-on-error", *args, plain.name],
                env=env,
                capture_output=True,
                check=False,
            )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.decode()[-500:]}")
