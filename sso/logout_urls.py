"""/accounts/logout/ (URL name "logout"), served by the sso app so every sign-out can end the provider's session too."""

from django.urls import path

from . import views

urlpatterns = [path("", views.logout, name="logout")]
