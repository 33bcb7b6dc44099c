"""F-AUTH: password policy, lock-out, idle and absolute session timeouts, API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from huxiao.core.models import ApiToken
from tests.conftest import totp_code
from tests.factories import PASSWORD, Cast


@pytest.mark.parametrize("password", ["short1A!", "alllowercaseletters", "password1234", "ABCDEFGHIJKL1"])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


def test_strong_password_is_accepted() -> None:
    validate_password("Quiet-Harbour-2026")


def test_policy_is_settable(settings: pytest.FixtureRequest) -> None:
    settings.AUTH_PASSWORD_VALIDATORS = [  # type: ignore[attr-defined]
        {"NAME": "huxiao.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 4}}]
    with pytest.raises(ValidationError):
        validate_password("Quiet-Harbour-two")  # three classes only


def _login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password})


def test_five_failures_lock_the_account_for_thirty_minutes(cast: Cast) -> None:
    client = Client()
    for _ in range(4):
        assert _login(client, "ka-guard", "wrong-password").status_code == 200
    locked = _login(client, "ka-guard", "wrong-password")
    assert locked.status_code == 429
    assert "30" in locked.content.decode()
    # Even the right password is refused now, on the page and through the API.
    assert _login(Client(), "ka-guard", PASSWORD).status_code == 429
    api = APIClient().post("/api/v1/auth/token/", {"username": "ka-guard", "password": PASSWORD}, format="json")
    assert api.status_code == 429 and api.json()["code"] == "locked_out"
    # Another account is not affected.
    assert _login(Client(), "ka-admin", PASSWORD).status_code == 302


def test_lock_lifts_after_the_cool_off(cast: Cast) -> None:
    from axes.models import AccessAttempt

    for _ in range(5):
        _login(Client(), "ka-teacher", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert _login(Client(), "ka-teacher", PASSWORD).status_code == 302


def test_login_and_logout(cast: Cast) -> None:
    client = Client()
    response = _login(client, "ka-admin", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def _age_session(client: Client, *, idle: float = 0, since_login: float = 0) -> None:
    session = client.session
    session["huxiao_last_seen"] -= idle
    session["huxiao_login_at"] -= since_login
    session.save()


@pytest.mark.parametrize(("role", "idle_minutes", "expired"), [
    ("guard", 29, False), ("guard", 31, True),
    ("police", 14, False), ("police", 16, True),
    ("admin", 16, True),
])
def test_idle_timeout_by_role(cast: Cast, role: str, idle_minutes: int, expired: bool) -> None:
    client = Client()
    assert _login(client, cast.users[role].username, PASSWORD).status_code == 302
    if cast.users[role].needs_second_factor:  # the login's second step (F-AUTH, issue #14)
        assert client.post("/login/otp/", {"code": totp_code(cast.users[role])}).status_code == 302
    _age_session(client, idle=idle_minutes * 60)
    response = client.get("/units/")
    assert (response.status_code == 302) is expired
    if expired:
        assert response["Location"].startswith("/login/")


def test_absolute_timeout_of_twelve_hours(cast: Cast) -> None:
    client = Client()
    _login(client, "ka-guard", PASSWORD)
    _age_session(client, since_login=12 * 3600 + 60)
    assert client.get("/units/").status_code == 302


def test_expired_session_on_api_is_401(cast: Cast) -> None:
    client = Client()
    _login(client, "ka-guard", PASSWORD)
    _age_session(client, idle=3600)
    assert client.get("/api/v1/me/").status_code in {401, 403}


def test_tokens_are_stored_hashed_and_expire(cast: Cast) -> None:
    client = APIClient()
    key = client.post("/api/v1/auth/token/", {"username": "ka-guard", "password": PASSWORD},
                      format="json").json()["token"]
    token = ApiToken.objects.get()
    assert key not in (token.digest, token.prefix) and token.prefix == key[:8]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
    later = token.expires_at + timedelta(seconds=1)  # the cached token expires with its time too
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert client.get("/api/v1/me/").status_code == 401


def test_inactive_users_token_stops_working(cast: Cast) -> None:
    _token, key = ApiToken.issue(cast.users["guard"])
    cast.users["guard"].is_active = False
    cast.users["guard"].save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 401


def test_a_cached_token_is_forgotten_when_revoked_or_its_user_changes(cast: Cast) -> None:
    """The token lookup is cached (``HUXIAO_TOKEN_CACHE_SECONDS``): a second request reads no token row,
    and logging out, deactivating the user or changing their role takes effect on the next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def me(key: str) -> tuple[int, list[str]]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        with CaptureQueriesContext(connection) as queries:
            status = client.get("/api/v1/me/").status_code
        return status, [q["sql"] for q in queries.captured_queries if "core_apitoken" in q["sql"]]

    guard = cast.users["guard"]
    _token, key = ApiToken.issue(guard)
    assert me(key)[0] == 200 and me(key) == (200, [])  # the second request: from the cache
    from django.core.cache import cache

    from huxiao.core.models import TOKEN_CACHE_PREFIX, _token_digest

    cached_user = cache.get(TOKEN_CACHE_PREFIX + _token_digest(key))[0].user
    assert {"password", "phone", "id_number"} <= cached_user.get_deferred_fields()  # not in the cache
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert me(key)[0] == 401

    _token, key = ApiToken.issue(guard)
    assert me(key)[0] == 200
    guard.role = "teacher"
    guard.save()
    assert APIClient(headers={"Authorization": f"Token {key}"}).get("/api/v1/me/").json()["role"] == "teacher"
    guard.is_active = False
    guard.save()
    assert me(key)[0] == 401

    from huxiao.core.models import User

    teacher = User.objects.create_user(username="leaver", role="teacher", organisation=cast.unit_a)
    _token, key = ApiToken.issue(teacher)
    assert me(key)[0] == 200
    teacher.delete()  # its tokens go with it (a cascade), and so do their cached copies
    assert me(key)[0] == 401


def test_a_token_works_when_the_cache_is_down(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache is an optimisation: Redis stopping must not turn an API request into a 500."""
    from django.core.cache import cache

    def down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("redis is down")

    _token, key = ApiToken.issue(cast.users["guard"])
    for method in ("get", "set", "delete_many"):
        monkeypatch.setattr(cache, method, down)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
    assert client.delete("/api/v1/auth/token/").status_code == 204  # revoked in the database all the same
    assert client.get("/api/v1/me/").status_code == 401


def test_token_request_validates_input(cast: Cast) -> None:
    response = APIClient().post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == 400 and "password" in response.json()["fields"]
