"""Writes that span several models, each in one transaction with its audit entry."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from casework.models import Client, Language, Visit
from core.audit import DetailValue, log_action
from core.models import User
from core.roles import Role
from referrals import directory, ledger, reminders
from referrals.models import (
    INVOICE_STEPS,
    TRANSITIONS,
    Acceptance,
    CostGuarantee,
    Fund,
    FundBudget,
    GuaranteeStatus,
    Invoice,
    Provider,
    Referral,
    ReferralEvent,
    Speciality,
    Status,
)
from referrals.models.funds import new_voucher_code
from referrals.money import Money
from referrals.periods import Period


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


class ReferralConflict(Exception):
    """The change was refused: not allowed from the current state, or someone was faster.

    The message is for the user and never carries personal data.
    """


# --- funds -------------------------------------------------------------------------------------


def fund_save(*, actor: User, fund: Fund, changed: list[str]) -> Fund:
    creating = fund._state.adding
    with transaction.atomic():
        fund.save()
        reminders.fund_changed(fund)
        log_action(
            "referrals.fund.created" if creating else "referrals.fund.updated",
            actor=actor,
            obj=fund,
            details={"fields": sorted(changed)},
        )
    return fund


def fund_set_budget(*, actor: User, fund: Fund, period: Period, amount: Decimal) -> FundBudget:
    with transaction.atomic():
        budget, created = FundBudget.objects.update_or_create(
            fund=fund,
            period_start=period.start,
            defaults={"amount": amount, "set_by": actor, "set_at": timezone.now()},
        )
        reminders.fund_changed(fund)
        log_action(
            "referrals.fund.budget_set",
            actor=actor,
            obj=fund,
            details={"period": period.slug, "amount": str(amount), "new": created},
        )
    return budget


# --- referrals ---------------------------------------------------------------------------------


def referral_create(
    *,
    actor: User,
    client: Client,
    provider: Provider,
    reason: str,
    urgency: str,
    interpreter_language: Language | None,
    accompaniment: str,
    notes: str,
    visit: Visit | None = None,
) -> Referral:
    if visit is not None and visit.client_id != client.pk:
        raise ValueError("The visit is another client's.")
    with transaction.atomic():
        referral = Referral(
            client=client,
            visit=visit,
            provider=provider,
            reason=reason,
            urgency=urgency,
            interpreter_language=interpreter_language,
            accompaniment=accompaniment,
            notes=notes,
            followed_by=actor,
            created_by=actor,
        )
        referral.save()
        ReferralEvent.objects.create(
            referral=referral, action="create", to_status=referral.status, by=actor
        )
        log_action(
            "referrals.referral.created",
            actor=actor,
            obj=referral,
            details={
                "client": str(client.pk),
                "visit": str(visit.pk) if visit is not None else None,
                "reason": reason,
                "urgency": urgency,
            },
        )
    return referral


def referral_update(
    *, actor: User, referral: Referral, expected_version: int, changed: list[str]
) -> Referral:
    """Save edited fields of `referral`, unless someone changed it since `expected_version`."""
    with transaction.atomic():
        current = Referral.objects.select_for_update().only("version", "status").get(pk=referral.pk)
        if current.version != expected_version:
            raise ReferralConflict(
                gettext("Someone else changed this referral meanwhile. Reload it and try again.")
            )
        if current.status == Status.CLOSED:
            raise ReferralConflict(gettext("A closed referral cannot be changed."))
        referral.version = current.version + 1
        referral.save()
        log_action(
            "referrals.referral.updated",
            actor=actor,
            obj=referral,
            details={"fields": sorted(changed)},
        )
    return referral


def referral_transition(
    *,
    actor: User,
    referral: Referral,
    action: str,
    expected_version: int,
    appointment_at: datetime | None = None,
    outcome: str = "",
) -> Referral:
    """Move `referral` one step along its lifecycle, or refuse with `ReferralConflict`.

    The update is conditional on the version the user saw and on a status the step may start
    from, in one statement: of two people acting at once, exactly one wins. Cancelling or a
    provider's refusal closes the referral's open guarantees, releasing their reservation.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ReferralConflict(gettext("This is not a step a referral can take."))
    if referral.version != expected_version:
        raise ReferralConflict(
            gettext("Someone else changed this referral meanwhile. Reload it and try again.")
        )
    if referral.status not in transition.sources:
        raise ReferralConflict(
            gettext("A referral that is “%(status)s” cannot take the step “%(step)s”.")
            % {"status": referral.get_status_display(), "step": transition.label}
        )
    if transition.needs_appointment and appointment_at is None:
        raise ReferralConflict(gettext("Give the date and time of the appointment."))
    if transition.needs_outcome and not outcome:
        raise ReferralConflict(gettext("Choose the outcome."))
    now = timezone.now()
    changes: dict[str, Any] = {
        "status": transition.target,
        "status_changed_at": now,
        "version": F("version") + 1,
    }
    if transition.needs_appointment:
        changes["appointment_at"] = appointment_at
    if transition.needs_outcome:
        changes["outcome"] = outcome
    with transaction.atomic():
        won = Referral.objects.filter(
            pk=referral.pk, version=expected_version, status__in=transition.sources
        ).update(**changes)
        if not won:
            raise ReferralConflict(
                gettext("Someone else changed this referral meanwhile. Reload it and try again.")
            )
        ReferralEvent.objects.create(
            referral=referral,
            action=action,
            from_status=referral.status,
            to_status=transition.target,
            appointment_at=appointment_at if transition.needs_appointment else None,
            outcome=outcome if transition.needs_outcome else "",
            by=actor,
            at=now,
        )
        previous_appointment = referral.appointment_at
        released = 0
        if transition.target in (Status.CANCELLED, Status.DECLINED):
            for guarantee in referral.guarantees.filter(status=GuaranteeStatus.OPEN):
                _close_guarantee(guarantee, actor=actor, now=now)
                released += 1
        log_action(
            f"referrals.referral.{transition.verb}",
            actor=actor,
            obj=referral,
            details={
                "from": referral.status,
                "to": transition.target,
                "guarantees_released": released,
            },
        )
        referral.refresh_from_db()
        reminders.referral_changed(referral, previous_appointment=previous_appointment, by=actor)
    return referral


def referral_follow(*, actor: User, referral: Referral) -> Referral:
    """Make `actor` the one who follows the referral and receives its reminders."""
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(followed_by=actor)
        referral.refresh_from_db()
        reminders.referral_changed(referral, previous_appointment=None, by=actor)
        log_action("referrals.referral.follower_changed", actor=actor, obj=referral)
    return referral


# --- cost guarantees and invoices --------------------------------------------------------------


class OverrideNeeded(Exception):
    """The guarantee is larger than what is left of the fund; a coordinator must say so."""

    def __init__(self, left: Money) -> None:
        super().__init__("guarantee exceeds what is left of the fund")
        self.left = left


def guarantee_issue(
    *,
    actor: User,
    referral: Referral,
    fund: Fund,
    amount: Decimal,
    override: bool = False,
) -> CostGuarantee:
    """Reserve `amount` from the fund's current period for `referral` and issue a voucher.

    A guarantee above what is left needs `override=True`, given only by a coordinator's
    explicit choice; it is recorded on the guarantee and in the audit trail. The fund row is
    locked meanwhile, so two guarantees issued at once cannot both spend the same money.
    """
    if not actor.has_role(Role.COORDINATOR):
        raise PermissionError("Only coordinators guarantee costs.")
    if referral.status in (Status.CLOSED, Status.CANCELLED, Status.DECLINED):
        raise ReferralConflict(
            gettext("A closed, cancelled or declined referral cannot get a cost guarantee.")
        )
    with transaction.atomic():
        Fund.objects.select_for_update().filter(pk=fund.pk).first()
        period = fund.current_period()
        left = ledger.left_in_period(fund, period)
        shortfall = fund.money(amount) - left
        if shortfall.amount > 0 and not override:
            raise OverrideNeeded(left)
        guarantee = CostGuarantee(
            referral=referral,
            fund=fund,
            period_start=period.start,
            amount=amount,
            issued_by=actor,
            override_shortfall=shortfall.amount if shortfall.amount > 0 else None,
        )
        _save_with_fresh_voucher(guarantee)
        reminders.fund_changed(fund)
        log_action(
            "referrals.guarantee.issued",
            actor=actor,
            obj=guarantee,
            details={
                "referral": str(referral.pk),
                "fund": str(fund.pk),
                "period": period.slug,
                "amount": str(amount),
                "currency": fund.currency,
                "override": guarantee.was_overridden,
            },
        )
        if guarantee.was_overridden:
            log_action(
                "referrals.guarantee.override_granted",
                actor=actor,
                obj=guarantee,
                details={"shortfall": str(guarantee.override_shortfall), "currency": fund.currency},
            )
    return guarantee


def _save_with_fresh_voucher(guarantee: CostGuarantee) -> None:
    # 29^8 codes: a collision is rare, but possible, so draw again on one.
    for _attempt in range(10):
        guarantee.voucher_code = new_voucher_code()
        try:
            with transaction.atomic():
                guarantee.save()
            return
        except IntegrityError:
            if not CostGuarantee.objects.filter(voucher_code=guarantee.voucher_code).exists():
                raise
    raise IntegrityError("Could not find a free voucher code.")


def _close_guarantee(guarantee: CostGuarantee, *, actor: User, now: datetime) -> None:
    guarantee.status = GuaranteeStatus.CLOSED
    guarantee.closed_by = actor
    guarantee.closed_at = now
    guarantee.save(update_fields=["status", "closed_by", "closed_at"])
    log_action("referrals.guarantee.closed", actor=actor, obj=guarantee)


def guarantee_close(*, actor: User, guarantee: CostGuarantee) -> CostGuarantee:
    """Close the guarantee: what it still reserves goes back to the fund."""
    with transaction.atomic():
        locked = CostGuarantee.objects.select_for_update().get(pk=guarantee.pk)
        if not locked.is_open:
            raise ReferralConflict(gettext("This guarantee is already closed."))
        _close_guarantee(locked, actor=actor, now=timezone.now())
    guarantee.refresh_from_db()
    return guarantee


def invoice_record(
    *,
    actor: User,
    guarantee: CostGuarantee,
    amount: Decimal,
    invoice_date: date,
    provider_reference: str = "",
) -> Invoice:
    with transaction.atomic():
        invoice = Invoice.objects.create(
            guarantee=guarantee,
            amount_billed=amount,
            amount_due=amount,
            invoice_date=invoice_date,
            provider_reference=provider_reference,
            recorded_by=actor,
            status_changed_by=actor,
        )
        reminders.fund_changed(guarantee.fund)
        log_action(
            "referrals.invoice.recorded",
            actor=actor,
            obj=invoice,
            details={
                "guarantee": str(guarantee.pk),
                "amount": str(amount),
                "currency": guarantee.fund.currency,
            },
        )
    return invoice


def invoice_step(
    *, actor: User, invoice: Invoice, action: str, amount_due: Decimal | None = None
) -> Invoice:
    """Move an invoice on: checked, negotiated down (to `amount_due`), paid or written off."""
    step = INVOICE_STEPS.get(action)
    if step is None:
        raise ReferralConflict(gettext("This is not a step an invoice can take."))
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.status not in step.sources:
            raise ReferralConflict(
                gettext("An invoice that is “%(status)s” cannot take the step “%(step)s”.")
                % {"status": locked.get_status_display(), "step": step.label}
            )
        details: dict[str, DetailValue] = {"from": locked.status, "to": step.target}
        if step.needs_amount:
            if amount_due is None or not Decimal("0") <= amount_due < locked.amount_due:
                raise ReferralConflict(
                    gettext("The agreed amount must be lower than the amount now due.")
                )
            locked.amount_due = amount_due
            details["amount_due"] = str(amount_due)
        locked.status = step.target
        locked.status_changed_by = actor
        locked.status_changed_at = timezone.now()
        locked.save()
        log_action(f"referrals.invoice.{step.verb}", actor=actor, obj=locked, details=details)
    invoice.refresh_from_db()
    return invoice
