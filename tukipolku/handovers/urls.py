from django.urls import path

from tukipolku.handovers import views

app_name = "handovers"
urlpatterns = [
    path("handovers/", views.HandoverListView.as_view(), name="list"),
    path("handovers/new/", views.HandoverCreateView.as_view(), name="create"),
    path("handovers/<id:pk>/", views.HandoverDetailView.as_view(), name="detail"),
    path("handovers/<id:pk>/preparation/", views.HandoverPrepView.as_view(), name="prepare"),
    path("handovers/<id:pk>/transfer/", views.HandoverTransferView.as_view(), name="transfer"),
    path("handovers/<id:pk>/accept/", views.HandoverAcceptView.as_view(), name="accept"),
]
