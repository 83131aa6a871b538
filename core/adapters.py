"""allauth adapters: sign-up only through an invitation, MFA secrets sealed, MFA kept."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.crypto import master_decrypt, master_encrypt

# Associated data of sealed MFA secrets: a token copied into another kind of field won't open.
MFA_SEAL_CONTEXT = "allauth.mfa.authenticator"
# The authenticators that count as a second factor. Recovery codes only back them up.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # No public sign-up. Invited staff join through core.views_invitations.
        return False


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "This is your only second factor. Add another one (an authenticator app or a "
            "security key) before you remove this one."
        ),
    }

    def encrypt(self, text: str) -> str:
        """TOTP secrets and recovery-code seeds are stored sealed under the master key ring."""
        return master_encrypt(text, context=MFA_SEAL_CONTEXT)

    def decrypt(self, encrypted_text: str) -> str:
        return master_decrypt(encrypted_text, context=MFA_SEAL_CONTEXT)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Every account keeps at least one second factor; it may swap one for another."""
        if authenticator.type not in SECOND_FACTOR_TYPES:
            return True
        return (
            Authenticator.objects.filter(
                user_id=authenticator.user_id, type__in=SECOND_FACTOR_TYPES
            )
            .exclude(pk=authenticator.pk)
            .exists()
        )
