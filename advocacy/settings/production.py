"""Production: everything from base, with transport security on and no defaults for secrets."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import envbool, envint, envstr

SECRET_KEY = envstr("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure-") or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters in production.")
# The first-run default writes mail to files under var/emails/; in production that would swallow
# every notification without a word, so a deployment says where mail goes.
if not envstr("EMAIL_BACKEND"):
    raise ImproperlyConfigured(
        "EMAIL_BACKEND must be set in production: smtp to send mail (with EMAIL_HOST…), "
        "or file, console or locmem on purpose."
    )
DEBUG = envbool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", True) else None
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"  # noqa: F405
