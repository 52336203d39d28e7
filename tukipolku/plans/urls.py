from django.urls import path

from tukipolku.plans import views

app_name = "plans"
urlpatterns = [
    path("episodes/<id:pk>/plan/", views.PlanEditView.as_view(), name="edit"),
    path("episodes/<id:pk>/plan/agree/", views.PlanAgreeView.as_view(), name="agree"),
    path("episodes/<id:pk>/plan/versions/<int:number>/", views.PlanVersionView.as_view(), name="version"),
    path(
        "episodes/<id:pk>/plan/versions/<int:number>/compare/",
        views.PlanVersionCompareView.as_view(),
        name="version_compare",
    ),
    path(
        "episodes/<id:pk>/plan/actions/<id:action_id>/status/", views.ActionStatusView.as_view(), name="action_status"
    ),
]
