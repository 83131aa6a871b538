from django.urls import path

from referrals.views import dashboard, funds, providers, referrals

app_name = "referrals"

urlpatterns = [
    path("", referrals.referral_list, name="referral_list"),
    path("desk/", dashboard.dashboard, name="dashboard"),
    path("new/<str:code>/", referrals.referral_create, name="referral_create"),
    path("<uuid:referral_id>/", referrals.referral_detail, name="referral_detail"),
    path("<uuid:referral_id>/edit/", referrals.referral_edit, name="referral_edit"),
    path(
        "<uuid:referral_id>/step/<slug:transition>/",
        referrals.referral_transition,
        name="referral_transition",
    ),
    path("<uuid:referral_id>/slip/", referrals.referral_slip, name="referral_slip"),
    path("<uuid:referral_id>/follow/", referrals.referral_follow, name="referral_follow"),
    path("<uuid:referral_id>/guarantee/", funds.guarantee_create, name="guarantee_create"),
    path("providers/", providers.provider_list, name="provider_list"),
    path("providers/new/", providers.provider_create, name="provider_create"),
    path("providers/export.csv", providers.directory_export, name="directory_export"),
    path("providers/import/", providers.directory_import, name="directory_import"),
    path("providers/<uuid:provider_id>/", providers.provider_detail, name="provider_detail"),
    path("providers/<uuid:provider_id>/edit/", providers.provider_edit, name="provider_edit"),
    path("funds/", funds.fund_list, name="fund_list"),
    path("funds/new/", funds.fund_create, name="fund_create"),
    path("funds/<uuid:fund_id>/", funds.fund_detail, name="fund_detail"),
    path("funds/<uuid:fund_id>/edit/", funds.fund_edit, name="fund_edit"),
    path("funds/<uuid:fund_id>/budget/<str:period_slug>/", funds.fund_budget, name="fund_budget"),
    path("guarantees/<uuid:guarantee_id>/", funds.guarantee_detail, name="guarantee_detail"),
    path("guarantees/<uuid:guarantee_id>/close/", funds.guarantee_close, name="guarantee_close"),
    path("invoices/new/", funds.invoice_create, name="invoice_create"),
    path("invoices/<uuid:invoice_id>/<slug:step>/", funds.invoice_step, name="invoice_step"),
]
