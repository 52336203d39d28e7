from django.urls import path

from tukipolku.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.ReviewQueueView.as_view(), name="review"),
    path("review/emergency/<id:pk>/", views.EmergencyReviewView.as_view(), name="review_emergency"),
    path("review/grants/<id:pk>/", views.GrantReviewView.as_view(), name="review_grant"),
    path("log/", views.AccessLogView.as_view(), name="log"),
    path("report/", views.ReportView.as_view(), name="report"),
    path("report/period/", views.ReportPeriodView.as_view(), name="report_period"),
    path("report/clear/", views.ReportClearView.as_view(), name="report_clear"),
    path("report/print/", views.ReportPrintView.as_view(), name="report_print"),
    path("report/export/", views.ReportExportView.as_view(), name="report_export"),
]
