from django.urls import path

from tukipolku.meetings import views

app_name = "meetings"
urlpatterns = [
    path("episodes/<int:pk>/meetings/new/", views.MeetingCreateView.as_view(), name="create"),
    path("episodes/<int:pk>/meetings/<int:meeting_id>/", views.MeetingDetailView.as_view(), name="detail"),
]
