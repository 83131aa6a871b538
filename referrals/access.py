"""Who may see what in the referrals area: one helper per object type.

Providers and funds belong to the whole organisation, not to a site, so every holder of the
role may see every one of them; an unknown id is a 404.
"""

from __future__ import annotations

import uuid

from django.shortcuts import get_object_or_404

from referrals.models import Provider


def get_provider(provider_id: uuid.UUID) -> Provider:
    return get_object_or_404(Provider.objects.for_listing(), pk=provider_id)
