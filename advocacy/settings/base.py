"""Settings for a first run and for development.

Everything that varies between machines is read from the environment here and
nowhere else. With no environment at all the platform runs on SQLite, a file
cache and Celery's filesystem transport under ``var/``, so a new machine needs
no server.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from advocacy.redis_urls import is_sentinel_url, parse_sentinel_url

from .env import browsable_url, envbool, envfloat, envint, envlist, envstr, parse_database_url, validate_redis_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))

VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", True)
# Only for development; production.py refuses to start without a real SECRET_KEY.
SECRET_KEY = envstr("SECRET_KEY") or "insecure-development-key-do-not-use-in-production"
# Previous keys, comma-separated, while rotating: sessions, reset links and sealed draw seeds still open.
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# Where `manage.py runall` (and so `make run`) serves: host:port, or a port alone.
ADDRPORT = envstr("ADDRPORT", "127.0.0.1:8000")
# Unset, SITE_URL follows ADDRPORT, so tracked links and emails point where the server answers.
SITE_URL = envstr("SITE_URL", browsable_url(ADDRPORT)).rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must start with http:// or https://.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    # Two-step sign-in for local accounts (advocacy/people/mfa.py): authenticator apps and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "advocacy.people",
    # The organisation's branding and the design system's template tags ({% load ui %}): every app may read it.
    "advocacy.branding",
    "sso",
    "content_library",
    "guidelines",
    # Employees' connected network accounts and their encrypted tokens: below sharing and metrics, which read them.
    "connections",
    "sharing",
    "metrics",
    "leaderboard",
    "draws",
    # Above draws (whose eligibility it shows) and below notifications, analytics and scim.
    "challenges",
    # Above challenges and sharing (it reads the handles employees shared from); nothing imports it.
    "listening",
    "notifications",
    "analytics",
    "scim",
    # Runs the programme (goals, reach, ambassadors, pulse) from every app below: the top floor.
    "programme",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Tracked links (/s/<code>) are answered here, before the layers a click never needs.
    "sharing.fast_path.TrackedLinkMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "advocacy.people.sessions.SessionIdleTimeoutMiddleware",
    "advocacy.people.mfa_gate.MfaEnrolmentGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "advocacy.urls"
WSGI_APPLICATION = "advocacy.wsgi.application"
ASGI_APPLICATION = "advocacy.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "advocacy.people.context_processors.navigation",
                "advocacy.branding.context_processors.branding",
                "advocacy.webapp.web_app_context",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'advocacy.sqlite3'}")
_database = parse_database_url(DATABASE_URL, base_dir=BASE_DIR)
DATABASES = {"default": _database.as_django()}
DATABASE_IS_POSTGRES = _database.is_postgres
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Redis ----------------------------------------------------------
# REDIS_URL may name a Sentinel group (redis+sentinel://s1:26379,s2:26379/mymaster/0, see
# advocacy/redis_urls.py): the cache, the broker, the beat lock and the click stream follow its master.
REDIS_URL = validate_redis_url("REDIS_URL", envstr("REDIS_URL"))
REDIS_SENTINEL = parse_sentinel_url(REDIS_URL) if is_sentinel_url(REDIS_URL) else None
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    if REDIS_SENTINEL:
        # Django splits LOCATION at commas: the Sentinel list travels in OPTIONS instead.
        CACHES["default"]["LOCATION"] = f"redis+sentinel:///{REDIS_SENTINEL.service_name}/{REDIS_SENTINEL.db}"
        CACHES["default"]["OPTIONS"].update(pool_class="advocacy.redis_urls.SentinelPool", sentinel_url=REDIS_URL)
else:
    # A file cache is shared by the web server, the worker and beat, unlike local memory.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Auth ---------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # LOCAL_LOGIN: refuses a correct password, with a message, from anyone it does not allow.
    "sso.local_login.LocalLoginPolicyBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed-login lockout (django-axes). The address it records is a keyed hash
# shaped like an IPv6 address, never the real one; the real one is REMOTE_ADDR
# unless TRUSTED_PROXY_COUNT says how many proxies to trust, so a forged
# X-Forwarded-For header cannot reset the count.
# The lock is on a username *from one address*, so nobody can lock someone else out;
# an address trying many usernames is locked as a whole (advocacy/people/lockout.py).
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_HANDLER = "advocacy.people.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "advocacy.people.client_address.pseudonymous_client_address"
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Password reset requests, counted per client address and per email address typed.
PASSWORD_RESET_LIMIT_PER_ADDRESS = envint("PASSWORD_RESET_LIMIT_PER_ADDRESS", 10, minimum=1)
PASSWORD_RESET_LIMIT_PER_ACCOUNT = envint("PASSWORD_RESET_LIMIT_PER_ACCOUNT", 3, minimum=1)
PASSWORD_RESET_WINDOW_MINUTES = envint("PASSWORD_RESET_WINDOW_MINUTES", 60, minimum=1)
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
# A wrong second-step code is a failed login too (advocacy/people/mfa_views.py); never store what was typed.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

# Two-step sign-in for local accounts (advocacy/people/mfa.py). People holding one of these roles
# who sign in with a password must set up an authenticator app before anything else; single
# sign-on leaves the second factor to the identity provider. MFA_REQUIRED=false lifts the rule.
MFA_REQUIRED = envbool("MFA_REQUIRED", True)
MFA_REQUIRED_ROLES = envlist("MFA_REQUIRED_ROLES", ["Comms admin", "HR"])
try:
    from advocacy.people.roles import roles_from_setting

    roles_from_setting("MFA_REQUIRED_ROLES", MFA_REQUIRED_ROLES)
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from error
# The name authenticator apps show next to the account.
MFA_ISSUER_NAME = envstr("MFA_ISSUER_NAME", "Advocacy").strip()
if not MFA_ISSUER_NAME or ":" in MFA_ISSUER_NAME:
    raise ImproperlyConfigured(f"MFA_ISSUER_NAME={MFA_ISSUER_NAME!r} must be a non-empty name without ':'.")
OTP_TOTP_ISSUER = MFA_ISSUER_NAME
# The admin lists people's devices (to remove a lost one) but never shows their secrets.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))


def media_storage_from_environment() -> dict:
    """The default file storage: local disk, or an S3-compatible bucket every web node shares."""
    kind = envstr("MEDIA_STORAGE", "local").strip().lower()
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE={kind!r} is unknown: use local or s3.")
    bucket = envstr("MEDIA_S3_BUCKET").strip()
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET, the bucket's name.")
    access_key = envstr("MEDIA_S3_ACCESS_KEY_ID").strip()
    secret_key = envstr("MEDIA_S3_SECRET_ACCESS_KEY").strip()
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set both MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY, or neither (to use the machine's role)."
        )
    endpoint_url = envstr("MEDIA_S3_ENDPOINT_URL").strip().rstrip("/")
    if endpoint_url and not endpoint_url.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"MEDIA_S3_ENDPOINT_URL={endpoint_url!r} must start with https:// or http://.")
    custom_domain = envstr("MEDIA_S3_CUSTOM_DOMAIN").strip().strip("/")
    if "://" in custom_domain:
        raise ImproperlyConfigured(f"MEDIA_S3_CUSTOM_DOMAIN={custom_domain!r} is a host name, without https://.")
    # Signed, expiring links unless a public custom domain (a CDN) serves the files.
    querystring_auth = envbool("MEDIA_S3_QUERYSTRING_AUTH", not custom_domain)
    if custom_domain and querystring_auth:
        raise ImproperlyConfigured("MEDIA_S3_CUSTOM_DOMAIN serves public URLs: leave MEDIA_S3_QUERYSTRING_AUTH off.")
    options = {
        "bucket_name": bucket,
        "region_name": envstr("MEDIA_S3_REGION").strip() or None,
        "endpoint_url": endpoint_url or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "custom_domain": custom_domain or None,
        "querystring_auth": querystring_auth,
        "querystring_expire": envint("MEDIA_S3_URL_EXPIRE_SECONDS", 3600, minimum=60, maximum=7 * 24 * 3600),
        # As on local disk: a name that is taken gets a new one instead of replacing the file.
        "file_overwrite": False,
        "default_acl": None,
        "signature_version": "s3v4",
        # Path-style URLs work with every S3-compatible server (MinIO, Ceph, moto); AWS accepts them too.
        "addressing_style": "path" if endpoint_url else None,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def media_origin(storage: dict) -> str:
    """Where media is fetched from, for the Content-Security-Policy (empty: this site)."""
    options = storage.get("OPTIONS", {})
    if not options:
        return ""
    if options["custom_domain"]:
        return f"https://{options['custom_domain']}"
    if options["endpoint_url"]:
        return options["endpoint_url"]
    region = options["region_name"] or "us-east-1"
    return f"https://{options['bucket_name']}.s3.{region}.amazonaws.com"


STORAGES = {
    "default": media_storage_from_environment(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ORIGIN = media_origin(STORAGES["default"])
# Django serves MEDIA_ROOT itself unless told not to; with S3 the bucket serves the files.
SERVE_MEDIA = envbool("SERVE_MEDIA", not MEDIA_ORIGIN)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("MAX_REQUEST_BYTES", 12 * 1024 * 1024, minimum=1024)

# --- Email --------------------------------------------------------------------
EMAIL_URL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}
# A first run writes each email to a file under var/emails/ (runall names the folder) instead
# of filling the console with them; a real deployment sets smtp.
_email_backend = envstr("EMAIL_BACKEND", "file")
if _email_backend not in EMAIL_URL_BACKENDS:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND={_email_backend!r} is unknown: use one of {', '.join(EMAIL_URL_BACKENDS)}."
    )
EMAIL_BACKEND = EMAIL_URL_BACKENDS[_email_backend]
EMAIL_FILE_PATH = VAR_DIR / "emails"
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Advocacy <advocacy@localhost>")

# --- Security headers (always on; production.py tightens transport security) ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A signed-in session unused this long is over (advocacy/people/sessions.py).
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 120, minimum=1, maximum=60 * 24 * 30)
CSRF_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The service worker (/sw.js) and the web app manifest are served by this site only.
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Employee Advocacy API",
    "DESCRIPTION": "Content library, guidelines, sharing and leaderboards.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery -------------------------------------------------------------------
CELERY_DATA_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", REDIS_SENTINEL.kombu_broker_url() if REDIS_SENTINEL else REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    if CELERY_BROKER_URL.startswith("sentinel://"):
        if not REDIS_SENTINEL:
            raise ImproperlyConfigured(
                "A sentinel:// CELERY_BROKER_URL needs REDIS_URL=redis+sentinel://… naming the Sentinel group."
            )
        CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = REDIS_SENTINEL.service_name
else:
    # Real worker and beat processes with no server: messages are files under var/celery.
    # The filesystem transport ignores the host; naming one keeps kombu from warning
    # "No hostname was supplied" on every connection.
    CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", "filesystem://localhost/")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem://"):
        for folder in ("queue", "processed"):
            (CELERY_DATA_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must be greater than CELERY_TASK_SOFT_TIME_LIMIT.")
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Remote control keeps a fanout queue on every worker channel, which kills the worker when Redis
# restarts (see advocacy/celery.py); nothing here uses `celery inspect` or `celery control`.
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TIMEZONE = TIME_ZONE
# --- Listening (listening app): public mentions of the company's hashtags and handles ---------
# Bluesky's AppView answers app.bsky.feed.searchPosts (empty: Bluesky is not read); Mastodon tag
# timelines are read on each instance named here, "host" or "host=https://url" (a local test server,
# a proxy); nothing else is ever called.


def _listening_bluesky_url(name: str, default: str) -> str:
    value = envstr(name, default).strip().rstrip("/")
    if value and not value.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{name}={value!r} must start with https:// or http:// (or be empty: off).")
    return value


def _listening_instances(name: str) -> dict[str, str]:
    instances = {}
    for item in envlist(name, []):
        host, sep, url = (part.strip() for part in item.partition("="))
        host = host.lower()
        if not host or "/" in host or " " in host or (sep and not url.startswith(("https://", "http://"))):
            raise ImproperlyConfigured(f"{name} must look like mastodon.social,fosstodon.org=https://fosstodon.org.")
        instances[host] = (url or f"https://{host}").rstrip("/")
    return instances


LISTENING_BLUESKY_SEARCH_URL = _listening_bluesky_url("LISTENING_BLUESKY_SEARCH_URL", "https://public.api.bsky.app")
LISTENING_MASTODON_INSTANCES = _listening_instances("LISTENING_MASTODON_INSTANCES")
LISTENING_INTERVAL_MINUTES = envint("LISTENING_INTERVAL_MINUTES", 15, minimum=1, maximum=1440)
LISTENING_MAX_PAGES = envint("LISTENING_MAX_PAGES", 3, minimum=1, maximum=20)
LISTENING_WALL_SIZE = envint("LISTENING_WALL_SIZE", 30, minimum=1, maximum=200)

CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The one place that lists every periodic job; apps add their entries here.
CELERY_BEAT_SCHEDULE = {
    "people-worker-heartbeat": {
        "task": "people.record_worker_heartbeat",
        "schedule": timedelta(minutes=1),
    },
    "people-clear-expired-sessions": {
        "task": "people.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    # Engagement metrics: queue the pulls that are due (each share's own schedule is by age).
    "metrics-schedule-pulls": {
        "task": "metrics.schedule_pulls",
        "schedule": timedelta(minutes=5),
    },
    # Points and leaderboards: award new causes and update standings every minute,
    # rebuild the standings from the ledger every ten minutes, re-scan all shares nightly.
    "leaderboard-scan-sources": {
        "task": "leaderboard.scan_sources",
        "schedule": timedelta(minutes=1),
    },
    "leaderboard-rebuild-standings": {
        "task": "leaderboard.rebuild_standings",
        "schedule": timedelta(minutes=10),
    },
    # HR review flags: people with new clicks every minute, everyone in the boards' windows hourly.
    "leaderboard-refresh-review-flags": {
        "task": "leaderboard.refresh_review_flags",
        "schedule": timedelta(minutes=1),
    },
    "leaderboard-rebuild-review-flags": {
        "task": "leaderboard.refresh_review_flags",
        "schedule": crontab(minute=17),
        "kwargs": {"full": True},
    },
    "leaderboard-full-scan": {
        "task": "leaderboard.scan_sources",
        "schedule": crontab(hour=2, minute=30),
        "kwargs": {"full": True},
    },
    # Dashboards: re-read changed shares into the rollups every minute, every share hourly.
    "analytics-refresh-rollups": {
        "task": "analytics.refresh_rollups",
        "schedule": timedelta(minutes=1),
    },
    "analytics-rebuild-rollups": {
        "task": "analytics.refresh_rollups",
        "schedule": crontab(minute=47),
        "kwargs": {"full": True},
    },
    "sharing-drain-clicks": {
        "task": "sharing.drain_clicks",
        "schedule": timedelta(seconds=10),
    },
    "sharing-purge-clicks": {
        "task": "sharing.purge_clicks",
        "schedule": crontab(hour=3, minute=40),
    },
    # Reward draws: freeze (commit to) every draw whose entry window has closed; a no-op when already frozen.
    "draws-freeze-due": {
        "task": "draws.freeze_due_draws",
        "schedule": timedelta(minutes=1),
    },
    # Weekly email digest, Monday 08:00: one task per opted-in person, keyed by (person, ISO week).
    "notifications-weekly-digest": {
        "task": "notifications.queue_weekly_digests",
        "schedule": crontab(day_of_week="mon", hour=8, minute=0),
    },
    # Listening: one collection of public mentions per term (listening/tasks.py).
    "listening-queue-collections": {
        "task": "listening.queue_collections",
        "schedule": timedelta(minutes=LISTENING_INTERVAL_MINUTES),
    },
    # Connected accounts: remind their owners a week before a token lapses (once per token), 09:00 daily.
    "notifications-connection-reminders": {
        "task": "notifications.queue_connection_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    # Connected accounts: refresh access tokens that lapse within two days (connections/refresh.py).
    "connections-refresh-due-tokens": {
        "task": "connections.refresh_due_tokens",
        "schedule": timedelta(minutes=30),
    },
    # Web push: featured posts scheduled for later are pushed when their publish_at passes.
    "notifications-push-featured-gone-live": {
        "task": "notifications.push_featured_gone_live",
        "schedule": timedelta(minutes=5),
    },
}

# --- Single beat (advocacy/beat.py; issue 10 faults battery) ------------------
# Any number of beat processes may run: only the holder of a lock renewed every tick sends
# periodic jobs, and another takes over within CELERY_BEAT_LOCK_SECONDS when it dies.
CELERY_BEAT_SCHEDULER = "advocacy.beat:SingleBeatScheduler"
CELERY_BEAT_LOCK_SECONDS = envint("CELERY_BEAT_LOCK_SECONDS", 30, minimum=1, maximum=3600)

# --- Identity mapping (advocacy/people/identity.py) ---------------------------
# Which claims (OIDC) or attributes (SAML, SCIM) carry a person's email, name, team and groups,
# and which provider groups grant which role. Shared by single sign-on, SCIM and imports.
IDENTITY_EMAIL_CLAIM = envstr("IDENTITY_EMAIL_CLAIM", "email")
IDENTITY_NAME_CLAIM = envstr("IDENTITY_NAME_CLAIM", "name")
IDENTITY_TEAM_CLAIM = envstr("IDENTITY_TEAM_CLAIM", "department")
IDENTITY_GROUPS_CLAIM = envstr("IDENTITY_GROUPS_CLAIM", "groups")
IDENTITY_ROLE_GROUPS = envstr("IDENTITY_ROLE_GROUPS", "")
IDENTITY_ROLES_FROM_PROVIDER = envbool("IDENTITY_ROLES_FROM_PROVIDER", True)
try:
    from advocacy.people.identity_rules import role_groups_from_setting

    role_groups_from_setting(IDENTITY_ROLE_GROUPS)
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from error


# --- Single sign-on (sso app; README, "Identity") ------------------------------
# OpenID Connect through discovery: OIDC_ISSUER is the provider's issuer exactly as its
# /.well-known/openid-configuration says it (a trailing slash matters).
def _sso_url(name: str, value: str) -> str:
    from urllib.parse import urlsplit

    if not value:
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a URL.") from None
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise ImproperlyConfigured(f"{name}={value!r} must be an https:// URL (plain http only on loopback).")
    return value


OIDC_ISSUER = _sso_url("OIDC_ISSUER", envstr("OIDC_ISSUER").strip())
OIDC_CLIENT_ID = envstr("OIDC_CLIENT_ID").strip()
OIDC_CLIENT_SECRET = envstr("OIDC_CLIENT_SECRET").strip()
OIDC_SCOPES = envstr("OIDC_SCOPES", "openid email profile").strip()
OIDC_ENABLED = bool(OIDC_ISSUER)
if OIDC_ENABLED and not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured("OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are needed too.")
if (OIDC_CLIENT_ID or OIDC_CLIENT_SECRET) and not OIDC_ENABLED:
    raise ImproperlyConfigured("OIDC_CLIENT_ID/OIDC_CLIENT_SECRET are set but OIDC_ISSUER is not.")
if OIDC_ENABLED and "openid" not in OIDC_SCOPES.split():
    raise ImproperlyConfigured(f"OIDC_SCOPES={OIDC_SCOPES!r} must include openid.")
# SAML 2.0: the IdP's metadata as a file path or an https:// URL (read when a sign-in starts).
SAML_IDP_METADATA = envstr("SAML_IDP_METADATA").strip()
if SAML_IDP_METADATA.startswith(("http://", "https://")):
    _sso_url("SAML_IDP_METADATA", SAML_IDP_METADATA)
elif SAML_IDP_METADATA and not Path(SAML_IDP_METADATA).is_file():
    raise ImproperlyConfigured(f"SAML_IDP_METADATA={SAML_IDP_METADATA!r} is neither a URL nor a readable file.")
SAML_ENABLED = bool(SAML_IDP_METADATA)
SAML_SP_ENTITY_ID = envstr("SAML_SP_ENTITY_ID").strip() or f"{SITE_URL}/sso/saml/metadata/"
SAML_XMLSEC_BINARY = envstr("SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1").strip()
# Shown on the login page ("Sign in with <company>") and on every sign-in failure page.
SSO_COMPANY_NAME = envstr("SSO_COMPANY_NAME", "your company").strip() or "your company"
SSO_HELP_CONTACT = envstr("SSO_HELP_CONTACT", "your IT help desk").strip() or "your IT help desk"
# How far the provider's clock may be from ours, and how long a started sign-in stays valid.
SSO_CLOCK_SKEW_SECONDS = envint("SSO_CLOCK_SKEW_SECONDS", 60, minimum=0, maximum=600)
SSO_STATE_MAX_AGE_SECONDS = envint("SSO_STATE_MAX_AGE_SECONDS", 600, minimum=60, maximum=3600)
SSO_HTTP_TIMEOUT = envint("SSO_HTTP_TIMEOUT", 10, minimum=1, maximum=60)
# Who may still sign in with a password: all, admins (superusers only: break-glass) or off.
LOCAL_LOGIN = envstr("LOCAL_LOGIN", "all").strip().lower()
if LOCAL_LOGIN not in ("all", "admins", "off"):
    raise ImproperlyConfigured(f"LOCAL_LOGIN={LOCAL_LOGIN!r} is unknown: use all, admins or off.")
if LOCAL_LOGIN != "all" and not (OIDC_ENABLED or SAML_ENABLED):
    raise ImproperlyConfigured(
        f"LOCAL_LOGIN={LOCAL_LOGIN} needs single sign-on (OIDC_ISSUER or SAML_IDP_METADATA), or nobody could sign in."
    )

# --- People import and invitations (advocacy/people/imports.py, invitations.py) -
# An upload bigger than this, or with more rows, is refused before anything is read into the
# database; an XLSX is also refused when its unpacked parts add up to more than 20× this.
PEOPLE_IMPORT_MAX_MB = envint("PEOPLE_IMPORT_MAX_MB", 5, minimum=1, maximum=100)
PEOPLE_IMPORT_MAX_ROWS = envint("PEOPLE_IMPORT_MAX_ROWS", 10_000, minimum=1, maximum=200_000)
# Rows applied per Celery task (one transaction each); the import resumes at the next batch.
PEOPLE_IMPORT_BATCH_SIZE = envint("PEOPLE_IMPORT_BATCH_SIZE", 100, minimum=1, maximum=5_000)
INVITATION_EXPIRY_DAYS = envint("INVITATION_EXPIRY_DAYS", 14, minimum=1, maximum=365)

# --- SCIM provisioning (scim/; README "SCIM provisioning") -------------------
# Groups whose displayName IDENTITY_ROLE_GROUPS lists give a role; with this on, every other
# pushed group is a team (the enterprise "department" attribute wins when a person has one).
SCIM_GROUPS_AS_TEAMS = envbool("SCIM_GROUPS_AS_TEAMS", True)
SCIM_SERVICE_PROVIDER = {
    "USER_MODEL_GETTER": "scim.provider.user_model",
    "USER_ADAPTER": "scim.adapters.ScimUserAdapter",
    "GROUP_MODEL": "scim.models.ScimGroup",
    "GROUP_ADAPTER": "scim.adapters.ScimGroupAdapter",
    "USER_FILTER_PARSER": "scim.provider.UserFilter",
    "GROUP_FILTER_PARSER": "scim.provider.GroupFilter",
    "SERVICE_PROVIDER_CONFIG_MODEL": "scim.provider.ServiceProviderConfig",
    "BASE_LOCATION_GETTER": "scim.adapters.base_location",
    "GET_EXTRA_MODEL_FILTER_KWARGS_GETTER": "scim.provider.filter_kwargs_getter",
    "GET_QUERYSET_POST_PROCESSOR_GETTER": "scim.provider.queryset_post_processor_getter",
    "AUTH_CHECK_MIDDLEWARE": "scim.provider.BearerTokenAuth",
    "SCHEMAS_GETTER": "scim.schemas.schemas_getter",
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A token HR creates under HR → SCIM tokens, sent as 'Authorization: Bearer <token>'.",
            "primary": True,
        }
    ],
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="scim"',
}

# --- Logging ------------------------------------------------------------------
LOG_LEVEL = envstr("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r} is not a logging level.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's request log line carries no client address, so it is safe to keep.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # Single sign-on libraries: pysaml2 logs whole assertions (bearer credentials) even at ERROR,
        # Authlib the PKCE verifier at DEBUG. The sso logger says what failed, without them.
        "saml2": {"handlers": ["console"], "level": "CRITICAL", "propagate": False},
        "authlib": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # pysaml2's schema library says at INFO that it loaded its schemas, in every process.
        "xmlschema": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# --- Content library ----------------------------------------------------------
# Uploaded post and suggestion images: larger files or more pixels are refused with a clear message.
CONTENT_IMAGE_MAX_BYTES = envint("CONTENT_IMAGE_MAX_MB", 10, minimum=1, maximum=50) * 1024 * 1024
CONTENT_IMAGE_MAX_PIXELS = envint("CONTENT_IMAGE_MAX_MEGAPIXELS", 40, minimum=1, maximum=100) * 1_000_000
# Memory one upload's decode and re-encode may take in a web process, estimated from the
# header before decoding (pixels × bytes per pixel for its mode and codec; advocacy/imaging.py).
# Larger JPEGs are decoded at a reduced scale, other formats are refused. Employee-facing uploads
# (avatars, suggestions) get the smaller budget. benchmarks/bench_decode_memory.py checks the result.
CONTENT_IMAGE_MAX_DECODE_MB = envint("CONTENT_IMAGE_MAX_DECODE_MB", 128, minimum=8, maximum=1024)
EMPLOYEE_IMAGE_MAX_DECODE_MB = envint("EMPLOYEE_IMAGE_MAX_DECODE_MB", 48, minimum=8, maximum=1024)

# --- Guidelines portal (guidelines app) ---------------------------------------
# Employees acknowledge the current major version of the social media policy before their first share.
GUIDELINES_REQUIRE_ACKNOWLEDGEMENT = envbool("GUIDELINES_REQUIRE_ACKNOWLEDGEMENT", True)
# A person is reminded at most once per policy version within this many hours.
GUIDELINES_REMINDER_INTERVAL_HOURS = envint("GUIDELINES_REMINDER_INTERVAL_HOURS", 24, minimum=1, maximum=24 * 90)

# --- Share tracker (sharing app) ----------------------------------------------
# Raw click rows older than this are purged nightly; per-share totals stay.
CLICK_RETENTION_DAYS = envint("CLICK_RETENTION_DAYS", 90, minimum=1, maximum=3650)
# Requests per visitor per minute on tracked links before they get 429 with Retry-After.
SHARE_REDIRECT_RATE_LIMIT = envint("SHARE_REDIRECT_RATE_LIMIT", 60, minimum=1)
# Requests per client address (keyed hash) per minute: rotating user agents mints new visitors, not
# new addresses. Well above one person's use, so an office behind one address is not locked out.
SHARE_REDIRECT_ADDRESS_RATE_LIMIT = envint("SHARE_REDIRECT_ADDRESS_RATE_LIMIT", 300, minimum=1)
# Human clicks counted per client address per link per day. Households and offices share one
# address, so more than one, but few: a script rotating user agents gains at most this many.
SHARE_CLICKS_PER_ADDRESS = envint("SHARE_CLICKS_PER_ADDRESS", 5, minimum=1, maximum=1000)
# How long Redis keeps a tracked link's destination before one click re-reads the database.
SHARE_LINK_CACHE_SECONDS = envint("SHARE_LINK_CACHE_SECONDS", 300, minimum=1, maximum=86400)
# How long a cached destination keeps answering when the database cannot be read (a post that
# changes is dropped from the cache at once, whatever this says).
SHARE_LINK_STALE_SECONDS = envint("SHARE_LINK_STALE_SECONDS", 86400, minimum=60, maximum=30 * 86400)

# --- Points and leaderboards (leaderboard app) ---------------------------------


def _leaderboard_time_zone(name: str, default: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = envstr(name, default)
    try:
        ZoneInfo(value)
    except (ValueError, ZoneInfoNotFoundError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a time zone (e.g. Europe/Paris).") from None
    return value


# Weeks (ISO, from Monday), months, quarters and click days are cut in this time zone.
LEADERBOARD_TIME_ZONE = _leaderboard_time_zone("LEADERBOARD_TIME_ZONE", TIME_ZONE)

# --- Product settings ---------------------------------------------------------
DEMO_PASSWORD = "advocacy-demo"  # noqa: S105 - the documented demo login, printed by `make run`
HEALTHZ_BROKER_TIMEOUT = envint("HEALTHZ_BROKER_TIMEOUT", 2, minimum=1)

# --- Engagement metrics (metrics app) -----------------------------------------
# Where each network's API lives (tests point these at a local server) and the
# credentials for the networks that need them; a network without credentials is
# shown as "not configured" and skipped.


def _metrics_url(name: str, default: str) -> str:
    value = envstr(name, default).strip().rstrip("/")
    if not value.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{name}={value!r} must start with https:// or http://.")
    return value


def _metrics_instance_urls(name: str) -> dict[str, str]:
    # "host=url,host=url": send a Mastodon instance's API calls elsewhere (a local test server, a proxy).
    mapping = {}
    for item in envlist(name, []):
        host, sep, url = item.partition("=")
        if not sep or not host.strip() or not url.strip().startswith(("https://", "http://")):
            raise ImproperlyConfigured(f"{name} must look like host=https://url,host2=https://url2.")
        mapping[host.strip().lower()] = url.strip().rstrip("/")
    return mapping


METRICS_HTTP_TIMEOUT = envint("METRICS_HTTP_TIMEOUT", 10, minimum=1, maximum=120)
METRICS_BACKOFF_BASE_SECONDS = envint("METRICS_BACKOFF_BASE_SECONDS", 30, minimum=1)
METRICS_BACKOFF_MAX_SECONDS = envint("METRICS_BACKOFF_MAX_SECONDS", 3600, minimum=1)
if METRICS_BACKOFF_MAX_SECONDS < METRICS_BACKOFF_BASE_SECONDS:
    raise ImproperlyConfigured("METRICS_BACKOFF_MAX_SECONDS must not be below METRICS_BACKOFF_BASE_SECONDS.")
METRICS_MASTODON_INSTANCE_URLS = _metrics_instance_urls("METRICS_MASTODON_INSTANCE_URLS")
METRICS_BLUESKY_APPVIEW_URL = _metrics_url("METRICS_BLUESKY_APPVIEW_URL", "https://public.api.bsky.app")
METRICS_X_API_URL = _metrics_url("METRICS_X_API_URL", "https://api.x.com")
METRICS_X_BEARER_TOKEN = envstr("METRICS_X_BEARER_TOKEN").strip()
METRICS_LINKEDIN_API_URL = _metrics_url("METRICS_LINKEDIN_API_URL", "https://api.linkedin.com")
METRICS_LINKEDIN_TOKEN = envstr("METRICS_LINKEDIN_TOKEN").strip()
METRICS_THREADS_API_URL = _metrics_url("METRICS_THREADS_API_URL", "https://graph.threads.net/v1.0")
METRICS_LINKEDIN_VERSION = envstr("METRICS_LINKEDIN_VERSION", "202610").strip()
if not (len(METRICS_LINKEDIN_VERSION) == 6 and METRICS_LINKEDIN_VERSION.isdigit()):
    raise ImproperlyConfigured(f"METRICS_LINKEDIN_VERSION={METRICS_LINKEDIN_VERSION!r} must be YYYYMM, e.g. 202610.")


def _metrics_schedule(name: str, default: str) -> tuple[tuple[int, int], ...]:
    # "24:1,168:6,720:24": hourly until a post is 24 hours old, every 6 hours until 168, daily until 720; then stop.
    steps = []
    for item in envstr(name, default).split(","):
        age, sep, every = item.strip().partition(":")
        if not (sep and age.isdigit() and every.isdigit() and int(every) > 0):
            raise ImproperlyConfigured(f"{name} must look like 24:1,168:6,720:24 (age hours:interval hours).")
        steps.append((int(age), int(every)))
    if not steps or [age for age, _ in steps] != sorted({age for age, _ in steps}):
        raise ImproperlyConfigured(f"{name} needs at least one step, with ages increasing.")
    return tuple(steps)


METRICS_PULL_SCHEDULE = _metrics_schedule("METRICS_PULL_SCHEDULE", "24:1,168:6,720:24")
METRICS_PULL_MAX_ATTEMPTS = envint("METRICS_PULL_MAX_ATTEMPTS", 5, minimum=1, maximum=20)
METRICS_PULL_LEASE_MINUTES = envint("METRICS_PULL_LEASE_MINUTES", 30, minimum=1)
METRICS_CREDENTIALS_RECHECK_MINUTES = envint("METRICS_CREDENTIALS_RECHECK_MINUTES", 60, minimum=1)
METRICS_PULL_MAX_PER_RUN = envint("METRICS_PULL_MAX_PER_RUN", 2000, minimum=1)

# --- Connected accounts (connections app) ---------------------------------------
# Fernet keys for the tokens at rest, comma-separated: the first encrypts, all decrypt, so a key
# rotates by putting a new one first and running `manage.py connection_keys_rotate`. Without it
# the key is derived from SECRET_KEY (so a first run encrypts too); set real keys before changing
# SECRET_KEY, or the stored tokens can no longer be opened and those accounts must reconnect.


def _connected_account_keys(name: str) -> list[str]:
    import base64
    import binascii
    import hashlib

    from cryptography.fernet import Fernet

    raw = envstr(name).strip()
    if not raw:
        digest = hashlib.sha256(f"connected-account-keys:{SECRET_KEY}".encode()).digest()
        return [base64.urlsafe_b64encode(digest).decode()]
    keys = [key.strip() for key in raw.split(",")]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, binascii.Error):
            raise ImproperlyConfigured(
                f"{name}: key {position} of {len(keys)} is not a Fernet key (32 bytes, URL-safe base64); "
                "make one with `manage.py connection_keys`."
            ) from None
    if len(set(keys)) != len(keys):
        raise ImproperlyConfigured(f"{name} lists the same key twice.")
    return keys


CONNECTED_ACCOUNT_KEYS = _connected_account_keys("CONNECTED_ACCOUNT_KEYS")
# Seconds to wait for a network while connecting, posting or revoking (a person is usually waiting).
CONNECTIONS_HTTP_TIMEOUT = envint("CONNECTIONS_HTTP_TIMEOUT", 10, minimum=1, maximum=60)
# Bluesky (connections.flows.bluesky): where employees sign in with an app password
# (com.atproto.server.createSession); posting then goes to the PDS their DID document names.
CONNECTIONS_BLUESKY_SERVICE_URL = _metrics_url("CONNECTIONS_BLUESKY_SERVICE_URL", "https://bsky.social")

# LinkedIn (connections.flows.linkedin, connections.publishers.linkedin): the organisation's app at
# LinkedIn, whose client secret is only ever sent to LinkedIn's token endpoints. Connecting is offered
# only when both are set. Its API calls go to METRICS_LINKEDIN_API_URL with METRICS_LINKEDIN_VERSION.
LINKEDIN_CLIENT_ID = envstr("LINKEDIN_CLIENT_ID").strip()
LINKEDIN_CLIENT_SECRET = envstr("LINKEDIN_CLIENT_SECRET").strip()
if bool(LINKEDIN_CLIENT_ID) != bool(LINKEDIN_CLIENT_SECRET):
    raise ImproperlyConfigured("Set both LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET, or neither.")
LINKEDIN_OAUTH_URL = _metrics_url("LINKEDIN_OAUTH_URL", "https://www.linkedin.com/oauth/v2")
# On once LinkedIn has granted the app r_member_postAnalytics (Community Management API): connecting
# then asks for it, and metrics read impressions and reshares with each member's own token.
LINKEDIN_MEMBER_ANALYTICS = envbool("LINKEDIN_MEMBER_ANALYTICS", False)

# X: posting through employees' accounts (OAuth 2.0 with PKCE). Off unless the organisation
# switches it on: X charges the app for every post it makes (more for posts with links).
# Without X_CLIENT_SECRET the app is an OAuth public client (PKCE only); with it, confidential.
X_POSTING_ENABLED = envbool("X_POSTING_ENABLED", False)
X_CLIENT_ID = envstr("X_CLIENT_ID").strip()
X_CLIENT_SECRET = envstr("X_CLIENT_SECRET").strip()
X_OAUTH_AUTHORIZE_URL = _metrics_url("X_OAUTH_AUTHORIZE_URL", "https://x.com/i/oauth2/authorize")
if X_POSTING_ENABLED and not X_CLIENT_ID:
    raise ImproperlyConfigured("X_POSTING_ENABLED is on but X_CLIENT_ID is empty: set the X app's OAuth 2.0 client id.")
# Threads: the Threads app's id and secret (Meta's app dashboard, the Threads use case); the
# Graph API itself is METRICS_THREADS_API_URL. Connecting is offered once both are set.
THREADS_APP_ID = envstr("THREADS_APP_ID").strip()
THREADS_APP_SECRET = envstr("THREADS_APP_SECRET").strip()
THREADS_OAUTH_URL = _metrics_url("THREADS_OAUTH_URL", "https://threads.net/oauth/authorize")
if bool(THREADS_APP_ID) != bool(THREADS_APP_SECRET):
    raise ImproperlyConfigured("Set both THREADS_APP_ID and THREADS_APP_SECRET (or neither).")

# --- Notifications (notifications app) ----------------------------------------
# Optional incoming webhooks told when a post is featured: a Slack incoming webhook and/or a
# Microsoft Teams Workflows webhook ("When a Teams webhook request is received"). https only;
# plain http is accepted for a loopback relay (127.0.0.1, localhost, [::1]) and nothing else.


def _notify_webhook_url(name: str) -> str:
    from urllib.parse import urlsplit

    value = envstr(name).strip()
    if not value:
        return ""
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a URL.") from None
    loopback = host in ("127.0.0.1", "localhost", "::1")
    if not host or " " in value or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise ImproperlyConfigured(f"{name}={value!r} must be an https:// URL (copy it from the webhook's settings).")
    return value


NOTIFY_SLACK_WEBHOOK_URL = _notify_webhook_url("NOTIFY_SLACK_WEBHOOK_URL")
NOTIFY_TEAMS_WEBHOOK_URL = _notify_webhook_url("NOTIFY_TEAMS_WEBHOOK_URL")
NOTIFY_WEBHOOK_TIMEOUT = envint("NOTIFY_WEBHOOK_TIMEOUT", 10, minimum=1, maximum=60)
# A failed email or webhook is retried this many times, waiting base, 2×base, 4×base… (capped at an hour, jittered).
NOTIFY_MAX_RETRIES = envint("NOTIFY_MAX_RETRIES", 5, minimum=0, maximum=20)
NOTIFY_RETRY_BACKOFF_SECONDS = envint("NOTIFY_RETRY_BACKOFF_SECONDS", 30, minimum=1, maximum=3600)

# Web push (notifications/push.py): a VAPID key pair (`manage.py vapid_keys` prints one) and a contact
# the push services can reach. All three unset: push is hidden. Browsers only allow push over HTTPS
# (and on http://localhost for development).


def _vapid_settings() -> tuple[str, str, str]:
    from advocacy.vapid import VapidKeyError, vapid_keys_check

    public_key = envstr("VAPID_PUBLIC_KEY").strip()
    private_key = envstr("VAPID_PRIVATE_KEY").strip()
    subject = envstr("VAPID_SUBJECT").strip()
    if not (public_key or private_key or subject):
        return "", "", ""
    if not (public_key and private_key and subject):
        raise ImproperlyConfigured(
            "Web push needs VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT together (or none of them); "
            "run `manage.py vapid_keys` for a key pair."
        )
    try:
        vapid_keys_check(public_key=public_key, private_key=private_key, subject=subject)
    except VapidKeyError as error:
        raise ImproperlyConfigured(str(error)) from None
    return public_key, private_key, subject


VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT = _vapid_settings()
PUSH_TIMEOUT = envint("PUSH_TIMEOUT", 10, minimum=1, maximum=60)

# --- Program analytics (analytics app) ------------------------------------------
# Estimated earned media value = impressions / 1000 × ANALYTICS_CPM + human clicks × ANALYTICS_CPC,
# in the currency you think in: what the same reach and clicks would have cost as paid media.

ANALYTICS_CPM = envfloat("ANALYTICS_CPM", 10.0, minimum=0)
ANALYTICS_CPC = envfloat("ANALYTICS_CPC", 1.5, minimum=0)

# --- Challenges and employees' own posts (challenges app) ---------------------------
# A challenge's board scores entries × CHALLENGE_ENTRY_POINTS + the human clicks on their tracked links.
CHALLENGE_ENTRY_POINTS = envint("CHALLENGE_ENTRY_POINTS", 10, minimum=0, maximum=1000)
CHALLENGE_MAX_ENTRIES_PER_PERSON = envint("CHALLENGE_MAX_ENTRIES_PER_PERSON", 3, minimum=1, maximum=50)

# --- Videos on posts and challenge entries (advocacy/video.py) -----------------------
# Probed with PyAV; anything but H.264/AAC in MP4 is transcoded by the worker, at most TRANSCODE_MAX_SIDE a side.
CONTENT_VIDEO_MAX_BYTES = envint("CONTENT_VIDEO_MAX_MB", 12, minimum=1, maximum=500) * 1024 * 1024
CONTENT_VIDEO_MAX_SECONDS = envint("CONTENT_VIDEO_MAX_SECONDS", 120, minimum=1, maximum=1800)
CONTENT_VIDEO_MAX_SIDE = envint("CONTENT_VIDEO_MAX_SIDE", 3840, minimum=64, maximum=8192)
CONTENT_VIDEO_TRANSCODE_MAX_SIDE = envint("CONTENT_VIDEO_TRANSCODE_MAX_SIDE", 1920, minimum=64, maximum=8192)


def _currency(name: str, default: str) -> str:
    value = envstr(name, default).strip()
    if not (len(value) == 3 and value.isascii() and value.isalpha() and value.isupper()):
        raise ImproperlyConfigured(f"{name}={value!r} is not a three-letter currency code (e.g. EUR, USD, GBP).")
    return value


# The currency ANALYTICS_CPM and ANALYTICS_CPC are in, named next to the earned media value.
EARNED_MEDIA_CURRENCY = _currency("EARNED_MEDIA_CURRENCY", "EUR")
