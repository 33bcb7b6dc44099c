"""The one settings module. Everything a deployment changes comes from the environment.

Typed readers fail loudly (Healthchecks' envbool/envint habit): a production start without a
secret stops with a message that names the variable, instead of running with a guessable key.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Where the embedded set-up keeps its files (SQLite database, huey queue, collected static files).
HOME = Path(env("HUXIAO_HOME", str(Path.cwd()))).resolve()


def _required_secret(name: str, purpose: str) -> str:
    value = env(name)
    if value:
        return value
    if DEBUG:
        return f"insecure-development-{name.lower()}"
    raise ImproperlyConfigured(
        f"{name} is not set. It is required when DEBUG is off ({purpose}). "
        f"Set it in the environment, or run `huxiao demo`, which generates and keeps its own."
    )


SECRET_KEY = _required_secret("SECRET_KEY", "signs sessions and tokens")
# F-PRIV: AES-256-GCM keys, comma-separated "id:base64key"; the first encrypts, all decrypt (rotation).
FIELD_ENCRYPTION_KEYS = env_list("HUXIAO_FIELD_KEYS") or [
    _required_secret("HUXIAO_FIELD_KEYS", "encrypts ID numbers and phones at rest")
]
# F-PRIV: HMAC key for the keyed-hash lookup columns; separate from the encryption keys.
FIELD_HASH_KEY = _required_secret("HUXIAO_HASH_KEY", "keys the lookup hash of ID numbers and phones")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "rules",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "huey.contrib.djhuey",
    "huxiao.core",
    "huxiao.timetable",
    "huxiao.gate",
    "huxiao.force",
    "huxiao.compliance",
    "huxiao.notify",
    "huxiao.devices",
    "huxiao.alarms",
    "huxiao.emergency",
    "huxiao.hazards",
    "huxiao.inspections",
    "huxiao.surroundings",
    "huxiao.buses",
    "huxiao.risk",
    "huxiao.dashboard",
    "huxiao.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "huxiao.core.middleware.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "huxiao.core.middleware.SessionTimeoutMiddleware",
    # After OTPMiddleware and the timeouts: the second factor of SECOND_FACTOR_ROLES (F-AUTH, issue #14).
    "huxiao.core.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "huxiao.core.audit.AuditContextMiddleware",
    # Last, so it sees a failed login after the authentication backends have run (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "huxiao.urls"
ASGI_APPLICATION = "huxiao.asgi.application"
WSGI_APPLICATION = "huxiao.wsgi.application"
AUTH_USER_MODEL = "core.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "huxiao.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database ------------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{HOME / 'huxiao.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN, so two
        # concurrent writers queue on busy_timeout instead of failing with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    if env_bool("HUXIAO_DB_POOL", True):
        _db["OPTIONS"] = {
            "pool": {"min_size": env_int("HUXIAO_DB_POOL_MIN", 2), "max_size": env_int("HUXIAO_DB_POOL_MAX", 10)},
        }
    else:
        _db["CONN_MAX_AGE"] = env_int("HUXIAO_DB_CONN_MAX_AGE", 60)
    if env_bool("HUXIAO_DB_SERVER_BINDING", True):
        # Parameters bound by the server, and a statement run five times on a connection is prepared
        # there: PostgreSQL parses and plans the hot statements (the token look-up, the release) once
        # per connection instead of once per request, and psycopg does not quote values into the SQL
        # (issue #4: the PostgreSQL CPU of a release fell from 1.1 to 0.7 ms, ``bench/gate.py``).
        # Behind PgBouncer in transaction mode, set HUXIAO_DB_PREPARE_THRESHOLD=0 (no prepared statements).
        _db.setdefault("OPTIONS", {})["server_side_binding"] = True
        threshold = env_int("HUXIAO_DB_PREPARE_THRESHOLD", 5)
        _db["OPTIONS"]["prepare_threshold"] = threshold or None
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    # A cache that is down must not hold a request up: the token lookup falls back to the database.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Jobs (huey): SQLite file embedded, Redis in production ---------------------------------------
HUEY: dict[str, object]
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "huxiao", "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "huxiao",
        "filename": str(HOME / "huxiao-jobs.sqlite3"),
        "immediate": False,
    }

# --- Authentication (F-AUTH) ---------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_MIN_LENGTH = env_int("HUXIAO_PASSWORD_MIN_LENGTH", 12)
PASSWORD_MIN_CLASSES = env_int("HUXIAO_PASSWORD_MIN_CLASSES", 3)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "huxiao.core.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES},
    },
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env_int("HUXIAO_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HUXIAO_LOCKOUT_MINUTES", 30))
# F-AUTH locks the *account*: many guards share one school's address, so an address lock would shut
# out a whole gate for one person's typing.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "huxiao.core.auth.lockout_response"
AXES_VERBOSE = False
# F-AUTH second factor (issue #14): the name an authenticator app shows beside the account. Wrong codes are
# throttled by django-otp (1, 2, 4, 8 … seconds after successive failures, per device).
OTP_TOTP_ISSUER = "Huxiao"
# How many reverse proxies of ours stand in front (their X-Forwarded-For is believed that far; 0: none).
HUXIAO_PROXY_COUNT = max(0, env_int("HUXIAO_PROXY_COUNT", 0))
AXES_IPWARE_PROXY_COUNT = HUXIAO_PROXY_COUNT or None

# Idle timeouts by role (minutes) and the absolute session limit (hours).
SESSION_IDLE_MINUTES_STAFF = env_int("HUXIAO_IDLE_MINUTES_STAFF", 30)
SESSION_IDLE_MINUTES_PRIVILEGED = env_int("HUXIAO_IDLE_MINUTES_PRIVILEGED", 15)
SESSION_ABSOLUTE_HOURS = env_int("HUXIAO_SESSION_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("HUXIAO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
API_TOKEN_TTL_HOURS = env_int("HUXIAO_TOKEN_HOURS", 12)
# A token found is kept in the cache this long (every API request looks its token up). Revoking it, or a
# change to its user, forgets it at once in the shared cache (Redis); with the per-process cache and
# several worker processes, the other processes forget it within this time.
HUXIAO_TOKEN_CACHE_SECONDS = max(0, env_int("HUXIAO_TOKEN_CACHE_SECONDS", 60))
# The live stream: a keep-alive comment this often; a catch-up from the database this often.
HUXIAO_SSE_KEEPALIVE_SECONDS = env_int("HUXIAO_SSE_KEEPALIVE_SECONDS", 15)
HUXIAO_SSE_CATCH_UP_SECONDS = env_int("HUXIAO_SSE_CATCH_UP_SECONDS", 5)

# --- Internationalisation (F-I18N) ---------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files (vendored: the deployment network is closed) -----------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(HOME / ".huxiao" / "static")))
# Uploaded evidence (hazard and inspection photos). Never served as static files: a view checks who asks.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(HOME / ".huxiao" / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# --- API (F-API) ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes "not logged in" a 401, as API.md asks.
        "huxiao.core.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "huxiao.core.errors.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["huxiao.core.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "huxiao.core.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Huxiao API",
    "DESCRIPTION": "Campus safety and security management (护校). See API.md for the contract.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "huxiao.core.schema.tag_by_resource"],
    # No deep links: Swagger UI puts a link inside each operation's toggle button (nested controls, which
    # screen readers and keyboards cannot use; WCAG 2.1 AA, issue #11).
    # No syntax colours either: its red numbers on dark grey are 3.45:1.
    # A filter box by resource: the docs list some fifty, and Swagger UI renders a long page lazily.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "persistAuthorization": True, "displayOperationId": False,
                            "filter": True,
                            "syntaxHighlight": False},
}

# --- Audit (F-AUDIT) -----------------------------------------------------------------------------
AUDITLOG_MASK_CALLABLE = "huxiao.core.audit.redact"
AUDIT_RETENTION_DAYS = max(180, env_int("HUXIAO_AUDIT_RETENTION_DAYS", 365))
# How long a gate POST's Idempotency-Key answers a retry (core.idempotency); then a job forgets it.
HUXIAO_IDEMPOTENCY_HOURS = max(1, env_int("HUXIAO_IDEMPOTENCY_HOURS", 24))

# --- Security headers ----------------------------------------------------------------------------
from csp.constants import NONCE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Map tiles from a server inside the closed network (e.g. "https://tiles.example/{z}/{x}/{y}.png");
# empty: maps draw units and boundaries on a plain background.
MAP_TILES = env("HUXIAO_MAP_TILES")

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "huxiao@localhost")
# F-NOTIFY: alerts also go out by SMS, through this backend (notify/sms.py: console, memory, or a gateway's).
HUXIAO_SMS_BACKEND = env("HUXIAO_SMS_BACKEND", "huxiao.notify.sms.ConsoleBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A handler of its own here, so huey's worker does not add a second one (every line logged twice).
        "huey": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO"), "propagate": False},
    },
}
