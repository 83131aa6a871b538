"""Forms of the address service. They validate and normalise; the services write."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from casework import codes
from casework.models.addresses import (
    MAX_SLOTS,
    AddressSlot,
    EndReason,
    MailItem,
    PostalAddress,
    SenderCategory,
    SlotAssignment,
)

# A slot number has at most four digits; a client code always has six characters.
_MAX_SLOT_DIGITS = 4
# How far back a date may be entered after the fact (a letter logged late, say).
_BACKDATE_DAYS = 60


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _check_recent(day: date, *, not_before: date | None = None) -> date:
    today = timezone.localdate()
    if day > today:
        raise forms.ValidationError(_("This date is in the future."))
    earliest = max(today - timedelta(days=_BACKDATE_DAYS), not_before or date.min)
    if day < earliest:
        raise forms.ValidationError(
            _("The date cannot be before %(date)s.") % {"date": date_format(earliest)}
        )
    return day


class PostalAddressForm(forms.ModelForm):
    first_number = forms.IntegerField(
        label=_("first slot number"), min_value=0, max_value=MAX_SLOTS, initial=1
    )
    slot_count = forms.IntegerField(label=_("number of slots"), min_value=1, max_value=MAX_SLOTS)

    class Meta:
        model = PostalAddress
        fields = [
            "name",
            "site",
            "care_of",
            "street",
            "postcode_city",
            "country",
            "box_format",
            "first_number",
            "slot_count",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            # Renumbering would change the address printed on people's letters.
            self.fields["first_number"].disabled = True


class MailLogForm(forms.Form):
    """One submit at the desk: which slot (by number or client code), and what came."""

    reference = forms.CharField(
        label=_("Slot number or client code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    address = forms.ModelChoiceField(
        label=_("Address"), queryset=PostalAddress.objects.none(), empty_label=None
    )
    received_on = forms.DateField(label=_("Received"), widget=DateInput())
    sender_category = forms.ChoiceField(
        label=_("Sender"), choices=SenderCategory.choices, widget=forms.RadioSelect
    )
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Only what the person needs to know."),
    )

    assignment: SlotAssignment

    def __init__(self, *args: Any, addresses: QuerySet[PostalAddress], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        address_field: forms.ModelChoiceField = self.fields["address"]  # type: ignore[assignment]
        address_field.queryset = addresses.filter(is_active=True)
        if len(address_field.queryset) == 1:
            # One address: nothing to choose, so nothing to show.
            address_field.widget = forms.HiddenInput()
            address_field.initial = address_field.queryset[0].pk

    def clean_received_on(self) -> date:
        return _check_recent(self.cleaned_data["received_on"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        reference = cleaned.get("reference", "").strip()
        address = cleaned.get("address")
        if not reference or address is None:
            return cleaned
        if reference.isdigit() and len(reference) <= _MAX_SLOT_DIGITS:
            self.assignment = self._by_slot(address, int(reference))
        else:
            self.assignment = self._by_code(address, reference)
        return cleaned

    def _by_slot(self, address: PostalAddress, number: int) -> SlotAssignment:
        slot = address.slots.filter(number=number, retired=False).first()
        if slot is None:
            raise forms.ValidationError(
                _("%(address)s has no slot %(number)d. Check the number on the envelope."),
                params={"address": address.name, "number": number},
                code="no_such_slot",
            )
        holder = slot.assignments.order_by("-starts_on", "-created_at").first()
        if holder is None or holder.ended_on is not None:
            if holder is not None and holder.ended_on is not None and holder.in_quarantine():
                raise forms.ValidationError(
                    _(
                        "%(slot)s was given up on %(date)s. Return the letter to the sender "
                        "marked “addressee moved away”."
                    ),
                    params={"slot": slot.label, "date": date_format(holder.ended_on)},
                    code="slot_ended",
                )
            raise forms.ValidationError(
                _("%(slot)s is not assigned to anyone. Return the letter to the sender."),
                params={"slot": slot.label},
                code="slot_free",
            )
        holder.slot = slot
        return holder

    def _by_code(self, address: PostalAddress, reference: str) -> SlotAssignment:
        if not codes.is_valid(reference):
            raise forms.ValidationError(
                _("This is neither a slot number nor a valid client code. Check for typos."),
                code="bad_reference",
            )
        assignment = (
            SlotAssignment.objects.active()
            .select_related("slot__address", "client")
            .filter(client__code=codes.compact(reference), slot__address=address)
            .first()
        )
        if assignment is None:
            raise forms.ValidationError(
                _("The person with client code %(code)s has no current slot at %(address)s."),
                params={"code": codes.display(codes.compact(reference)), "address": address.name},
                code="no_assignment",
            )
        return assignment


class HandOverForm(forms.Form):
    on = forms.DateField(label=_("Handed over on"), widget=DateInput())

    def __init__(self, *args: Any, item: MailItem, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.item = item

    def clean_on(self) -> date:
        return _check_recent(self.cleaned_data["on"], not_before=self.item.received_on)


class ReturnForm(HandOverForm):
    on = forms.DateField(label=_("Returned on"), widget=DateInput())


class AssignForm(forms.Form):
    address = forms.ModelChoiceField(
        label=_("Address"), queryset=PostalAddress.objects.none(), empty_label=None
    )
    slot_number = forms.IntegerField(
        label=_("Slot number"),
        required=False,
        min_value=0,
        max_value=MAX_SLOTS,
        help_text=_("Leave empty to take the lowest free slot."),
    )
    name_on_letters = forms.CharField(
        label=_("Name on letters"),
        max_length=150,
        help_text=_("As the person wants it written on letters; printed on the confirmation."),
    )
    starts_on = forms.DateField(label=_("Valid from"), widget=DateInput())

    slot: AddressSlot | None = None

    def __init__(self, *args: Any, addresses: QuerySet[PostalAddress], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("starts_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        address_field: forms.ModelChoiceField = self.fields["address"]  # type: ignore[assignment]
        address_field.queryset = addresses.filter(is_active=True)

    def clean_starts_on(self) -> date:
        return _check_recent(self.cleaned_data["starts_on"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        address, number = cleaned.get("address"), cleaned.get("slot_number")
        if address is not None and number is not None:
            self.slot = address.slots.filter(number=number, retired=False).first()
            if self.slot is None:
                self.add_error(
                    "slot_number",
                    _("%(address)s has no slot %(number)d.")
                    % {"address": address.name, "number": number},
                )
        return cleaned


class WaitlistForm(forms.Form):
    address = forms.ModelChoiceField(
        label=_("Address"), queryset=PostalAddress.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, addresses: QuerySet[PostalAddress], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        address_field: forms.ModelChoiceField = self.fields["address"]  # type: ignore[assignment]
        address_field.queryset = addresses.filter(is_active=True)


class EndForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why does it end?"),
        # Erasure ends an assignment by itself; staff do not pick it.
        choices=[(r.value, r.label) for r in EndReason if r != EndReason.ERASED],
        widget=forms.RadioSelect,
    )
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput())

    def __init__(self, *args: Any, assignment: SlotAssignment, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("ended_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.assignment = assignment

    def clean_ended_on(self) -> date:
        return _check_recent(self.cleaned_data["ended_on"], not_before=self.assignment.starts_on)
