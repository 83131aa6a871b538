"""Forms of referrals and their lifecycle."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.models import Outcome, Provider, Referral, Status, Transition


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["provider", "reason", "urgency", "interpreter_language", "accompaniment", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "notes": _(
                "Encrypted. What the provider needs to know; never anything about legal status."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        providers = Provider.objects.filter(is_active=True)
        if self.instance.provider_id:
            # An inactive provider stays selectable on referrals already made to them.
            providers = Provider.objects.filter(pk=self.instance.provider_id) | providers
        self.fields["provider"].queryset = providers.order_by("name")  # type: ignore[attr-defined]
        self.fields["interpreter_language"].empty_label = _("No interpreter needed")  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    """Carries the version of the referral the user saw, so a stale change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReferralEditForm(ReferralForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version


class TransitionForm(VersionForm):
    appointment_at = forms.DateTimeField(
        label=_("Appointment"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)

    def __init__(self, *args: Any, transition: Transition, referral: Referral, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.fields["version"].initial = referral.version
        if not transition.needs_appointment:
            del self.fields["appointment_at"]
        elif referral.appointment_at is not None and referral.status == Status.BOOKED:
            self.fields["appointment_at"].initial = referral.appointment_at
        if not transition.needs_outcome:
            del self.fields["outcome"]


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Not closed")), *Status.choices, ("all", _("All"))],
    )
