"""Authenticator codes for tests, as a person's phone would show them."""

from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

PERIOD = 30
# The server accepts only the current window's code (no tolerance). A code read in the last
# seconds of its window can reach the server in the next one, and a slow test machine makes
# that likely: wait for a fresh window instead, as a person would wait for the next code.
MARGIN = 5


def fresh_window() -> None:
    """Return when the current code has at least MARGIN seconds left."""
    left = PERIOD - time.time() % PERIOD
    if left < MARGIN:
        time.sleep(left + 0.05)


def totp_code(secret: str, at: float | None = None) -> str:
    """The code at time `at`, or now: then one that stays valid for MARGIN seconds at least."""
    if at is None:
        fresh_window()
        at = time.time()
    return format_hotp_value(hotp_value(secret, int(at) // PERIOD))
