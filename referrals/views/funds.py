"""Funds, their budgets, cost guarantees and invoices: the coordinators' money pages."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.models import User
from core.roles import Role, role_required
from referrals import access, ledger, services
from referrals.forms.funds import (
    BudgetForm,
    FundForm,
    GuaranteeForm,
    InvoiceForm,
    NegotiateForm,
)
from referrals.models import INVOICE_STEPS, Fund, Status
from referrals.periods import Period

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_GET
@role_required(Role.COORDINATOR)
def fund_list(request: HttpRequest) -> HttpResponse:
    funds = ledger.funds_with_current_figures(Fund.objects.all(), timezone.localdate())
    return render(request, "referrals/fund_list.html", {"funds": funds})


def _save_fund(request: HttpRequest, fund: Fund) -> HttpResponse:
    form = FundForm(request.POST or None, instance=fund)
    if request.method == "POST" and form.is_valid():
        fund = services.fund_save(
            actor=_user(request), fund=form.save(commit=False), changed=form.changed_data
        )
        messages.success(request, _("Fund saved."))
        return redirect("referrals:fund_detail", fund_id=fund.id)
    return render(request, "referrals/fund_form.html", {"form": form, "fund": fund})


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def fund_create(request: HttpRequest) -> HttpResponse:
    return _save_fund(request, Fund())


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def fund_edit(request: HttpRequest, fund_id: uuid.UUID) -> HttpResponse:
    return _save_fund(request, access.get_fund(fund_id))


def _period(fund: Fund, slug: str | None) -> Period:
    if not slug:
        return fund.current_period()
    try:
        return Period.parse(fund.period_kind, slug)
    except ValueError:
        raise Http404 from None


@require_GET
@role_required(Role.COORDINATOR)
def fund_detail(request: HttpRequest, fund_id: uuid.UUID) -> HttpResponse:
    fund = access.get_fund(fund_id)
    period = _period(fund, request.GET.get("period"))
    guarantees = ledger.with_figures(ledger.period_guarantees(fund, period)).select_related(
        "referral__client", "referral__provider"
    )
    page = Paginator(guarantees, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/fund_detail.html",
        {
            "fund": fund,
            "period": period,
            "figures": ledger.period_figures(fund, period),
            "page": page,
            "budget_form": BudgetForm(),
        },
    )


@require_POST
@role_required(Role.COORDINATOR)
def fund_budget(request: HttpRequest, fund_id: uuid.UUID, period_slug: str) -> HttpResponse:
    fund = access.get_fund(fund_id)
    period = _period(fund, period_slug)
    form = BudgetForm(request.POST)
    if form.is_valid():
        services.fund_set_budget(
            actor=_user(request), fund=fund, period=period, amount=form.cleaned_data["amount"]
        )
        messages.success(request, _("Budget saved."))
    else:
        messages.error(request, _("The budget must be an amount of zero or more."))
    return redirect(f"{reverse('referrals:fund_detail', args=[fund.id])}?period={period.slug}")


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def guarantee_create(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    referral = access.get_referral_for(user, referral_id)
    if referral.status in (Status.CLOSED, Status.CANCELLED, Status.DECLINED):
        messages.error(
            request, _("A closed, cancelled or declined referral cannot get a cost guarantee.")
        )
        return redirect("referrals:referral_detail", referral_id=referral.id)
    form = GuaranteeForm(request.POST or None)
    needs_override = None
    if request.method == "POST" and form.is_valid():
        try:
            guarantee = services.guarantee_issue(
                actor=user,
                referral=referral,
                fund=form.cleaned_data["fund"],
                amount=form.cleaned_data["amount"],
                override=form.cleaned_data["override"],
            )
        except services.OverrideNeeded as refusal:
            needs_override = refusal.left
            form.add_error(
                "override",
                _(
                    "Only %(left)s is left of this fund in this period. Tick the box to "
                    "guarantee more anyway; your decision is recorded."
                )
                % {"left": refusal.left},
            )
        else:
            messages.success(
                request, _("Cost guarantee issued: voucher %(code)s.") % {"code": guarantee.voucher}
            )
            return redirect("referrals:referral_detail", referral_id=referral.id)
    return render(
        request,
        "referrals/guarantee_form.html",
        {"form": form, "referral": referral, "needs_override": needs_override},
    )


@require_GET
@role_required(Role.COORDINATOR)
def guarantee_detail(request: HttpRequest, guarantee_id: uuid.UUID) -> HttpResponse:
    guarantee = access.get_guarantee(guarantee_id)
    figures = ledger.with_figures(type(guarantee).objects.filter(pk=guarantee.pk)).get()
    return render(
        request,
        "referrals/guarantee_detail.html",
        {
            "guarantee": guarantee,
            "figures": figures,
            "invoices": guarantee.invoices.select_related("status_changed_by"),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def guarantee_close(request: HttpRequest, guarantee_id: uuid.UUID) -> HttpResponse:
    guarantee = access.get_guarantee(guarantee_id)
    if request.method == "POST":
        try:
            services.guarantee_close(actor=_user(request), guarantee=guarantee)
        except services.ReferralConflict as conflict:
            messages.error(request, str(conflict))
        else:
            messages.success(request, _("Guarantee closed; what it still reserved is released."))
        return redirect("referrals:guarantee_detail", guarantee_id=guarantee.id)
    return render(request, "referrals/guarantee_close.html", {"guarantee": guarantee})


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def invoice_create(request: HttpRequest) -> HttpResponse:
    initial = {"voucher": request.GET.get("voucher", "")}
    form = InvoiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        guarantee = form.cleaned_data["voucher"]
        services.invoice_record(
            actor=_user(request),
            guarantee=guarantee,
            amount=form.cleaned_data["amount"],
            invoice_date=form.cleaned_data["invoice_date"],
            provider_reference=form.cleaned_data["provider_reference"],
        )
        messages.success(request, _("Invoice recorded."))
        return redirect("referrals:guarantee_detail", guarantee_id=guarantee.id)
    return render(request, "referrals/invoice_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def invoice_step(request: HttpRequest, invoice_id: uuid.UUID, step: str) -> HttpResponse:
    invoice = access.get_invoice(invoice_id)
    chosen = INVOICE_STEPS.get(step)
    if chosen is None:
        raise Http404
    form = NegotiateForm(request.POST or None) if chosen.needs_amount else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            services.invoice_step(
                actor=_user(request),
                invoice=invoice,
                action=step,
                amount_due=form.cleaned_data["amount_due"] if form is not None else None,
            )
        except services.ReferralConflict as conflict:
            messages.error(request, str(conflict))
        else:
            messages.success(request, _("Invoice updated."))
        return redirect("referrals:guarantee_detail", guarantee_id=invoice.guarantee_id)
    return render(
        request, "referrals/invoice_step.html", {"invoice": invoice, "step": chosen, "form": form}
    )
