from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag
def sign_in_options(next_url=""):
    """What the login page offers: the company's sign-in buttons first, then (maybe) the password form."""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    company = settings.SSO_COMPANY_NAME
    both = settings.OIDC_ENABLED and settings.SAML_ENABLED
    buttons = []
    if settings.OIDC_ENABLED:
        buttons.append({"label": f"Sign in with {company}", "url": reverse("sso:oidc_login") + query})
    if settings.SAML_ENABLED:
        label = f"Sign in with {company} (SAML)" if both else f"Sign in with {company}"
        buttons.append({"label": label, "url": reverse("sso:saml_login") + query})
    return {
        "company": settings.SSO_COMPANY_NAME,
        "buttons": buttons,
        "local_login": settings.LOCAL_LOGIN,
    }
