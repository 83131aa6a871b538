"""Who may see what in the referrals area: one helper per object type.

Providers and funds belong to the whole organisation, not to a site, so every holder of the
role may see every one of them; an unknown id is a 404. A referral is about a person: it is
visible to whoever may see that person, and to nobody else — another site's referral is a 404,
never a 403, so its existence is not revealed.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from casework.access import clients_visible_to
from core.models import User
from core.roles import Role
from referrals.models import CostGuarantee, Fund, Invoice, Provider, Referral


def get_provider(provider_id: uuid.UUID) -> Provider:
    return get_object_or_404(Provider.objects.for_listing(), pk=provider_id)


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    referrals = Referral.objects.all()
    if user.has_role(Role.COORDINATOR):
        return referrals
    if user.has_role(Role.COUNSELLOR):
        return referrals.filter(client__in=clients_visible_to(user))
    return referrals.none()


def get_referral_for(user: User, referral_id: uuid.UUID) -> Referral:
    return get_object_or_404(
        referrals_visible_to(user).select_related(
            "client__data_key", "provider", "interpreter_language", "followed_by"
        ),
        pk=referral_id,
    )


def get_fund(fund_id: uuid.UUID) -> Fund:
    return get_object_or_404(Fund, pk=fund_id)


def get_guarantee(guarantee_id: uuid.UUID) -> CostGuarantee:
    return get_object_or_404(
        CostGuarantee.objects.select_related("fund", "referral__client", "referral__provider"),
        pk=guarantee_id,
    )


def get_invoice(invoice_id: uuid.UUID) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related("guarantee__fund", "guarantee__referral"), pk=invoice_id
    )
