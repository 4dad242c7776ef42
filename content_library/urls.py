app_name = "content_library"

urlpatterns: list = []
