from django.urls import path

from . import views

app_name = "connections"

urlpatterns = [
    path("me/connections/", views.my_connections, name="my_connections"),
    path("me/connections/<int:account_id>/disconnect/", views.disconnect, name="disconnect"),
]
