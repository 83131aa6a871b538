"""The visit topics: coordinators add, rename, reorder and retire them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework.forms import TopicForm
from casework.models import Topic
from casework.views import coordinators, staff
from core.audit import log_action


@require_http_methods(["GET", "POST"])
@coordinators
def topic_list(request: HttpRequest) -> HttpResponse:
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        topic = form.save()
        log_action("casework.topic.created", actor=staff(request), obj=topic)
        messages.success(request, _("Topic added."))
        return redirect("casework:topics")
    return render(request, "casework/topics.html", {"topics": Topic.objects.all(), "form": form})


@require_http_methods(["GET", "POST"])
@coordinators
def topic_edit(request: HttpRequest, code: str) -> HttpResponse:
    topic = get_object_or_404(Topic, code=code)
    form = TopicForm(request.POST or None, instance=topic)
    if request.method == "POST" and form.is_valid():
        form.save()
        log_action(
            "casework.topic.updated",
            actor=staff(request),
            obj=topic,
            details={"fields": form.changed_data},
        )
        messages.success(request, _("Topic saved."))
        return redirect("casework:topics")
    return render(request, "casework/topic_form.html", {"form": form, "topic": topic})
