"""Writes that span several models, each in one transaction with its audit entry."""

from __future__ import annotations

from django.db import transaction

from casework.models import Language
from core.audit import log_action
from core.models import User
from referrals import directory
from referrals.models import Acceptance, Provider, Speciality


def provider_save(
    *,
    actor: User,
    provider: Provider,
    specialities: list[str],
    languages: list[Language],
    acceptances: list[Acceptance],
    changed: list[str],
) -> Provider:
    """Create or update a provider with its specialities and languages."""
    creating = provider._state.adding
    with transaction.atomic():
        provider.set_acceptances(acceptances)
        provider.save()
        provider.specialities.set(Speciality.for_names(specialities))
        provider.languages.set(languages)
        log_action(
            "referrals.provider.created" if creating else "referrals.provider.updated",
            actor=actor,
            obj=provider,
            details={"fields": sorted(changed)},
        )
    return provider


def directory_import(*, actor: User, data: bytes) -> directory.ImportReport:
    """Import a directory file: everything or, if any row is bad, nothing."""
    with transaction.atomic():
        report = directory.import_csv(data)
        if report.ok:
            log_action(
                "referrals.directory.imported",
                actor=actor,
                object_type="referrals.provider",
                details={
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
    return report
