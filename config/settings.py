"""Settings for every environment, read from environment variables.

DEBUG is off unless DEBUG=true. With DEBUG off the app is in production mode and refuses to
start without a real SECRET_KEY, ALLOWED_HOSTS and encryption key rings. `make run` sets
DEBUG=true and uses the development defaults below, which production refuses.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from config.env import ConfigError, env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)

# Development values. They are public (they are in this file), so production refuses them.
DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production"  # noqa: S105 (public on purpose; refused in production)
DEV_ENCRYPTION_KEYS = "dev1:ZGV2LW1hc3Rlci1rZXktZm9yLWRlbW8tb25seS0wMDA="
DEV_BLIND_INDEX_KEYS = "dev1:ZGV2LWJsaW5kLWluZGV4LWtleS1kZW1vLW9ubHktMDA="

SECRET_KEY = env_secret("SECRET_KEY", DEV_SECRET_KEY if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
# Master key ring: "id:base64key,id:base64key", newest first. Wraps every client's data key.
ENCRYPTION_KEYS = env_secret("ENCRYPTION_KEYS", DEV_ENCRYPTION_KEYS if DEBUG else None)
# Keys of the blind index used for exact-match search, newest first. Kept apart from the
# master keys so that one can rotate without the other.
BLIND_INDEX_KEYS = env_secret("BLIND_INDEX_KEYS", DEV_BLIND_INDEX_KEYS if DEBUG else None)

if not DEBUG:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 40:
        raise ConfigError("SECRET_KEY must be a long random value, not the development key.")
    if not ALLOWED_HOSTS:
        raise ConfigError("ALLOWED_HOSTS must name the host(s) this app serves.")
    for name, value in (
        ("ENCRYPTION_KEYS", ENCRYPTION_KEYS),
        ("BLIND_INDEX_KEYS", BLIND_INDEX_KEYS),
    ):
        if any(entry.strip().startswith("dev") for entry in value.split(",")):
            raise ConfigError(f"{name} holds a development key; generate real keys.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "core",
    "casework",
    "referrals",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.UserLanguageMiddleware",
    # Before the session limits, which leave a message when they end a session.
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SessionLimitsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.DecryptionErrorMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.navigation",
            ],
        },
    },
]

# SQLite in the embedded default; DATABASE_URL=postgres://... in production and CI.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0, maximum=3600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Several processes (web, worker, beat) share the file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# A real, shared cache: rate limits must hold across processes. The database cache works with
# the embedded default; CACHE_URL=redis://... in production.
CACHE_URL = env_str("CACHE_URL", "db://")
if CACHE_URL == "db://":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "core_cache",
        }
    }
elif CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    raise ConfigError("CACHE_URL must be db:// or a redis:// URL.")

AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Authentication: e-mail log-in, sign-up only by invitation, MFA for everyone.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "core.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Behind N reverse proxies the client's address is the Nth-last in X-Forwarded-For; with the
# default 0, REMOTE_ADDR counts, which behind a proxy is the proxy for everyone.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
# Failed log-ins are limited per account, not per address: a whole office behind one IP must
# not be locked out by one person's typos. The IP limit is only a loose flood guard.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/key,100/m/ip",
    "login": "60/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
}
MFA_ADAPTER = "core.adapters.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env_str("ORGANISATION_NAME", "Drop-in casework")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Sessions live in the database so that log-out and deactivation end them server-side.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = timedelta(
    minutes=env_int("SESSION_IDLE_MINUTES", 30, minimum=5, maximum=240)
)
SESSION_ABSOLUTE_LIFETIME = timedelta(
    hours=env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1, maximum=24)
)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Transport security. Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers and process supervisors probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("it", "Italiano")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Zurich")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "casework@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)

# Celery: the embedded filesystem broker by default (no server needed), Redis in production.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL == "filesystem://"
    else {}
)
if CELERY_BROKER_URL == "filesystem://":
    # The transport expects its folders to exist.
    for folder in ("broker", "broker-processed", "broker-control"):
        (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)
# Deployments (or test runs) that share one Redis keep apart by naming their own queue.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

ORGANISATION_NAME = env_str("ORGANISATION_NAME", "Drop-in casework")
# How providers reach the organisation about a referral: printed on every referral slip.
ORGANISATION_CONTACT = env_str("ORGANISATION_CONTACT", "")

# Referrals: whether the slip the person carries shows their pseudonym next to the client
# code, and after how many days past the appointment a missing outcome is flagged.
REFERRAL_SLIP_SHOWS_PSEUDONYM = env_bool("REFERRAL_SLIP_SHOWS_PSEUDONYM", default=True)
REFERRAL_OUTCOME_OVERDUE_DAYS = env_int("REFERRAL_OUTCOME_OVERDUE_DAYS", 14, minimum=1, maximum=180)

# Collect little, keep it short: clients not seen for this many days are erased (shredded).
RETENTION_DAYS = env_int("RETENTION_DAYS", 730, minimum=90, maximum=3650)

# Virtual residence address service: how long an assignment runs before it must be renewed, and
# how long an ended slot rests before it is given out again (mail for the former holder still
# arrives for a while and must not reach the next one).
ADDRESS_ASSIGNMENT_MONTHS = env_int("ADDRESS_ASSIGNMENT_MONTHS", 12, minimum=1, maximum=36)
ADDRESS_QUARANTINE_DAYS = env_int("ADDRESS_QUARANTINE_DAYS", 90, minimum=14, maximum=365)

# Reporting: a published count of fewer than this many people is shown as "< k" (and enough
# other cells are hidden that it cannot be worked out). Below 3 the protection is meaningless.
REPORTING_MIN_CELL = env_int("REPORTING_MIN_CELL", 5, minimum=3, maximum=100)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env_str("LOG_FORMAT", "plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs echo URLs and bodies in some error paths; keep them at warning level.
        "django.request": {"level": "WARNING"},
    },
}
