from django.urls import path

from tukipolku.intake import views

app_name = "intake"
urlpatterns = [
    path("need/new/", views.NeedSendView.as_view(), name="send"),
    path("need/sent/", views.NeedSentListView.as_view(), name="sent"),
    path("need/sent/<id:pk>/", views.NeedSentDetailView.as_view(), name="sent_detail"),
    path("need/queue/", views.NeedQueueView.as_view(), name="queue"),
    path("need/<id:pk>/", views.NeedDetailView.as_view(), name="detail"),
    path("need/<id:pk>/accept/", views.NeedAcceptView.as_view(), name="accept"),
    path("need/<id:pk>/decline/", views.NeedDeclineView.as_view(), name="decline"),
]
