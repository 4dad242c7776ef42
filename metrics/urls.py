from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("metrics/providers/", views.provider_health, name="provider_health"),
    path("metrics/shares/<int:share_id>/", views.share_history, name="share_history"),
]
