from django.urls import path

from . import views
from .flows import threads, x

app_name = "connections"

urlpatterns = [
    path("me/connections/", views.my_connections, name="my_connections"),
    path("me/connections/<int:account_id>/disconnect/", views.disconnect, name="disconnect"),
    path("me/connections/x/connect/", x.connect, name="connect_x"),
    path("me/connections/x/callback/", x.callback, name="x_callback"),
    path("me/connections/threads/connect/", threads.connect, name="connect_threads"),
    path("me/connections/threads/callback/", threads.callback, name="threads_callback"),
]
