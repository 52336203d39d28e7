"""Routes of the coordination resources (meetings, referrals, handovers, entries, notifications of
need), included by `tukipolku/api/urls.py` under `/api/v1/`. URL names are the access log's view codes
(`api:<name>`, labelled in `oversight/labels.py`)."""

from django.urls import path

from tukipolku.api.v1 import entries, handovers, meetings, needs, referrals

urlpatterns = [
    path(
        "episodes/<id:episode_id>/meetings/",
        meetings.MeetingListApi.as_view(),
        name="meeting_list",
    ),
    path(
        "episodes/<id:episode_id>/meetings/<id:meeting_id>/",
        meetings.MeetingDetailApi.as_view(),
        name="meeting_detail",
    ),
    path(
        "episodes/<id:episode_id>/entries/",
        entries.EntryListApi.as_view(),
        name="entry_list",
    ),
    path(
        "episodes/<id:episode_id>/referrals/",
        referrals.ReferralListApi.as_view(),
        name="referral_list",
    ),
    path(
        "episodes/<id:episode_id>/referrals/<id:referral_id>/",
        referrals.ReferralDetailApi.as_view(),
        name="referral_detail",
    ),
    path("referrals/received/", referrals.ReceivedListApi.as_view(), name="referral_received"),
    path(
        "referrals/received/<id:referral_id>/",
        referrals.ReceivedDetailApi.as_view(),
        name="referral_received_detail",
    ),
    path("handovers/", handovers.HandoverListApi.as_view(), name="handover_list"),
    path(
        "handovers/<id:handover_id>/",
        handovers.HandoverDetailApi.as_view(),
        name="handover_detail",
    ),
    path("needs/", needs.NeedListApi.as_view(), name="need_list"),
    path("needs/<id:need_id>/", needs.NeedDetailApi.as_view(), name="need_detail"),
    path("needs/sent/", needs.NeedSentListApi.as_view(), name="need_sent_list"),
    path(
        "needs/sent/<id:need_id>/",
        needs.NeedSentDetailApi.as_view(),
        name="need_sent_detail",
    ),
]
