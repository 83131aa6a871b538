"""URLs of the address service, mounted under the casework namespace at address/."""

from django.urls import path

from casework import views_addresses as views

urlpatterns = [
    path("", views.desk, name="address_desk"),
    path("mail/new/", views.mail_log_view, name="address_mail_log"),
    path("mail/<uuid:mail_id>/", views.mail_detail, name="address_mail_detail"),
    path(
        "mail/<uuid:mail_id>/hand-over/", views.mail_hand_over_view, name="address_mail_hand_over"
    ),
    path("mail/<uuid:mail_id>/return/", views.mail_return_view, name="address_mail_return"),
    path("client/", views.client_lookup, name="address_client_lookup"),
    path("client/<str:code>/", views.client_address, name="address_client"),
    path("client/<str:code>/assign/", views.assign, name="address_assign"),
    path("client/<str:code>/waiting-list/", views.waitlist_add_view, name="address_waitlist_add"),
    path(
        "assignment/<uuid:assignment_id>/renew/",
        views.assignment_renew_view,
        name="address_assignment_renew",
    ),
    path(
        "assignment/<uuid:assignment_id>/end/",
        views.assignment_end_view,
        name="address_assignment_end",
    ),
    path(
        "assignment/<uuid:assignment_id>/letter/",
        views.assignment_letter,
        name="address_assignment_letter",
    ),
    path("waiting-list/", views.waitlist, name="address_waitlist"),
    path(
        "waiting-list/<uuid:entry_id>/withdraw/",
        views.waitlist_withdraw_view,
        name="address_waitlist_withdraw",
    ),
    path("addresses/", views.address_list, name="address_list"),
    path("addresses/new/", views.address_create, name="address_create"),
    path("addresses/<uuid:address_id>/", views.address_slots, name="address_slots"),
    path("addresses/<uuid:address_id>/edit/", views.address_edit, name="address_edit"),
]
