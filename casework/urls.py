from django.urls import include, path

from casework.views import clients, erasure, merge, reminders, topics, visits

app_name = "casework"

urlpatterns = [
    path("clients/", visits.search, name="search"),
    path("clients/today/", visits.today, name="today"),
    path("clients/new/", clients.client_create, name="client_create"),
    path("clients/<str:code>/", clients.client_detail, name="client"),
    path("clients/<str:code>/edit/", clients.client_edit, name="client_edit"),
    path("clients/<str:code>/card/", clients.client_card, name="client_card"),
    path("clients/<str:code>/record/", clients.client_record, name="client_record"),
    path("clients/<str:code>/needs/", clients.needs_assess_view, name="needs_assess"),
    path("clients/<str:code>/visits/new/", visits.visit_create, name="visit_create"),
    path("clients/<str:code>/merge/", merge.client_merge_view, name="client_merge"),
    path("clients/<str:code>/erase/", erasure.client_erase_view, name="client_erase"),
    path("visits/quick/", visits.visit_quick, name="visit_quick"),
    path("visits/<uuid:visit_id>/edit/", visits.visit_edit, name="visit_edit"),
    path("reminders/", reminders.reminder_list, name="reminders"),
    path("reminders/settings/", reminders.reminder_settings, name="reminder_settings"),
    path("reminders/<uuid:reminder_id>/done/", reminders.reminder_done, name="reminder_done"),
    path(
        "reminders/<uuid:reminder_id>/dismiss/",
        reminders.reminder_dismiss,
        name="reminder_dismiss",
    ),
    path("topics/", topics.topic_list, name="topics"),
    path("topics/<slug:code>/", topics.topic_edit, name="topic_edit"),
    path("address/", include("casework.urls_addresses")),
]
