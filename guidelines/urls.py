app_name = "guidelines"

urlpatterns: list = []
