from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report, name="report"),
    path("report.csv", views.report_csv, name="report_csv"),
    path("recompute/", views.recompute, name="recompute"),
]
