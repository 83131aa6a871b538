"""A tiny URLconf for tests: a page that shows a client's name, decrypting it as it renders."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import Context, Template
from django.urls import path

from casework.models import Client
from config.urls import urlpatterns as site_urlpatterns


def show_name(request: HttpRequest, pk: str) -> HttpResponse:
    client = get_object_or_404(Client, pk=pk)
    return HttpResponse(Template("<p>{{ client.name }}</p>").render(Context({"client": client})))


urlpatterns = [path("show/<uuid:pk>/", show_name, name="show-name"), *site_urlpatterns]
