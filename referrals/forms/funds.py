"""Forms of funds, budgets, cost guarantees and invoices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals.models import CostGuarantee, Fund
from referrals.models.funds import compact_voucher
from referrals.money import AMOUNT, non_negative_amount, positive_amount


def _amount_field(label: Any, *, positive: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=AMOUNT["max_digits"],
        decimal_places=AMOUNT["decimal_places"],
        validators=[positive_amount if positive else non_negative_amount],
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class FundForm(forms.ModelForm):
    class Meta:
        model = Fund
        fields = [
            "name",
            "currency",
            "period_kind",
            "low_balance_threshold",
            "description",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk and self.instance.guarantees.exists():
            for name in ("currency", "period_kind"):
                if name in data and data[name] != getattr(self.instance, name):
                    self.add_error(
                        name, _("This fund already has guarantees: this cannot change any more.")
                    )
        return data


class BudgetForm(forms.Form):
    amount = _amount_field(_("Budget"), positive=False)


class GuaranteeForm(forms.Form):
    fund = forms.ModelChoiceField(
        label=_("Fund"), queryset=Fund.objects.filter(is_active=True), empty_label=None
    )
    amount = _amount_field(_("Limit"))
    override = forms.BooleanField(
        label=_("I know this is more than is left of the fund, and I authorise it."),
        required=False,
    )


class VoucherForm(forms.Form):
    voucher = forms.CharField(
        label=_("Voucher code"),
        max_length=20,
        help_text=_("As printed on the referral slip or the provider's bill, e.g. K7QM-4XPA."),
    )

    def clean_voucher(self) -> CostGuarantee:
        code = compact_voucher(self.cleaned_data["voucher"])
        guarantee = CostGuarantee.objects.select_related("fund").filter(voucher_code=code).first()
        if guarantee is None:
            raise forms.ValidationError(_("No cost guarantee has this voucher code."))
        return guarantee


class InvoiceForm(VoucherForm):
    amount = _amount_field(_("Amount billed"))
    invoice_date = forms.DateField(
        label=_("Invoice date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    provider_reference = forms.CharField(
        label=_("Provider's invoice number"), max_length=60, required=False
    )

    def clean_invoice_date(self) -> Any:
        value = self.cleaned_data["invoice_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The invoice date cannot be in the future."))
        return value


class NegotiateForm(forms.Form):
    amount_due = _amount_field(_("Amount agreed"), positive=False)
