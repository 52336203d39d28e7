app_name = "entries"
urlpatterns: list = []
