from django.urls import path

from tukipolku.entries import views

app_name = "entries"
urlpatterns = [path("episodes/<id:pk>/entries/new/", views.EntryCreateView.as_view(), name="create")]
