"""Monthly snapshots: the published report of a month, stored so it opens instantly and stays
the same when someone edits last month's visits."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MonthlySnapshot(models.Model):
    # Only the published report (after suppression), never the true small counts: what is
    # stored is exactly what anyone with the reporting role may see.
    month = models.DateField(_("month"), unique=True)
    data = models.JSONField()
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly report snapshot")
        verbose_name_plural = _("monthly report snapshots")

    def __str__(self) -> str:
        return f"report snapshot {self.month:%Y-%m}"
