"""The tiny test override: production-mode settings with test keys and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("ENCRYPTION_KEYS", "test1:dGVzdC1tYXN0ZXIta2V5LWZvci10ZXN0cy1vbmx5LTE=")
os.environ.setdefault("BLIND_INDEX_KEYS", "test1:dGVzdC1ibGluZC1pbmRleC1rZXktdGVzdHMtb25seTE=")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = False
# Static files are served from the finders in tests; there is no collectstatic output.
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
