from __future__ import annotations

import os

import pytest
from rest_framework.test import APIClient

from tests.factories import Cast, build_cast, load_cast


def pytest_configure(config: pytest.Config) -> None:
    # Where CI runs, a service a test needs must be there: a missing one fails, never skips.
    config.addinivalue_line("markers", "redis: needs Redis")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Build the cast once per session: every test runs in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        build_cast()


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> None:
    """Per-process memos (a unit's sub-district for the audit log, the day's dismissal windows) must not
    carry over from one test's rolled-back rows to the next test's."""
    from huxiao.core import audit
    from huxiao.timetable import selectors

    audit._UNIT_SUBDISTRICT.clear()
    selectors._DISMISSALS.clear()


@pytest.fixture
def cast(db: None) -> Cast:
    return load_cast() or build_cast()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def api_as(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def in_ci() -> bool:
    return bool(os.environ.get("CI"))
