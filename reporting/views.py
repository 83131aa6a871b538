"""The report page, its CSV and the coordinators' recompute button."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.models import User
from core.roles import Role, role_required
from reporting import presentation
from reporting.periods import ReportPeriod, recent_periods
from reporting.snapshots import report_for, store_snapshot


def _period(slug: str | None) -> ReportPeriod:
    if not slug:
        return ReportPeriod.last_month()
    try:
        return ReportPeriod.parse(slug)
    except ValueError:
        raise Http404("No such period.") from None


@require_GET
@role_required(Role.REPORTING, Role.COORDINATOR)
def report(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    period = _period(request.GET.get("period"))
    result = report_for(period)
    return render(
        request,
        "reporting/report.html",
        {
            "report": result,
            "period": period,
            "sections": presentation.shown_sections(result),
            "funds": presentation.fund_rows(result),
            "periods": recent_periods(),
            "may_recompute": period.is_month and user.has_role(Role.COORDINATOR),
        },
    )


@require_GET
@role_required(Role.REPORTING, Role.COORDINATOR)
def report_csv(request: HttpRequest) -> HttpResponse:
    period = _period(request.GET.get("period"))
    response = HttpResponse(
        # A byte-order mark, so that spreadsheet programs read the file as UTF-8.
        "\ufeff" + presentation.report_csv(report_for(period)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="report-{period.slug}.csv"'
    return response


@require_POST
@role_required(Role.COORDINATOR)
def recompute(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    period = _period(request.POST.get("period"))
    if not period.is_month:
        raise Http404("Snapshots are kept for months only.")
    store_snapshot(period, actor=user)
    messages.success(
        request, _("The report of %(period)s was computed again.") % {"period": period}
    )
    return redirect(f"{reverse('reporting:report')}?period={period.slug}")
