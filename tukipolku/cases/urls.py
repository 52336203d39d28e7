from django.urls import path

from tukipolku.cases import views

app_name = "cases"
urlpatterns = [
    path("caseload/", views.CaseloadView.as_view(), name="caseload"),
    path("board/", views.BoardView.as_view(), name="board"),
    path("intake/", views.IntakeView.as_view(), name="intake"),
    path("intake/new/", views.IntakeNewClientView.as_view(), name="intake_new"),
    path("clients/<int:client_id>/open/", views.EpisodeOpenView.as_view(), name="episode_open"),
    path("episodes/<int:pk>/", views.EpisodeDetailView.as_view(), name="detail"),
    path("episodes/<int:pk>/step/", views.EpisodeStepView.as_view(), name="step"),
    path("episodes/<int:pk>/team/", views.EpisodeTeamView.as_view(), name="team"),
    path("episodes/<int:pk>/close/", views.EpisodeCloseView.as_view(), name="close"),
    path("episodes/<int:pk>/reopen/", views.EpisodeReopenView.as_view(), name="reopen"),
]
