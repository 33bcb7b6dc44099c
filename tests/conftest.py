from __future__ import annotations

import os
import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import Cast, build_cast, load_cast

# F-PRIV: records the ID numbers and phones the suite writes, and scans the database, audit log and logs for them.
pytest_plugins = ["tests.privacy_scan"]


def pytest_configure(config: pytest.Config) -> None:
    # Where CI runs, a service a test needs must be there: a missing one fails, never skips.
    config.addinivalue_line("markers", "redis: needs Redis")


def verify_second_factor(client: Any, user: Any) -> None:
    """Mark ``client``'s session as past the second factor, as the login's second step does for the roles of
    ``SECOND_FACTOR_ROLES``: django-otp's session key, naming a confirmed authenticator of the user's (created
    for the cast's police officer and governance officer the first time). The check itself is not relaxed:
    ``tests/test_second_factor.py`` logs in through the pages, password then code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = (TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
              or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def totp_code(user: Any) -> str:
    """The code an authenticator app shows now for ``user``'s confirmed device, computed from its secret: the
    current time step's, or the next one's when the current code was already used (a code works once)."""
    from django_otp.oath import hotp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    now = (int(time.time()) - device.t0) // device.step + device.drift
    step = max(now, device.last_t + 1)
    assert step <= now + device.tolerance, "this device's codes of this minute are used up"
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


@pytest.fixture(scope="session", autouse=True)
def _force_login_passes_both_factors() -> Any:
    """``client.force_login(user)`` stands for a completed login, so for the roles with a second factor it
    includes it (``verify_second_factor``): the tests of pages seen by the police and governance read as before."""
    from django.test import Client

    plain = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        plain(self, user, backend)
        if getattr(user, "needs_second_factor", False):
            verify_second_factor(self, user)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", force_login)
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, _force_login_passes_both_factors, django_db_blocker):  # type: ignore[no-untyped-def]
    """Build the cast once per session: every test runs in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        cast = build_cast()
        log_in_once(cast)
    CAST_DAY[:] = [_local_today()]


# The local day the committed cast was built on. Its records are dated from that day ("today's trip", "trained
# 30 days ago"), so a run that crosses midnight in Asia/Shanghai (16:00 UTC) would test yesterday's cast
# against today's rules: the first test after midnight rebuilds it.
CAST_DAY: list[Any] = []


def _local_today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Rebuild the committed cast when the local date has changed since it was built: the tables are emptied
    as after a transactional test and the cast built again, committed, before the test's fixtures (and its
    transaction) are set up."""
    if not CAST_DAY or CAST_DAY[0] == _local_today():
        return
    if "db" not in getattr(item, "fixturenames", ()) and not item.get_closest_marker("django_db"):
        return
    from django.core.management import call_command
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        call_command("flush", interactive=False, verbosity=0)
        log_in_once(build_cast())
    CAST_DAY[:] = [_local_today()]


# Sessions of the cast's accounts, logged in once per test session (committed with the cast), for the tests
# that send hundreds of requests as every role (the tenancy matrix): a login costs 14 ms (a session row, the
# last-login update and its audit entry), and the matrix logged in some three thousand times.
SESSIONS: dict[str, tuple[str, float]] = {}
SESSION_REUSE_SECONDS = 600  # well inside the shortest idle timeout (15 minutes), which counts from the login


def log_in_once(cast: Cast) -> None:
    from django.conf import settings
    from django.test import Client

    for user in cast.users.values():
        client = Client()
        client.force_login(user)
        SESSIONS[user.username] = (client.cookies[settings.SESSION_COOKIE_NAME].value, time.monotonic())


def logged_in(client: Any, user: Any) -> Any:
    """``client`` with ``user``'s shared session when it is still there and fresh (a transactional test
    empties the tables), else logged in afresh (inside the test's transaction)."""
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    key, since = SESSIONS.get(user.username, ("", 0.0))
    if key and time.monotonic() - since < SESSION_REUSE_SECONDS and Session.objects.filter(
            session_key=key, expire_date__gt=timezone.now()).exists():
        client.cookies[settings.SESSION_COOKIE_NAME] = key
    else:
        client.force_login(user)
    return client


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
