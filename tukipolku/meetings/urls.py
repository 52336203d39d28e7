from django.urls import path

from tukipolku.meetings import views

app_name = "meetings"
urlpatterns = [
    path("episodes/<id:pk>/meetings/new/", views.MeetingCreateView.as_view(), name="create"),
    path("episodes/<id:pk>/meetings/schedule/", views.MeetingScheduleView.as_view(), name="schedule"),
    path("episodes/<id:pk>/meetings/<id:meeting_id>/", views.MeetingDetailView.as_view(), name="detail"),
    path("episodes/<id:pk>/meetings/<id:meeting_id>/change/", views.MeetingChangeView.as_view(), name="change"),
    path("episodes/<id:pk>/meetings/<id:meeting_id>/cancel/", views.MeetingCancelView.as_view(), name="cancel"),
    path("episodes/<id:pk>/meetings/<id:meeting_id>/held/", views.MeetingHeldView.as_view(), name="held"),
    path("episodes/<id:pk>/meetings/<id:meeting_id>/meeting.ics", views.MeetingIcsView.as_view(), name="ics"),
]
