from django.urls import path

from tukipolku.sweep import views

app_name = "sweep"
urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read-all/", views.NotificationReadAllView.as_view(), name="notifications_read_all"),
    path("notifications/<id:pk>/open/", views.NotificationOpenView.as_view(), name="notification_open"),
    path("team/unfinished/", views.UnfinishedView.as_view(), name="unfinished"),
]
