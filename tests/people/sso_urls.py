"""The project's URLs plus a stand-in `sso:login`, to check the invitation page's single sign-on hook."""

from django.http import HttpResponse
from django.urls import include, path

from advocacy.urls import urlpatterns as project_urlpatterns


def _sso_login(request):
    return HttpResponse("single sign-on would start here")


urlpatterns = [
    path("sso-test/", include(([path("login/", _sso_login, name="login")], "sso"))),
    *project_urlpatterns,
]
