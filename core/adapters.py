"""allauth adapters: sign-up only through an invitation."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # No public sign-up. Invited staff join through core.views.accept_invitation.
        return False


class MfaAdapter(DefaultMFAAdapter):
    pass
