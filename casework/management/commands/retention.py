from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from casework.erasure import apply_retention, clients_past_retention, retention_cutoff


class Command(BaseCommand):
    help = "Erase (crypto-shred) clients not seen within RETENTION_DAYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Show who would be erased; change nothing."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        cutoff = retention_cutoff()
        self.stdout.write(
            f"Retention period: {settings.RETENTION_DAYS} days (last seen before "
            f"{cutoff:%Y-%m-%d})."
        )
        if dry_run:
            due = clients_past_retention()
            for client in due.only("code", "last_seen_at").iterator():
                self.stdout.write(
                    f"  would erase {client.display_code}, last seen {client.last_seen_at:%Y-%m}"
                )
            self.stdout.write(f"{due.count()} client(s) would be erased. Nothing was changed.")
            return
        erased = apply_retention()
        self.stdout.write(f"{erased} client(s) erased.")
