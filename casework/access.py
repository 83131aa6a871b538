"""Who may see which client: the one place that decides it.

Counsellors see the clients seen at (or registered at) one of their sites; coordinators see
every client; nobody else sees any. Every view here, and every app that shows something about a
client (referrals, address service), goes through these helpers. A client the user may not see
is a 404, never a 403, so that its existence is not revealed.
"""

from __future__ import annotations

import uuid

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from casework import codes
from casework.models import Client, ClientSite, Visit
from core.models import User
from core.roles import Role


def clients_visible_to(user: User) -> QuerySet[Client]:
    """The clients `user` may see; erased and merged-away records are nobody's."""
    clients = Client.objects.filter(erased_at__isnull=True)
    if user.has_role(Role.COORDINATOR):
        return clients
    if user.has_role(Role.COUNSELLOR) and user.site_ids:
        seen_here = ClientSite.objects.filter(client=OuterRef("pk"), site_id__in=user.site_ids)
        return clients.filter(Exists(seen_here))
    return clients.none()


def get_client_for(user: User, code: str) -> Client:
    """The client with this code (as typed: case and separators do not matter), or 404.

    The code of a duplicate that was merged away still leads to the person it was merged into.
    """
    compact = codes.compact(code)
    if not codes.is_valid(compact):
        raise Http404
    visible = clients_visible_to(user).select_related("data_key", "registered_site")
    client = visible.filter(code=compact).first()
    if client is None:
        merged_into = (
            Client.objects.filter(code=compact, merged_into__isnull=False)
            .values_list("merged_into_id", flat=True)
            .first()
        )
        if merged_into is not None:
            client = visible.filter(pk=merged_into).first()
    if client is None:
        raise Http404
    return client


def visits_visible_to(user: User) -> QuerySet[Visit]:
    return Visit.objects.filter(client__in=clients_visible_to(user))


def visits_editable_by(user: User) -> QuerySet[Visit]:
    """Visits `user` may change: any for a coordinator, those at their own sites for a
    counsellor. (A counsellor reads the whole history of a client they see.)"""
    visits = visits_visible_to(user)
    if user.has_role(Role.COORDINATOR):
        return visits
    return visits.filter(site_id__in=user.site_ids)


def get_visit_for(user: User, visit_id: uuid.UUID) -> Visit:
    """A visit `user` may edit, or 404."""
    visit = (
        visits_editable_by(user)
        .select_related("client__data_key", "site", "counsellor", "language")
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise Http404
    return visit
