from django.urls import path

from tukipolku.referrals import views

app_name = "referrals"
urlpatterns = [
    path("episodes/<id:pk>/referrals/new/", views.ReferralCreateView.as_view(), name="create"),
    path("episodes/<id:pk>/referrals/<id:referral_id>/", views.ReferralDetailView.as_view(), name="detail"),
    path("referrals/received/", views.ReceivedListView.as_view(), name="received"),
    path("referrals/received/<id:referral_id>/", views.ReceivedDetailView.as_view(), name="received_detail"),
]
