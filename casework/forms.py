"""Forms of the casework app. They validate and normalise; the services write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from casework import codes
from casework.models import (
    AgeBand,
    Client,
    FollowUpKind,
    NeedsAssessment,
    ReminderSettings,
    Topic,
    UrgentNeed,
    Visit,
)
from core.models import Site, User
from core.roles import Role


def sites_for(user: User) -> QuerySet[Site]:
    """The sites `user` may record work at: their own, or any active one for a coordinator."""
    if user.has_role(Role.COORDINATOR):
        return Site.objects.filter(is_active=True)
    return Site.objects.filter(pk__in=user.site_ids, is_active=True)


def default_site_for(user: User, client: Client | None = None) -> Site | None:
    """Where `user` works today: their (first) own site, else where the client registered."""
    own = Site.objects.filter(pk__in=user.site_ids, is_active=True).first()
    if own is not None:
        return own
    if client is not None:
        return client.registered_site
    return None


class VersionedForm(forms.ModelForm):
    """A model form for optimistic concurrency: it carries the version the edit started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    # Form-only fields that are not worth naming in an audit entry.
    not_audited: tuple[str, ...] = ("version",)

    def changed_field_names(self) -> list[str]:
        return [name for name in self.changed_data if name not in self.not_audited]

    def data_on_version(self, version: int) -> QueryDict:
        """The submitted data again, now based on `version`: after a refused stale save, the
        user's input is shown on top of what is stored, and saving again keeps it."""
        data = cast(QueryDict, self.data).copy()
        data["version"] = str(version)
        return data

    def fields_differing_from(self, saved: forms.ModelForm) -> list[str]:
        """Labels of the fields where this (submitted) form differs from `saved`, a form
        built on the record as it is stored now."""
        return [
            str(field.label)
            for name, field in saved.fields.items()
            if name in self.fields
            and name not in self.not_audited
            and field.has_changed(saved.get_initial_for_field(field, name), self[name].data)
        ]


class ClientForm(VersionedForm):
    year_of_birth = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        min_value=1900,
        help_text=_("Only used to work out the age band; the year itself is not kept."),
    )

    not_audited = ("version", "year_of_birth")

    class Meta:
        model = Client
        fields = [
            "pseudonym",
            "registered_site",
            "name",
            "date_of_birth",
            "phone",
            "contact_notes",
            "gender",
            "year_of_birth",
            "age_band",
            "region",
            "languages",
            "interpreter",
        ]
        widgets = {
            "languages": forms.CheckboxSelectMultiple,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "pseudonym": forms.TextInput(attrs={"autocomplete": "off"}),
            "contact_notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "name": _("Optional. Encrypted. Only if the person wants it noted."),
            "date_of_birth": _("Optional. Encrypted."),
            "phone": _("Optional. Encrypted."),
            "contact_notes": _("Optional. Encrypted. How and when the person can be reached."),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating = self.instance._state.adding
        if self.creating:
            # The form for a new client carries no version; the field is for edits only.
            del self.fields["version"]
            self.fields["pseudonym"].help_text = _(
                "Any name the person is happy to be called by. Leave empty to get a generated one."
            )
            sites = self.fields["registered_site"]
            sites.queryset = sites_for(user)  # type: ignore[attr-defined]
            sites.empty_label = None  # type: ignore[attr-defined]
            default = default_site_for(user)
            self.initial["registered_site"] = default.pk if default is not None else None
        else:
            del self.fields["registered_site"]
            self.fields["pseudonym"].required = True
            self.initial["version"] = self.instance.version

    def clean_date_of_birth(self) -> Any:
        born = self.cleaned_data.get("date_of_birth")
        if born is not None and born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return born

    def clean_year_of_birth(self) -> Any:
        year = self.cleaned_data.get("year_of_birth")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("The year of birth cannot be in the future."))
        return year

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        born = cleaned.get("date_of_birth")
        year = born.year if born is not None else cleaned.get("year_of_birth")
        if year is not None:
            cleaned["age_band"] = AgeBand.for_birth_year(year)
        return cleaned


class VisitForm(VersionedForm):
    class Meta:
        model = Visit
        fields = [
            "date",
            "site",
            "topics",
            "duration_minutes",
            "language",
            "interpreter_used",
            "notes",
            "outcome",
            "accompaniment",
            "accompaniment_detail",
            "follow_up_kind",
            "follow_up_on",
            "follow_up_about",
            "follow_up_for",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "topics": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 4}),
            "follow_up_for": forms.RadioSelect,
        }
        help_texts = {
            "notes": _("Encrypted. Write what helps the next colleague; nothing about status."),
            "accompaniment_detail": _("Encrypted."),
            "follow_up_about": _(
                "Encrypted. The reminder itself only says “call back” or “see again”."
            ),
        }

    def __init__(self, *args: Any, user: User, client: Client | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.creating = self.instance._state.adding
        # "Today" is the default, not an edit: no hidden initial value to compare against.
        self.fields["date"].show_hidden_initial = False
        if self.creating:
            del self.fields["version"]
            if self.instance.site_id is None:
                default = default_site_for(user, client)
                self.initial["site"] = default.pk if default is not None else None
        else:
            self.initial["version"] = self.instance.version
        site_field = self.fields["site"]
        sites = sites_for(user)
        self.no_site = not user.has_role(Role.COORDINATOR) and not user.site_ids
        if not self.creating:
            # An old visit keeps its site even if the editor does not work there.
            sites = Site.objects.filter(Q(pk__in=sites.values("pk")) | Q(pk=self.instance.site_id))
        site_field.queryset = sites  # type: ignore[attr-defined]
        site_field.empty_label = None  # type: ignore[attr-defined]
        offered = Q(is_active=True)
        if not self.creating:
            offered |= Q(pk__in=self.instance.topics.values("pk"))
        self.fields["topics"].queryset = Topic.objects.filter(offered)  # type: ignore[attr-defined]
        self.fields["language"].empty_label = _("Not stated")  # type: ignore[attr-defined]
        follow_up = cast(forms.ChoiceField, self.fields["follow_up_kind"])
        follow_up.choices = [("", _("No follow-up")), *FollowUpKind.choices]

    def clean_date(self) -> Any:
        day = self.cleaned_data.get("date")
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("A visit cannot be logged for a future date."))
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("follow_up_kind")
        on = cleaned.get("follow_up_on")
        if kind and on is None:
            self.add_error("follow_up_on", _("Give the date of the follow-up."))
        if on is not None and not kind:
            self.add_error("follow_up_kind", _("Say whether to call back or to see again."))
        if on is not None and "follow_up_on" in self.changed_data and on < timezone.localdate():
            self.add_error("follow_up_on", _("The follow-up date is in the past."))
        if not kind:
            cleaned["follow_up_on"] = None
            cleaned["follow_up_about"] = ""
        if cleaned.get("accompaniment_detail") and not cleaned.get("accompaniment"):
            self.add_error("accompaniment", _("Choose where the person was accompanied to."))
        return cleaned


class NeedsForm(forms.ModelForm):
    urgent_needs = forms.MultipleChoiceField(
        label=_("Urgent needs"),
        choices=UrgentNeed.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = NeedsAssessment
        fields = ["assessed_on", "housing", "health_coverage", "income", "urgent_needs", "notes"]
        widgets = {
            "assessed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"notes": _("Optional. Encrypted.")}

    def clean_assessed_on(self) -> Any:
        day = self.cleaned_data.get("assessed_on")
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Client code, name, phone or date of birth"),
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class MergeForm(forms.Form):
    survivor_code = forms.CharField(
        label=_("Code of the client to keep"),
        max_length=12,
        help_text=_("Everything of this duplicate moves to that client."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_survivor_code(self) -> str:
        code = codes.compact(self.cleaned_data["survivor_code"])
        if not codes.is_valid(code):
            raise forms.ValidationError(_("This is not a valid client code."))
        return code


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name", "position", "is_active"]

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if self.instance._state.adding:
            code = slugify(name)[:40]
            if not code:
                raise forms.ValidationError(_("Use letters or digits in the name."))
            if Topic.objects.filter(code=code).exists():
                raise forms.ValidationError(_("There is already a topic with this name."))
            self.instance.code = code
        return name


class ReminderSettingsForm(forms.ModelForm):
    class Meta:
        model = ReminderSettings
        fields = ["email_when_due"]
