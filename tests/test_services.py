"""The services a configuration names are really there (CI sets DATABASE_URL and REDIS_URL)."""

from __future__ import annotations

import os

from django.core.cache import cache, caches
from django.db import connection


def test_cache_round_trip_on_the_configured_backend() -> None:
    cache.set("huxiao-ping", "pong", 5)
    assert cache.get("huxiao-ping") == "pong"
    if os.environ.get("REDIS_URL"):
        assert type(caches["default"]).__name__ == "RedisCache"


def test_database_is_the_configured_one(db: None) -> None:
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected
