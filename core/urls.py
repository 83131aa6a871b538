from django.urls import path

from core import views_invitations, views_users

app_name = "core"

urlpatterns = [
    path("users/", views_users.user_list, name="user_list"),
    path("users/<uuid:public_id>/", views_users.user_edit, name="user_edit"),
    path(
        "users/<uuid:public_id>/deactivate/",
        views_users.user_deactivate_view,
        name="user_deactivate",
    ),
    path(
        "users/<uuid:public_id>/reactivate/",
        views_users.user_reactivate_view,
        name="user_reactivate",
    ),
    path("invitations/", views_invitations.invitation_list, name="invitation_list"),
    path("invitations/new/", views_invitations.invitation_create_view, name="invitation_create"),
    path(
        "invitations/<uuid:public_id>/revoke/",
        views_invitations.invitation_revoke_view,
        name="invitation_revoke",
    ),
    # Public: the invitee has no account yet. The token is the only credential.
    path("join/<str:token>/", views_invitations.invitation_accept_view, name="invitation_accept"),
]
