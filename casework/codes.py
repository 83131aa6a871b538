"""Client codes: short, random, easy to read aloud, with a check character.

A code is five random characters and one check character, printed as "K7Q-4MX". The alphabet
leaves out 0/O, 1/I/L, U and Z (read as 2), which keeps 29 characters — a prime. The check
character makes the weighted sum of all six values divisible by 29; with weights 1..6, any
single wrong character and any swap of two neighbours changes that sum by a non-multiple of 29,
so every such typo is caught.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXY"
MODULUS = len(ALPHABET)  # 29
BODY_LENGTH = 5
LENGTH = BODY_LENGTH + 1
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def _weighted_sum(chars: str) -> int:
    return sum((position + 1) * _VALUE[ch] for position, ch in enumerate(chars))


def check_character(body: str) -> str:
    """The character that makes the weighted sum of body + check divisible by 29."""
    # Solve total + 6 * c == 0 (mod 29) for c; 6 has an inverse mod 29 because 29 is prime.
    total = _weighted_sum(body)
    inverse = pow(LENGTH, -1, MODULUS)
    return ALPHABET[(-total * inverse) % MODULUS]


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def compact(text: str) -> str:
    """What the user typed, without separators and in upper case: "k7q 4mx" -> "K7Q4MX"."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def is_valid(text: str) -> bool:
    code = compact(text)
    return (
        len(code) == LENGTH
        and all(ch in _VALUE for ch in code)
        and _weighted_sum(code) % MODULUS == 0
    )


def display(code: str) -> str:
    """The printed form, "K7Q-4MX"."""
    return f"{code[:3]}-{code[3:]}"


def corrections(text: str) -> list[str]:
    """Valid codes one typo away from `text`: a wrong character or two swapped neighbours.

    A character outside the alphabet (an O for a Q, say) is just a wrong character.
    """
    code = compact(text)
    if len(code) != LENGTH:
        return []
    if is_valid(code):
        return [code]
    found: set[str] = set()
    for position in range(LENGTH):
        for ch in ALPHABET:
            candidate = code[:position] + ch + code[position + 1 :]
            if is_valid(candidate):
                found.add(candidate)
    for position in range(LENGTH - 1):
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
        if is_valid(swapped):
            found.add(swapped)
    return sorted(found)
