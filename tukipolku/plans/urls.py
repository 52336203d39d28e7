from django.urls import path

from tukipolku.plans import views

app_name = "plans"
urlpatterns = [
    path("episodes/<int:pk>/plan/", views.PlanEditView.as_view(), name="edit"),
    path("episodes/<int:pk>/plan/agree/", views.PlanAgreeView.as_view(), name="agree"),
    path(
        "episodes/<int:pk>/plan/actions/<int:action_id>/status/", views.ActionStatusView.as_view(), name="action_status"
    ),
]
