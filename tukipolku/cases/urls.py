from django.urls import path

from tukipolku.cases import views

app_name = "cases"
urlpatterns = [
    path("caseload/", views.CaseloadView.as_view(), name="caseload"),
    path("board/", views.BoardView.as_view(), name="board"),
    path("intake/", views.IntakeView.as_view(), name="intake"),
    path("intake/new/", views.IntakeNewClientView.as_view(), name="intake_new"),
    path("clients/<id:client_id>/open/", views.EpisodeOpenView.as_view(), name="episode_open"),
    path("episodes/<id:pk>/", views.EpisodeDetailView.as_view(), name="detail"),
    path("episodes/<id:pk>/step/", views.EpisodeStepView.as_view(), name="step"),
    path("episodes/<id:pk>/team/", views.EpisodeTeamView.as_view(), name="team"),
    path("episodes/<id:pk>/close/", views.EpisodeCloseView.as_view(), name="close"),
    path("episodes/<id:pk>/reopen/", views.EpisodeReopenView.as_view(), name="reopen"),
]
