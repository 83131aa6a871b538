"""Forms of staff administration and of accepting an invitation. They validate and normalise."""

from __future__ import annotations

from typing import Any

from allauth.account.fields import PasswordField, SetPasswordField
from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Invitation, Site, User
from core.roles import ROLE_CHOICES, Role


def _site_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Counsellors see the clients and visits of these sites only."),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, widget=forms.RadioSelect)
    sites = _site_field()

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("There is an account with this address already."))
        if Invitation.objects.usable().filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("This address has a pending invitation. Withdraw it first to send a new one.")
            )
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("role") == Role.COUNSELLOR.value and not data.get("sites"):
            self.add_error("sites", _("Choose at least one site for a counsellor."))
        return data


class AcceptInvitationForm(forms.Form):
    password1 = SetPasswordField(label=_("Password"))
    password2 = PasswordField(label=_("Password (again)"), autocomplete="new-password")

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The password validators compare the password with the account's own e-mail address.
        self.fields["password1"].user = User(email=email)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return data


class UserForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    sites = _site_field()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if Role.COUNSELLOR.value in data.get("roles", []) and not data.get("sites"):
            self.add_error("sites", _("Choose at least one site for a counsellor."))
        return data

    @property
    def chosen_roles(self) -> list[Role]:
        return [Role(value) for value in self.cleaned_data["roles"]]
