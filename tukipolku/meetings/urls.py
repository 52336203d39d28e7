from django.urls import path

from tukipolku.meetings import views

app_name = "meetings"
urlpatterns = [
    path("episodes/<id:pk>/meetings/new/", views.MeetingCreateView.as_view(), name="create"),
    path("episodes/<id:pk>/meetings/<id:meeting_id>/", views.MeetingDetailView.as_view(), name="detail"),
]
