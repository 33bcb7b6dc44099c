"""Settings for ``huxiao demo`` started as a process by ``tests/test_demo.py``: the production module (its
own SQLite file and huey queue under ``HUXIAO_HOME``), with fast password hashing so the build takes
seconds, not half a minute."""

from huxiao.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Static files copied as they are: compressing and hashing them all again on every start is most of its time.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
