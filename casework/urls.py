from django.urls import include, path

app_name = "casework"

urlpatterns = [
    path("address/", include("casework.urls_addresses")),
]
