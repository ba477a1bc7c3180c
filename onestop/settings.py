"""Settings for the Một Cửa one-stop desk.

One code path; the environment decides. Defaults make the embedded run work on a
fresh machine (SQLite, a file-system Celery broker). Production sets
DJANGO_ENV=production and must then provide SECRET_KEY, DATABASE_URL,
ALLOWED_HOSTS and CELERY_BROKER_URL, or start-up fails loudly.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"


def _required_in_production(name, default):
    value = env.str(name, default="")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production")
    return default


SECRET_KEY = _required_in_production("SECRET_KEY", "dev-only-insecure-key-change-me-" + "x" * 20)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base URL used in QR codes and emails, e.g. https://motcua.example.gov.vn
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "common.apps.CommonConfig",
    "accounts",
    "agencies",
    "procedures",
    "dossiers",
    "notifications",
    "surveys",
    "reports",
    "interop",
    "results",
    "demo",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.DeskLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "common.middleware.RejectNullCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.middleware.SessionIdleRefreshMiddleware",
    "common.middleware.NoStoreMiddleware",
    "common.middleware.PublicRateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it locks out repeated failed logins.
    "axes.middleware.AxesMiddleware",
]
# The citizens' status page (the receipt's QR) runs a lighter chain (common/handlers.py): without
# these, which only serve signed-in users and static files. (CommonMiddleware stays: it checks the
# Host header against ALLOWED_HOSTS and sets Content-Length.)
SIGNED_IN_MIDDLEWARE = (
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.middleware.SessionIdleRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
)
PUBLIC_MIDDLEWARE = [name for name in MIDDLEWARE if name not in SIGNED_IN_MIDDLEWARE]
PUBLIC_LIGHT_PATHS = [r"/tra-cuu/[^/]+/"]  # whole-path matches (fullmatch)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: 5 failures for a username from an address lock it for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

ROOT_URLCONF = "onestop.urls"

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
                "django.template.context_processors.i18n",
                "accounts.context_processors.desk",
                "notifications.context_processors.unread",
            ],
        },
    },
    # The citizens' hot path (the status page's body: templates/jinja2/, onestop/jinja2.py).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "onestop.jinja2.environment"},
    },
]

WSGI_APPLICATION = "onestop.wsgi.application"

if PRODUCTION and not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured("DATABASE_URL must be set when DJANGO_ENV=production")
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, Celery worker and beat) share the file in the embedded run.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
# The status page's row is a prepared statement per connection (dossiers.public); a PgBouncer in
# transaction mode cannot keep one, so set this to false behind it.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Vietnamese by default, English available.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["onestop.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded scans are private: they live outside STATIC/MEDIA URLs and are served by views
# that check access.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Shared desk computers: sessions end when the browser closes and after an idle hour, slid forward
# at most once a minute (common.middleware.SessionIdleRefreshMiddleware), not written on every page.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Email
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if env.str("EMAIL_HOST", default="")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="motcua@localhost")

# Celery. The embedded default is a file-system broker: a real worker and beat run without a
# broker server. Production points CELERY_BROKER_URL at Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if PRODUCTION and CELERY_BROKER_URL.startswith("filesystem"):
    raise ImproperlyConfigured("CELERY_BROKER_URL must point at Redis when DJANGO_ENV=production")
CELERY_QUEUE_DIR = BASE_DIR / "var" / "celery"
if CELERY_BROKER_URL.startswith("filesystem"):
    for _sub in ("queue", "processed", "control"):
        (CELERY_QUEUE_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        # The exchange table (remote control, broadcasts); kombu's default is ./control.
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must never hang a web request when the broker is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE = {
    "deadline-sweep": {
        "task": "dossiers.tasks.check_deadlines_task",
        "schedule": env.int("ONESTOP_SWEEP_EVERY_SECONDS", default=120),
    },
    "dispatch-messages": {"task": "notifications.tasks.dispatch_messages_task", "schedule": 60},
    "weekly-report": {
        "task": "reports.tasks.weekly_report_task",
        # Mondays at 07:00 (CELERY_TIMEZONE).
        "schedule": crontab(minute=0, hour=7, day_of_week=1),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated call answers 401 with WWW-Authenticate.
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "onestop.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "onestop.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Một Cửa API",
    "DESCRIPTION": "JSON API of the commune one-stop desk (v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "common.cache.RedisCache"  # one Redis client per pool, not per call


def _no_traceback_below_500(record):
    """A refusal (403 for PermissionDenied, 400...) is expected: Django logs it with the exception's
    traceback; keep its one line. Server errors (5xx) keep their traceback."""
    if getattr(record, "status_code", 500) < 500:
        record.exc_info = record.exc_text = None
    return True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_traceback_below_500": {"()": "django.utils.log.CallbackFilter", "callback": _no_traceback_below_500}
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Through the root handler only: Django's own console handler printed every line twice.
        "django": {"handlers": []},
        "django.request": {"filters": ["no_traceback_below_500"]},
        # runserver's request lines, as Django configures them (configuring "django" resets its children).
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# Working calendar defaults (each agency may override them).
ONESTOP_DEFAULT_SESSIONS = [("07:30", "11:30"), ("13:30", "17:00")]
ONESTOP_SAME_DAY_CUTOFF = "15:00"

# Serve static files straight from the app folders while developing.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Notifications: SMS and Zalo backends (notifications/backends.py), retries and the deadline watch.
NOTIFY_SMS_BACKEND = env.str("NOTIFY_SMS_BACKEND", default="notifications.backends.LoggingBackend")
NOTIFY_ZALO_BACKEND = env.str("NOTIFY_ZALO_BACKEND", default="notifications.backends.LoggingBackend")
SPEEDSMS_ACCESS_TOKEN = env.str("SPEEDSMS_ACCESS_TOKEN", default="")
SPEEDSMS_SENDER = env.str("SPEEDSMS_SENDER", default="")
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=6)
# "Due soon": this many working hours before the due time (default one working day, 7.5 h).
ONESTOP_DUE_SOON_WORKING_HOURS = env.float("ONESTOP_DUE_SOON_WORKING_HOURS", default=7.5)
ONESTOP_SWEEP_EVERY_SECONDS = env.int("ONESTOP_SWEEP_EVERY_SECONDS", default=120)

# Who may decide (dossiers/rules.py): a leader above the competent authority (the province) sees and
# reports; acts on a commune's dossiers only when this is on.
ONESTOP_UPPER_LEADERS_MAY_ACT = env.bool("ONESTOP_UPPER_LEADERS_MAY_ACT", default=False)
# Feedback (phản ánh, kiến nghị): classify within, and answer within, these many working days.
FEEDBACK_CLASSIFY_WORKING_DAYS = env.int("FEEDBACK_CLASSIFY_WORKING_DAYS", default=2)
FEEDBACK_ANSWER_WORKING_DAYS = env.int("FEEDBACK_ANSWER_WORKING_DAYS", default=15)
# A rating on the desk's tablet without the citizen's key: only for a dossier returned at that desk
# within this many minutes.
KIOSK_RATING_WINDOW_MINUTES = env.int("KIOSK_RATING_WINDOW_MINUTES", default=60)
# Approving without a signing certificate gives a paper result; with this on, it is refused.
RESULTS_SIGNING_REQUIRED = env.bool("RESULTS_SIGNING_REQUIRED", default=False)

# ----- Citizens' data by the law: access records, citizens' details, rights, retention, stated
# receipt times (issue 16: items 1-3, 7; dossiers/access_log.py, dossiers/citizens.py,
# dossiers/retention.py). Periods in days; what is *unconfirmed* is marked in README's table.
# A receipt time given instead of now (a paper dossier typed in later) that differs from now by more
# than this needs a reason, and one in the past is recorded as backdated.
RECEIVED_AT_TOLERANCE_MINUTES = env.int("RECEIVED_AT_TOLERANCE_MINUTES", default=5)
# The intake's lookup of a returning citizen, per user ("20/m" = 20 a minute).
APPLICANT_LOOKUP_RATE = env.str("APPLICANT_LOOKUP_RATE", default="20/m")
# A request to correct personal data is answered within this many working days of the handling
# agency's calendar (unconfirmed: Law 91/2025/QH15 and Decree 356/2025 were not at hand).
DATA_CORRECTION_WORKING_DAYS = env.int("DATA_CORRECTION_WORKING_DAYS", default=5)
# Retention (unconfirmed defaults). The dossier record itself (code, procedure, dates, status,
# history) is kept as the archive rules require; only what is listed here is removed or blanked.
RETENTION_ACCESS_LOG_DAYS = env.int("RETENTION_ACCESS_LOG_DAYS", default=5 * 365)
RETENTION_CONTACT_DAYS = env.int("RETENTION_CONTACT_DAYS", default=2 * 365)
RETENTION_SCAN_DAYS = env.int("RETENTION_SCAN_DAYS", default=5 * 365)
RETENTION_GUIDANCE_DAYS = env.int("RETENTION_GUIDANCE_DAYS", default=365)
RETENTION_BATCH = env.int("RETENTION_BATCH", default=2000)
CELERY_IMPORTS = (*globals().get("CELERY_IMPORTS", ()), "dossiers.retention")
CELERY_BEAT_SCHEDULE["personal-data-retention"] = {
    "task": "dossiers.retention.retention_sweep_task",
    # Every night at 02:30 (CELERY_TIMEZONE).
    "schedule": crontab(minute=30, hour=2),
}
# ----- end of citizens' data block ---------------------------------------------------------------

# Citizens' lookups (status page, kiosk, public API, result check and download): per-address rate
# limit (common.ratelimit.PUBLIC_LIMITS). Behind a reverse proxy, see TRUSTED_PROXIES below.
PUBLIC_LOOKUP_RATE = env.str("PUBLIC_LOOKUP_RATE", default="30/min")


# ----- Citizens' data by the law: exports, public forms, uploads, headers, search (issue 16: 4-6, 8, 9) -----
# The client address: X-Forwarded-For is read only when REMOTE_ADDR is one of these reverse proxies
# (addresses or networks, e.g. "10.0.0.5,172.18.0.0/16"); empty = no proxy, the header is ignored.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "common.ratelimit.client_ip"
RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# A cache that does not answer (Redis stopped) must not shut the citizens out.
RATELIMIT_FAIL_OPEN = env.bool("RATELIMIT_FAIL_OPEN", default=True)
# Feedback, survey answers and evaluations per client ("10/10m" = 10 per 10 minutes).
PUBLIC_FORM_RATE = env.str("PUBLIC_FORM_RATE", default="10/10m")
# The same content from the same client within this time is kept once.
PUBLIC_DEDUPE_SECONDS = env.int("PUBLIC_DEDUPE_SECONDS", default=600)

# Uploads: streamed to temporary files chunk by chunk (never held in memory), bounded per file,
# per request and per dossier; images above the pixel limit are refused (decompression bombs).
FILE_UPLOAD_HANDLERS = ["dossiers.uploads.BoundedUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 0
ONESTOP_UPLOAD_MAX_FILE_BYTES = env.int("ONESTOP_UPLOAD_MAX_FILE_BYTES", default=10 * 1024 * 1024)
ONESTOP_UPLOAD_MAX_REQUEST_BYTES = env.int("ONESTOP_UPLOAD_MAX_REQUEST_BYTES", default=50 * 1024 * 1024)
ONESTOP_UPLOAD_MAX_DOSSIER_BYTES = env.int("ONESTOP_UPLOAD_MAX_DOSSIER_BYTES", default=200 * 1024 * 1024)
ONESTOP_UPLOAD_MAX_FILES = env.int("ONESTOP_UPLOAD_MAX_FILES", default=20)
ONESTOP_UPLOAD_MAX_PIXELS = env.int("ONESTOP_UPLOAD_MAX_PIXELS", default=40_000_000)

# Content-Security-Policy (django-csp): scripts only from our own files or with the page's nonce;
# inline styles stay allowed (style attributes and the citizens' one-file pages). The API docs page
# (drf-spectacular's Swagger UI, inline script) is left out until it moves to the split view.
from csp.constants import NONCE as CSP_NONCE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# Searches: more words or characters than this answer 400 with a message (common.text.check_search).
SEARCH_MAX_WORDS = env.int("SEARCH_MAX_WORDS", default=10)
SEARCH_MAX_CHARS = env.int("SEARCH_MAX_CHARS", default=200)

# ----- Electronic results (results/: result PDFs, PAdES signatures, public verification) -----------
# Private storage of result PDFs and PKCS#12 files (never under a public URL).
RESULTS_STORAGE_ROOT = Path(env.str("RESULTS_STORAGE_ROOT", default=str(MEDIA_ROOT / "private")))
# WeasyPrint's PDF variant for generated documents ("" for plain PDF).
RESULTS_PDF_VARIANT = env.str("RESULTS_PDF_VARIANT", default="pdf/a-3u")
# Trust roots (PEM files) and CRLs (DER or PEM files) for verifying signatures. Outside production
# the defaults are the test CA of `manage.py make_test_ca` (var/test-ca/, NOT FOR PRODUCTION).
RESULTS_TEST_CA_DIR = BASE_DIR / "var" / "test-ca"
RESULTS_TRUST_ROOTS = env.list(
    "RESULTS_TRUST_ROOTS", default=[] if PRODUCTION else [str(RESULTS_TEST_CA_DIR / "root.pem")]
)
RESULTS_CRLS = env.list(
    "RESULTS_CRLS",
    default=[] if PRODUCTION else [str(RESULTS_TEST_CA_DIR / n) for n in ("root.crl", "intermediate.crl")],
)
RESULTS_REVOCATION_FETCH = env.bool("RESULTS_REVOCATION_FETCH", default=False)
RESULTS_REVOCATION_MODE = env.str("RESULTS_REVOCATION_MODE", default="soft-fail")
# RFC 3161 time-stamping authority; empty = no trusted timestamp. Required = a TSA failure fails
# the signature (and the approval); otherwise the result is signed without the timestamp.
RESULTS_TSA_URL = env.str("RESULTS_TSA_URL", default="")
RESULTS_TSA_TIMEOUT = env.int("RESULTS_TSA_TIMEOUT", default=5)
RESULTS_TSA_REQUIRED = env.bool("RESULTS_TSA_REQUIRED", default=False)
# Key for the stored passwords/PINs of signing credentials (Fernet); empty = derived from SECRET_KEY.
RESULTS_CREDENTIAL_KEY = env.str("RESULTS_CREDENTIAL_KEY", default="")
RESULTS_MAX_UPLOAD_BYTES = env.int("RESULTS_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
RESULTS_GENERIC_TEMPLATE_VERSION = "generic-1"

# ----- Interop: the national portal connector, its outbox and webhooks (interop/) ------------------
# Every portal name and code lives in interop/portal.py; these are the deployment's values.
# The official portal specification could not be read: see the interop/portal.py docstring.
PORTAL_ENABLED = env.bool("PORTAL_ENABLED", default=False)
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8765/api")
PORTAL_TOKEN_URL = env.str("PORTAL_TOKEN_URL", default="http://127.0.0.1:8765/token")
PORTAL_CLIENT_ID = env.str("PORTAL_CLIENT_ID", default="motcua-demo")
PORTAL_CLIENT_SECRET = env.str("PORTAL_CLIENT_SECRET", default="motcua-demo-secret")
PORTAL_USERNAME = env.str("PORTAL_USERNAME", default="")
PORTAL_PASSWORD = env.str("PORTAL_PASSWORD", default="")
PORTAL_TIMEOUT = env.float("PORTAL_TIMEOUT", default=15.0)
PORTAL_BATCH_SIZE = env.int("PORTAL_BATCH_SIZE", default=50)
PORTAL_MAX_ATTEMPTS = env.int("PORTAL_MAX_ATTEMPTS", default=8)
PORTAL_EVENT_NUMBER_FIELD = env.str("PORTAL_EVENT_NUMBER_FIELD", default="MaSuKien")
PORTAL_SERVICE_NAMES = env.dict("PORTAL_SERVICE_NAMES", default={})
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
INTEROP_DRAIN_EVERY_SECONDS = env.int("INTEROP_DRAIN_EVERY_SECONDS", default=15)
CELERY_BEAT_SCHEDULE["drain-outbox"] = {
    "task": "interop.tasks.drain_outbox_task",
    "schedule": INTEROP_DRAIN_EVERY_SECONDS,
}
# Online dossiers: pulled from the portal this often (over the last PORTAL_ONLINE_LOOKBACK_HOURS:
# a dossier pulled twice stays one dossier), and pushed by the portal to
# POST /api/v1/portal/online-dossiers with "Authorization: Bearer PORTAL_PUSH_TOKEN" (empty: no push).
PORTAL_ONLINE_PULL_EVERY_SECONDS = env.int("PORTAL_ONLINE_PULL_EVERY_SECONDS", default=300)
PORTAL_ONLINE_LOOKBACK_HOURS = env.int("PORTAL_ONLINE_LOOKBACK_HOURS", default=72)
PORTAL_PUSH_TOKEN = env.str("PORTAL_PUSH_TOKEN", default="")
CELERY_BEAT_SCHEDULE["pull-online-dossiers"] = {
    "task": "interop.tasks.pull_online_dossiers_task",
    "schedule": PORTAL_ONLINE_PULL_EVERY_SECONDS,
}
# ----- Reports (issue 14 item 8; issue 17 items 4-5) -----
# Decision 766/QĐ-TTg groups and their points, "code=points,..." (reports.index766). Default:
# Decision 766. The newer six-group split the national portal shows (unconfirmed) would be
# "publicity=18,progress=20,online=12,online_payment=10,digitisation=22,satisfaction=18".
REPORTS_766_GROUPS = {
    code.strip(): int(points)
    for code, points in (
        item.split("=", 1)
        for item in env.str(
            "REPORTS_766_GROUPS", default="publicity=18,progress=20,digitisation=22,online=22,satisfaction=18"
        ).split(",")
        if item.strip()
    )
}
# Leader dashboard (reports.live): figures are fresh this long; a request finding no figures while
# another computes them waits at most this long; the beat task computes the standard periods ahead.
REPORTS_DASHBOARD_MAX_AGE_SECONDS = env.int("REPORTS_DASHBOARD_MAX_AGE_SECONDS", default=60)
REPORTS_DASHBOARD_WAIT_SECONDS = env.float("REPORTS_DASHBOARD_WAIT_SECONDS", default=5.0)
REPORTS_DASHBOARD_WARM_EVERY_SECONDS = env.int("REPORTS_DASHBOARD_WARM_EVERY_SECONDS", default=50)
CELERY_BEAT_SCHEDULE["warm-dashboards"] = {
    "task": "reports.tasks.warm_dashboards_task",
    "schedule": REPORTS_DASHBOARD_WARM_EVERY_SECONDS,
}
# ----- end of reports -----
# WeasyPrint logs every rendering step at INFO; keep its warnings (a refused URL, a missing font).
LOGGING["loggers"].update({"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}})
# ----- The citizen's papers (issue 14 item 7; dossiers/papers.py) -----
# How long a kind of paper stays valid from its issue (or receipt) date, "name=days;name=days":
# a paper whose name contains the name (accents and case ignored) expires after so many days; any
# other paper has no expiry. Defaults: the marital-status certificate is valid 6 months (Decree
# 123/2015, Art. 23); procedures ask for a criminal-record extract not older than 6 months.
CITIZEN_PAPER_VALIDITY_DAYS = {
    name.strip(): int(days)
    for name, days in (
        item.split("=", 1)
        for item in env.str(
            "CITIZEN_PAPER_VALIDITY_DAYS",
            default="giay xac nhan tinh trang hon nhan=180;phieu ly lich tu phap=180",
        ).split(";")
        if "=" in item
    )
}
# ----- end of the citizen's papers -----
