"""The Celery application. Tasks are discovered from the installed apps."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("casework")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The beat schedule lives in code, next to the tasks it names.
app.conf.beat_schedule = {
    "apply-retention": {
        "task": "casework.tasks.apply_retention_rule",
        "schedule": crontab(hour="2", minute="41"),
    },
    "verify-audit-chain": {
        "task": "core.tasks.verify_audit_chain",
        "schedule": crontab(hour="3", minute="17"),
    },
    # Early on the 1st, after midnight has closed last month's visits.
    "snapshot-monthly-report": {
        "task": "reporting.tasks.snapshot_last_month",
        "schedule": crontab(day_of_month="1", hour="4", minute="7"),
    },
    "dispatch-reminders": {
        "task": "casework.tasks.dispatch_reminders",
        "schedule": 60.0,
    },
}
