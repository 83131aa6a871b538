"""The reminders list: what is due for me or my team, and working it off."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casework.forms import ReminderSettingsForm
from casework.models import Reminder, ReminderSettings
from casework.views import case_work, staff
from core.audit import log_action

PAGE_SIZE = 30
UPCOMING_SHOWN = 20


@require_GET
@case_work
def reminder_list(request: HttpRequest) -> HttpResponse:
    user = staff(request)
    mine = Reminder.objects.for_user(user).open()
    listed = mine.select_related("client", "site", "user").prefetch_related("obj")
    page = Paginator(listed.delivered().order_by("due_at"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    upcoming = list(listed.filter(delivered_at__isnull=True).order_by("due_at")[:UPCOMING_SHOWN])
    settings, _created = ReminderSettings.objects.get_or_create(user=user)
    return render(
        request,
        "casework/reminders.html",
        {
            "page": page,
            "upcoming": upcoming,
            "settings_form": ReminderSettingsForm(instance=settings),
            "now": timezone.now(),
        },
    )


def _reminder_for(request: HttpRequest, reminder_id: uuid.UUID) -> Reminder:
    reminder = Reminder.objects.for_user(staff(request)).open().filter(pk=reminder_id).first()
    if reminder is None:
        raise Http404
    return reminder


@require_POST
@case_work
def reminder_done(request: HttpRequest, reminder_id: uuid.UUID) -> HttpResponse:
    reminder = _reminder_for(request, reminder_id)
    reminder.mark_done(staff(request))
    log_action("casework.reminder.done", actor=staff(request), obj=reminder)
    messages.success(request, _("Reminder marked as done."))
    return redirect("casework:reminders")


@require_POST
@case_work
def reminder_dismiss(request: HttpRequest, reminder_id: uuid.UUID) -> HttpResponse:
    reminder = _reminder_for(request, reminder_id)
    reminder.dismiss(staff(request))
    log_action("casework.reminder.dismissed", actor=staff(request), obj=reminder)
    messages.success(request, _("Reminder dismissed."))
    return redirect("casework:reminders")


@require_POST
@case_work
def reminder_settings(request: HttpRequest) -> HttpResponse:
    user = staff(request)
    settings, _created = ReminderSettings.objects.get_or_create(user=user)
    form = ReminderSettingsForm(request.POST, instance=settings)
    if form.is_valid():
        form.save()
        log_action(
            "casework.reminder_settings.updated",
            actor=user,
            obj=settings,
            details={"email_when_due": settings.email_when_due},
        )
        messages.success(request, _("Your reminder settings are saved."))
    return redirect("casework:reminders")
