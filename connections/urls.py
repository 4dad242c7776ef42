from django.urls import path

from . import views
from .flows import bluesky, linkedin, mastodon, threads, x

app_name = "connections"

urlpatterns = [
    path("me/connections/", views.my_connections, name="my_connections"),
    path("me/connections/<int:account_id>/disconnect/", views.disconnect, name="disconnect"),
    path("me/connections/mastodon/", mastodon.connect_mastodon, name="connect_mastodon"),
    path("me/connections/mastodon/callback/", mastodon.mastodon_callback, name="mastodon_callback"),
    path("me/connections/bluesky/", bluesky.connect_bluesky, name="connect_bluesky"),
    path("me/connections/linkedin/connect/", linkedin.connect_linkedin, name="connect_linkedin"),
    path("me/connections/linkedin/callback/", linkedin.linkedin_callback, name="linkedin_callback"),
    path("me/connections/x/connect/", x.connect, name="connect_x"),
    path("me/connections/x/callback/", x.callback, name="x_callback"),
    path("me/connections/threads/connect/", threads.connect, name="connect_threads"),
    path("me/connections/threads/callback/", threads.callback, name="threads_callback"),
]
