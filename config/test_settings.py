"""The tiny test override: production-mode settings with test keys and fast hashing."""

import os
import uuid

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("ENCRYPTION_KEYS", "test1:dGVzdC1tYXN0ZXIta2V5LWZvci10ZXN0cy1vbmx5LTE=")
os.environ.setdefault("BLIND_INDEX_KEYS", "test1:dGVzdC1ibGluZC1pbmRleC1rZXktdGVzdHMtb25seTE=")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Tasks that tests enqueue stay in memory; the Celery-on-Redis integration tests
# (CELERY_INTEGRATION=true, see tests/integration/) use the local Redis.
os.environ.setdefault(
    "CELERY_BROKER_URL",
    "redis://127.0.0.1:6379/15" if os.environ.get("CELERY_INTEGRATION") == "true" else "memory://",
)

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
# A queue of this process's own, so that concurrent test runs on one Redis never take each
# other's tasks. Worker subprocesses started by the tests are told it through CELERY_QUEUE.
if not os.environ.get("CELERY_QUEUE"):
    CELERY_TASK_DEFAULT_QUEUE = f"test-{uuid.uuid4().hex[:12]}"
