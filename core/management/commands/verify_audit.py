from typing import Any

from django.core.management.base import BaseCommand

from core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and report the first broken entry."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"Audit chain intact: {report.checked} entries verified.")
            return
        self.stderr.write(
            f"Audit chain broken at entry {report.first_broken_id}: {report.reason} "
            f"({report.checked} entries before it verified)."
        )
        raise SystemExit(1)
