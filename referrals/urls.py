from django.urls import path

from referrals.views import providers

app_name = "referrals"

urlpatterns = [
    path("providers/", providers.provider_list, name="provider_list"),
    path("providers/new/", providers.provider_create, name="provider_create"),
    path("providers/export.csv", providers.directory_export, name="directory_export"),
    path("providers/import/", providers.directory_import, name="directory_import"),
    path("providers/<uuid:provider_id>/", providers.provider_detail, name="provider_detail"),
    path("providers/<uuid:provider_id>/edit/", providers.provider_edit, name="provider_edit"),
]
