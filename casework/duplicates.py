"""Possible duplicates: the same name and date of birth, or the same phone number.

Candidates come from the blind indexes and are confirmed by decrypting, because a 32-bit index
value is shared by strangers now and then.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from casework.models import Client
from core.crypto import blind_index_candidates, same_normalised

# More candidates than this means a very common name with a common birthday; the warning
# does not need them all.
MAX_CANDIDATES = 50


def possible_duplicates(
    *,
    name: str = "",
    date_of_birth: date | None = None,
    phone: str = "",
    exclude: Client | None = None,
) -> list[Client]:
    """Existing clients (of any site) matching on name + date of birth, or on phone."""
    wanted = Q()
    if name and date_of_birth is not None:
        names = blind_index_candidates("name", name)
        dates = blind_index_candidates("date", date_of_birth)
        if names and dates:
            wanted |= Q(name_index__in=names, date_of_birth_index__in=dates)
    phones = blind_index_candidates("phone", phone) if phone else []
    if phones:
        wanted |= Q(phone_index__in=phones)
    if not wanted:
        return []
    candidates = Client.objects.filter(erased_at__isnull=True).filter(wanted)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    return [
        client
        for client in candidates.select_related("data_key")[:MAX_CANDIDATES]
        if (
            date_of_birth is not None
            and same_normalised("name", client.name, name)
            and client.date_of_birth == date_of_birth
        )
        or (phone and same_normalised("phone", client.phone, phone))
    ]
