"""Forms of the provider directory: edit, filter, import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.models import Language
from referrals.directory import MAX_BYTES
from referrals.models import Acceptance, Provider, ProviderKind, Speciality


class ProviderForm(forms.ModelForm):
    specialities_text = forms.CharField(
        label=_("Specialities"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas, for example: cardiology, diabetes."),
    )
    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )
    acceptances = forms.MultipleChoiceField(
        label=_("Accepts"),
        choices=Acceptance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Provider
        fields = [
            "name",
            "kind",
            "languages",
            "contact_person",
            "address",
            "phone",
            "email",
            "website",
            "availability",
            "monthly_capacity",
            "trust_note",
            "is_active",
        ]
        widgets = {
            "languages": forms.CheckboxSelectMultiple,
            "address": forms.Textarea(attrs={"rows": 3}),
            "trust_note": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["specialities_text"].initial = ", ".join(
                s.name for s in self.instance.specialities.all()
            )
            self.fields["acceptances"].initial = [a.value for a in self.instance.acceptances]

    def clean_specialities_text(self) -> list[str]:
        names: dict[str, str] = {}
        for part in self.cleaned_data["specialities_text"].split(","):
            name = " ".join(part.split())
            if len(name) > 80:
                raise forms.ValidationError(_("A speciality is longer than 80 characters."))
            if name:
                names.setdefault(name.casefold(), name)
        return list(names.values())


class ProviderFilterForm(forms.Form):
    """The directory search. Every field is optional; an invalid one is ignored, with a message."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    ALL = "all"

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *ProviderKind.choices]
    )
    speciality = forms.ModelChoiceField(
        label=_("Speciality"),
        required=False,
        queryset=Speciality.objects.all(),
        empty_label=_("Any speciality"),
    )
    language = forms.ModelChoiceField(
        label=_("Language"),
        required=False,
        queryset=Language.objects.all(),
        to_field_name="code",
        empty_label=_("Any language"),
    )
    accepts = forms.ChoiceField(
        label=_("Accepts"), required=False, choices=[("", _("Anything")), *Acceptance.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(ACTIVE, _("Active")), (INACTIVE, _("Inactive")), (ALL, _("Active and inactive"))],
    )

    def filter(self, providers: Any) -> Any:
        """`providers` narrowed by every field that is valid."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # fills cleaned_data with the fields that are valid
            data = self.cleaned_data
        if text := data.get("q"):
            providers = providers.search(text)
        if kind := data.get("kind"):
            providers = providers.filter(kind=kind)
        if speciality := data.get("speciality"):
            providers = providers.filter(specialities=speciality)
        if language := data.get("language"):
            providers = providers.filter(languages=language)
        if accepts := data.get("accepts"):
            providers = providers.accepting(Acceptance(accepts))
        status = data.get("status") or self.ACTIVE
        if status != self.ALL:
            providers = providers.filter(is_active=status == self.ACTIVE)
        return providers


class DirectoryImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, with a header row. Export the directory to see the columns."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
