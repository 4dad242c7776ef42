from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("oidc/login/", views.oidc_login, name="oidc_login"),
    path("oidc/callback/", views.oidc_callback, name="oidc_callback"),
    path("saml/metadata/", views.saml_metadata, name="saml_metadata"),
    path("saml/login/", views.saml_login, name="saml_login"),
    path("saml/acs/", views.saml_acs, name="saml_acs"),
    path("saml/finish/", views.saml_finish, name="saml_finish"),
]
