from django.urls import path

from tukipolku.imports import views

app_name = "imports"
urlpatterns = [
    path("import/", views.ImportListView.as_view(), name="list"),
    # One address per format, no free-text parameter (it could carry anything, an identity code included).
    path("import/template.csv", views.ImportTemplateView.as_view(), {"kind": "csv"}, name="template_csv"),
    path("import/template.xlsx", views.ImportTemplateView.as_view(), {"kind": "xlsx"}, name="template_xlsx"),
    path("import/<id:pk>/", views.ImportDetailView.as_view(), name="detail"),
    path("import/<id:pk>/columns/", views.ImportColumnsView.as_view(), name="columns"),
    path("import/<id:pk>/commit/", views.ImportCommitView.as_view(), name="commit"),
    path("import/<id:pk>/discard/", views.ImportDiscardView.as_view(), name="discard"),
]
