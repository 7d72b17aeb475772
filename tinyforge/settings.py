"""Django settings for Tinyforge.

Every value comes from the environment or from an optional ``.env`` file at
the repository root (set ``TINYFORGE_ENV_FILE`` to read another file, or to an
empty string to read none). docs/operations.md lists each setting with its
default and unit.
"""

import os
from pathlib import Path

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from tinyforge.cache_config import cache_config_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
ENV_FILE = os.environ.get("TINYFORGE_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or in .env; generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`. "
            "For local development only, DEBUG=on allows a built-in insecure key."
        )
    SECRET_KEY = "django-insecure-tinyforge-local-development-only"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "guardian",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "tinyforge.workloads",
    "tinyforge.events",
    "gitops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise serves /static/ itself, so no web server is needed in front for it.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tinyforge.urls"
WSGI_APPLICATION = "tinyforge.wsgi.application"

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
            ],
        },
    },
]

# Database: a SQLite file under var/ unless DATABASE_URL names another one.
DEFAULT_SQLITE_PATH = VAR_DIR / "tinyforge.sqlite3"
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{DEFAULT_SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # BEGIN IMMEDIATE takes the write lock when a transaction starts, so two
        # writers queue on the busy timeout instead of failing to upgrade a lock.
        "transaction_mode": "IMMEDIATE",
        "timeout": env.float("TINYFORGE_SQLITE_BUSY_TIMEOUT", default=20.0),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: files under var/cache by default, so the web server and commands such
# as `gitops_sync --check` on one machine share the last known GitOps status.
# Several machines share a Redis cache: CACHE_URL=redis://host:6379/0.
CACHES = {
    "default": cache_config_from_url(
        env.str("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}"),
        key_prefix=env.str("TINYFORGE_CACHE_PREFIX", default="tinyforge"),
    )
}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Tinyforge grants nothing to anonymous users, so guardian needs no anonymous user row.
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalization: the UI ships in English and Russian.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "tinyforge" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# Without DEBUG, static URLs carry a content hash, and WhiteNoise serves them
# compressed with a "cache forever" header. That needs `manage.py collectstatic`
# first. With DEBUG, files come straight from the apps, so the demo needs none.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security. Production defaults apply whenever DEBUG is off; behind a TLS proxy
# set SECURE_PROXY_SSL_HEADER_NAME (for example HTTP_X_FORWARDED_PROTO).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading commits the whole domain to HTTPS in browsers for months, which is
# the operator's decision for their domain, not this app's, so its reminder is off.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Load balancers probe the health check over plain http, so it is never redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
_proxy_header = env.str("SECURE_PROXY_SSL_HEADER_NAME", default="")
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = (_proxy_header, "https")

# Field encryption: Fernet keys, newest first. The first key encrypts, and every
# key in the list decrypts. Keep an old key listed until rotate_encryption_keys
# has re-encrypted every stored secret with the newest one.
TINYFORGE_ENCRYPTION_KEYS = env.list("TINYFORGE_ENCRYPTION_KEYS", default=[])
for _position, _key in enumerate(TINYFORGE_ENCRYPTION_KEYS, start=1):
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            f"TINYFORGE_ENCRYPTION_KEYS entry {_position} is not a Fernet key: each entry must be "
            "32 bytes in URL-safe base64 (44 characters). Generate one with `python -c "
            '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.'
        ) from None
if not TINYFORGE_ENCRYPTION_KEYS and not DEBUG:
    raise ImproperlyConfigured(
        "TINYFORGE_ENCRYPTION_KEYS is not set. Tinyforge encrypts repository tokens and secret "
        "environment values with it. Generate a key with `python -c "
        '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"` '
        "and set it in the environment or in .env."
    )

# Outbound git access.
TINYFORGE_GIT_ALLOWED_HOSTS = env.list("TINYFORGE_GIT_ALLOWED_HOSTS", default=[])
TINYFORGE_GIT_ALLOW_FILE_URLS = env.bool("TINYFORGE_GIT_ALLOW_FILE_URLS", default=False)
TINYFORGE_GIT_CONNECT_TIMEOUT = env.float("TINYFORGE_GIT_CONNECT_TIMEOUT", default=5.0)
TINYFORGE_GIT_READ_TIMEOUT = env.float("TINYFORGE_GIT_READ_TIMEOUT", default=15.0)
TINYFORGE_GIT_TOTAL_TIMEOUT = env.float("TINYFORGE_GIT_TOTAL_TIMEOUT", default=30.0)

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes anonymous requests 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tinyforge.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tinyforge API",
    "DESCRIPTION": "Workloads, GitOps status and sync, and the audit log.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Logging: one JSON object per line on stderr.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "tinyforge.logformat.JsonFormatter"}},
    "filters": {"redact_tokens": {"()": "tinyforge.git.redact.RedactingFilter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
            "filters": ["redact_tokens"],
        },
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"level": LOG_LEVEL, "propagate": True},
        "django.db.backends": {"level": "INFO", "propagate": True},
    },
}
