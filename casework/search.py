"""Find a client from one search box: a client code, a name, a phone number or a date of birth.

A code is looked up directly; a code with a typo suggests the valid codes one typo away that
exist. Everything else goes through a blind index, never through plaintext, and candidates are
confirmed by decrypting. What was typed never reaches a log or a URL: the search is a POST.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from casework import codes
from casework.access import clients_visible_to
from casework.duplicates import MAX_CANDIDATES
from casework.models import Client
from core.crypto import IndexKind, blind_index_candidates, same_normalised
from core.models import User

SearchKind = Literal["code", "name", "phone", "date"]

_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y")
_PHONE = re.compile(r"^[\d\s+()./-]+$")
_MIN_PHONE_DIGITS = 6
# Blind index and the encrypted field it is computed from, per kind.
_INDEXES: dict[IndexKind, tuple[str, str]] = {
    "name": ("name_index", "name"),
    "phone": ("phone_index", "phone"),
    "date": ("date_of_birth_index", "date_of_birth"),
}


@dataclass
class SearchResult:
    kind: SearchKind
    clients: list[Client] = field(default_factory=list)
    # For a code with a typo: existing clients whose code is one typo away.
    suggestions: list[Client] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.clients) + len(self.suggestions)


def _as_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _looks_like_code(text: str) -> bool:
    compact = codes.compact(text)
    return len(compact) == codes.LENGTH and len(text.strip()) <= codes.LENGTH + 2


def _by_index(user: User, kind: IndexKind, value: str | date) -> list[Client]:
    candidates = blind_index_candidates(kind, value)
    if not candidates:
        return []
    index, source = _INDEXES[kind]
    found = (
        clients_visible_to(user)
        .filter(**{f"{index}__in": candidates})
        .select_related("data_key")
        .order_by("-last_seen_at")[:MAX_CANDIDATES]
    )
    return [client for client in found if same_normalised(kind, getattr(client, source), value)]


def _by_code(user: User, text: str) -> SearchResult:
    compact = codes.compact(text)
    visible = clients_visible_to(user).select_related("data_key")
    if codes.is_valid(compact):
        return SearchResult("code", clients=list(visible.filter(code=compact)))
    nearby = codes.corrections(compact)
    return SearchResult(
        "code", suggestions=list(visible.filter(code__in=nearby).order_by("code")) if nearby else []
    )


def find_clients(user: User, query: str) -> SearchResult:
    text = query.strip()
    day = _as_date(text)
    if day is not None:
        return SearchResult("date", clients=_by_index(user, "date", day))
    if _looks_like_code(text):
        result = _by_code(user, text)
        # "Fatima" is six letters too: a word without a match as a code is also a name.
        if result.count or any(ch.isdigit() for ch in text):
            return result
        return SearchResult("name", clients=_by_index(user, "name", text))
    if _PHONE.match(text) and sum(ch.isdigit() for ch in text) >= _MIN_PHONE_DIGITS:
        return SearchResult("phone", clients=_by_index(user, "phone", text))
    return SearchResult("name", clients=_by_index(user, "name", text))
