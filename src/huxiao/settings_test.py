"""Settings for the test suite: the production module, with test keys and fast hashing.

The environment still chooses the database (DATABASE_URL) and Redis (REDIS_URL), so the same suite
runs on SQLite and on PostgreSQL with Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault(
    "HUXIAO_FIELD_KEYS",
    "k2:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,k1:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
)
os.environ.setdefault("HUXIAO_HASH_KEY", "test-hash-key-0123456789abcdef0123456789")
os.environ.setdefault("HUXIAO_DB_POOL", "false")

from huxiao.settings import *  # noqa: F403
from huxiao.settings import HUEY

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Look a static file up when it is asked for, not by listing every vendored file each time a test client
# loads the middleware (30 ms a client, a tenth of the suite's time: issue #12).
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HUXIAO_SMS_BACKEND = "huxiao.notify.sms.MemoryBackend"
HUEY = {**HUEY, "immediate": True}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared-cache memory database: that one answers "table is locked" at once where
    # a real deployment (a file in WAL mode) waits its turn, so concurrency tests would test the wrong thing.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        # One file per process: two test runs on one machine must not share (and delete) each other's.
        "NAME": os.path.join(tempfile.gettempdir(), f"huxiao-test-{os.getpid()}.sqlite3"),
    }
