from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from advocacy import views, webapp
from advocacy.people import account_views, mfa_views
from advocacy.people import views as people_views

urlpatterns = [
    path("", people_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("manifest.webmanifest", webapp.manifest, name="web_app_manifest"),
    path("sw.js", webapp.service_worker, name="service_worker"),
    path("offline/", webapp.offline, name="offline"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/login/code/", mfa_views.login_code, name="login_code"),
    # Served by the sso app: after a single sign-on it also ends the provider's session.
    path("accounts/logout/", include("sso.logout_urls")),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("advocacy.people.urls")),
    path("", include("advocacy.branding.urls")),
    path("sso/", include("sso.urls")),
    path("", include("content_library.urls")),
    path("", include("guidelines.urls")),
    path("", include("connections.urls")),
    path("", include("sharing.urls")),
    path("", include("metrics.urls")),
    path("", include("leaderboard.urls")),
    path("", include("draws.urls")),
    path("", include("notifications.urls")),
    path("", include("analytics.urls")),
    path("", include("programme.urls")),
    path("scim/v2/", include("scim.api_urls")),
    path("", include("scim.urls")),
    path("", include("challenges.urls")),
    path("", include("listening.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    # Before the admin's own: its login asks for the second step too.
    path("admin/login/", account_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    # Uploads are re-encoded images with names we chose, so serving them here is safe;
    # large installations can turn this off and serve MEDIA_ROOT from a web server.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}, name="media")]
