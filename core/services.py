"""Writes about staff accounts that span several models; each one logs its audit entries."""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import log_action
from core.models import Invitation, Site, User, UserSession
from core.roles import Role


def invitation_create(
    *, invited_by: User, email: str, role: Role, sites: Iterable[Site]
) -> tuple[Invitation, str]:
    """Invite a staff member. Returns the invitation and its token, which is never stored."""
    with transaction.atomic():
        invitation = Invitation(email=email.lower(), role=role.value, invited_by=invited_by)
        token = invitation.issue_token()
        invitation.save()
        if role == Role.COUNSELLOR:
            invitation.sites.set(sites)
        log_action(
            "core.invitation.created",
            actor=invited_by,
            obj=invitation,
            details={"role": role.value, "sites": invitation.sites.count()},
        )
    return invitation, token


def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable:
            raise ValidationError(_("This invitation can no longer be withdrawn."))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        log_action(
            "core.invitation.revoked",
            actor=actor,
            obj=invitation,
            details={"role": invitation.role},
        )


def invitation_accept(*, token: str, password: str) -> User:
    """Create the invited account with its role and sites, and use the invitation up.

    The row is locked so that a link clicked twice at once makes one account, not two.
    """
    with transaction.atomic():
        invitation = Invitation.find_usable(token)
        if invitation is not None:
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation is None or not invitation.is_usable:
            raise ValidationError(_("This invitation link is no longer valid."))
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("An account with this e-mail address exists already."))
        user = User.objects.create_user(invitation.email, password)
        role = Role(invitation.role)
        user.set_roles([role])
        if role == Role.COUNSELLOR:
            user.sites.set(invitation.sites.all())
        # The address is proven: the invitation was sent to it. allauth's MFA refuses to
        # enrol an account whose address is unverified.
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        log_action(
            "core.invitation.accepted",
            actor=user,
            obj=invitation,
            details={"role": role.value, "user": user.pk},
        )
    return user


def _active_administrator_ids() -> set[int]:
    return set(
        User.objects.filter(is_active=True, groups__name=Role.ADMINISTRATOR.value)
        .select_for_update(of=("self",))
        .values_list("pk", flat=True)
    )


def user_update(*, user: User, actor: User, roles: Iterable[Role], sites: Iterable[Site]) -> None:
    """Set a user's roles and sites. The last active administrator keeps that role."""
    new_roles = frozenset(roles)
    new_sites = list(sites) if Role.COUNSELLOR in new_roles else []
    with transaction.atomic():
        old_roles = user.roles
        if (
            Role.ADMINISTRATOR in old_roles
            and Role.ADMINISTRATOR not in new_roles
            and user.is_active
            and _active_administrator_ids() <= {user.pk}
        ):
            raise ValidationError(
                _("This is the last active administrator: keep the administrator role.")
            )
        old_site_ids = set(user.sites.values_list("pk", flat=True))
        if new_roles != old_roles:
            user.set_roles(new_roles)
            log_action(
                "core.user.roles_changed",
                actor=actor,
                obj=user,
                details={
                    "added": sorted(role.value for role in new_roles - old_roles),
                    "removed": sorted(role.value for role in old_roles - new_roles),
                    "roles": sorted(role.value for role in new_roles),
                },
            )
        if {site.pk for site in new_sites} != old_site_ids:
            user.sites.set(new_sites)
            log_action(
                "core.user.sites_changed",
                actor=actor,
                obj=user,
                details={"sites": len(new_sites)},
            )
        user.__dict__.pop("site_ids", None)


def user_deactivate(*, user: User, actor: User) -> None:
    """Lock the account and end every session it has, wherever it is signed in."""
    with transaction.atomic():
        if user.pk == actor.pk:
            raise ValidationError(_("You cannot deactivate your own account."))
        if not user.is_active:
            return
        if Role.ADMINISTRATOR in user.roles and _active_administrator_ids() <= {user.pk}:
            raise ValidationError(_("This is the last active administrator."))
        user.is_active = False
        user.save(update_fields=["is_active"])
        ended = user_end_sessions(user=user)
        log_action(
            "core.user.deactivated",
            actor=actor,
            obj=user,
            details={"roles": sorted(role.value for role in user.roles), "sessions": ended},
        )


def user_reactivate(*, user: User, actor: User) -> None:
    with transaction.atomic():
        if user.is_active:
            return
        user.is_active = True
        user.save(update_fields=["is_active"])
        log_action(
            "core.user.reactivated",
            actor=actor,
            obj=user,
            details={"roles": sorted(role.value for role in user.roles)},
        )


def user_end_sessions(*, user: User) -> int:
    """Delete the user's sessions server-side; returns how many were live."""
    records = UserSession.objects.filter(user=user)
    keys = list(records.values_list("session_key", flat=True))
    ended, _per_model = Session.objects.filter(session_key__in=keys).delete()
    records.delete()
    return ended
