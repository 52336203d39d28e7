from django.urls import path

from tukipolku.cases import client_views, correction_views, privacy_views, views

app_name = "cases"
urlpatterns = [
    path("caseload/", views.CaseloadView.as_view(), name="caseload"),
    path("caseload/search/", views.CaseloadSearchView.as_view(), name="caseload_search"),
    path("board/", views.BoardView.as_view(), name="board"),
    path("intake/", views.IntakeView.as_view(), name="intake"),
    path("intake/new/", views.IntakeNewClientView.as_view(), name="intake_new"),
    path("clients/<id:client_id>/open/", views.EpisodeOpenView.as_view(), name="episode_open"),
    path("episodes/<id:pk>/", views.EpisodeDetailView.as_view(), name="detail"),
    path("episodes/<id:pk>/client/", client_views.ClientDetailsView.as_view(), name="client_details"),
    path("episodes/<id:pk>/step/", views.EpisodeStepView.as_view(), name="step"),
    path("episodes/<id:pk>/team/", views.EpisodeTeamView.as_view(), name="team"),
    path("episodes/<id:pk>/correct/", correction_views.EpisodePathwayCorrectView.as_view(), name="correct"),
    path("episodes/<id:pk>/close/", views.EpisodeCloseView.as_view(), name="close"),
    path("episodes/<id:pk>/reopen/", views.EpisodeReopenView.as_view(), name="reopen"),
    path("episodes/<id:pk>/follow-ups/<id:follow_up_id>/", views.FollowUpView.as_view(), name="follow_up"),
    path("episodes/<id:pk>/consents/", privacy_views.ConsentsView.as_view(), name="consents"),
    path(
        "episodes/<id:pk>/consents/<id:consent_id>/withdraw/",
        privacy_views.ConsentWithdrawView.as_view(),
        name="consent_withdraw",
    ),
    path("episodes/<id:pk>/legal-basis/", privacy_views.LegalBasisGrantView.as_view(), name="legal_basis"),
    path(
        "episodes/<id:pk>/legal-basis/<id:grant_id>/end/",
        privacy_views.LegalBasisEndView.as_view(),
        name="legal_basis_end",
    ),
    path("clients/<id:client_id>/emergency/", privacy_views.EmergencyAccessView.as_view(), name="emergency"),
    path("shared/", privacy_views.PartnerHomeView.as_view(), name="shared"),
]
