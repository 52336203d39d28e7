"""Routes of the coordination resources (meetings, referrals, handovers, entries, notifications of
need), included by `tukipolku/api/urls.py` under `/api/v1/`. URL names are the access log's view codes
(`api:<name>`, labelled in `oversight/labels.py`)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from tukipolku.api.v1 import entries, handovers, meetings, needs, referrals

urlpatterns = [
    path(
        "episodes/<id:episode_id>/meetings/",
        login_not_required(meetings.MeetingListApi.as_view()),
        name="meeting_list",
    ),
    path(
        "episodes/<id:episode_id>/meetings/<id:meeting_id>/",
        login_not_required(meetings.MeetingDetailApi.as_view()),
        name="meeting_detail",
    ),
    path(
        "episodes/<id:episode_id>/entries/",
        login_not_required(entries.EntryListApi.as_view()),
        name="entry_list",
    ),
    path(
        "episodes/<id:episode_id>/referrals/",
        login_not_required(referrals.ReferralListApi.as_view()),
        name="referral_list",
    ),
    path(
        "episodes/<id:episode_id>/referrals/<id:referral_id>/",
        login_not_required(referrals.ReferralDetailApi.as_view()),
        name="referral_detail",
    ),
    path("referrals/received/", login_not_required(referrals.ReceivedListApi.as_view()), name="referral_received"),
    path(
        "referrals/received/<id:referral_id>/",
        login_not_required(referrals.ReceivedDetailApi.as_view()),
        name="referral_received_detail",
    ),
    path("handovers/", login_not_required(handovers.HandoverListApi.as_view()), name="handover_list"),
    path(
        "handovers/<id:handover_id>/",
        login_not_required(handovers.HandoverDetailApi.as_view()),
        name="handover_detail",
    ),
    path("needs/", login_not_required(needs.NeedListApi.as_view()), name="need_list"),
    path("needs/<id:need_id>/", login_not_required(needs.NeedDetailApi.as_view()), name="need_detail"),
    path("needs/sent/", login_not_required(needs.NeedSentListApi.as_view()), name="need_sent_list"),
    path(
        "needs/sent/<id:need_id>/",
        login_not_required(needs.NeedSentDetailApi.as_view()),
        name="need_sent_detail",
    ),
]
