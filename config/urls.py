from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from core import views_mfa

urlpatterns = [
    path("", core_views.home, name="home"),
    # Shadows allauth's own view of this path, which would let staff remove their last key.
    path("accounts/2fa/webauthn/keys/<int:pk>/remove/", views_mfa.remove_webauthn),
    path("accounts/", include("allauth.urls")),
    path("staff/", include("core.urls")),
    path("", include("casework.urls")),
    path("referrals/", include("referrals.urls")),
    path("reports/", include("reporting.urls")),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
