"""F-API: the error shape of API.md on every failure path."""

from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, Cast


def assert_error(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in response.content.decode()
    return body


@pytest.fixture
def admin_api(cast: Cast) -> APIClient:
    client = APIClient()
    client.force_authenticate(cast.users["admin"])
    return client


def test_not_logged_in_is_401(cast: Cast) -> None:
    response = APIClient().get("/api/v1/units/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_bad_token_is_401(cast: Cast) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(client.get("/api/v1/units/"), 401, "invalid_token")


def test_bad_json_is_400_parse_error(admin_api: APIClient) -> None:
    response = admin_api.post("/api/v1/units/", data="{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_unknown_field_is_400_with_fields(admin_api: APIClient, cast: Cast) -> None:
    body = assert_error(
        admin_api.post("/api/v1/units/", {"code": "K99", "name": "新园", "kind": "kindergarten",
                                          "community": cast.c1.pk, "colour": "red"}, format="json"),
        400, "invalid")
    assert body["fields"] == {"colour": ["Unknown field."]} or "colour" in body["fields"]


def test_validation_error_names_each_field(admin_api: APIClient) -> None:
    body = assert_error(admin_api.post("/api/v1/units/", {"kind": "castle", "lat": 400}, format="json"),
                        400, "invalid")
    assert {"code", "name", "kind", "community", "lat"} <= set(body["fields"])


def test_forbidden_is_403(cast: Cast) -> None:
    client = APIClient()
    client.force_authenticate(cast.users["guard"])
    response = client.post("/api/v1/units/", {"code": "K98", "name": "x", "kind": "kindergarten",
                                               "community": cast.c1.pk}, format="json")
    assert_error(response, 403, "permission_denied")


def test_missing_object_is_404(admin_api: APIClient) -> None:
    assert_error(admin_api.get("/api/v1/units/999999/"), 404, "not_found")


def test_unknown_api_path_is_404_json(admin_api: APIClient) -> None:
    response = admin_api.get("/api/v1/no-such-thing/")
    assert_error(response, 404, "not_found")
    assert not response.templates  # answered as JSON at once, no HTML page rendered and thrown away


def test_unknown_page_is_the_html_404(admin_api: APIClient) -> None:
    response = admin_api.get("/no-such-page/")
    assert response.status_code == 404 and "404.html" in [t.name for t in response.templates]


def test_wrong_method_is_405(admin_api: APIClient, cast: Cast) -> None:
    assert_error(admin_api.delete(f"/api/v1/units/{cast.unit_a.pk}/"), 405, "method_not_allowed")
    assert_error(admin_api.put(f"/api/v1/units/{cast.unit_a.pk}/", {}, format="json"), 405, "method_not_allowed")


def test_duplicate_code_is_a_field_error_not_a_500(admin_api: APIClient, cast: Cast) -> None:
    body = assert_error(admin_api.post("/api/v1/units/", {"code": cast.unit_a.code, "name": "重名",
                                                          "kind": "kindergarten", "community": cast.c1.pk},
                                       format="json"), 400, "invalid")
    assert "code" in body["fields"]


def test_integrity_error_race_is_409(admin_api: APIClient, cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """A constraint that fires after validation (a concurrent insert) answers 409, not 500."""
    from huxiao.core import services

    def racing(**kwargs: object) -> None:
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "unit_create", racing)
    response = admin_api.post("/api/v1/units/", {"code": "K77", "name": "竞态", "kind": "kindergarten",
                                                 "community": cast.c1.pk}, format="json")
    assert_error(response, 409, "conflict")


def test_uncaught_exception_is_500_json_and_logged(admin_api: APIClient, monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    from huxiao.core import endpoints

    def boom(self, request):  # type: ignore[no-untyped-def]
        raise RuntimeError("kaboom")

    monkeypatch.setattr(endpoints.MeView, "get", boom)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(admin_api.handler._force_user)
    body = assert_error(client.get("/api/v1/me/"), 500, "server_error")
    assert "kaboom" not in body["detail"]
    assert any("kaboom" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_csrf_failure_on_session_api_is_json_403(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.users["admin"])
    response = client.post("/api/v1/units/", data="{}", content_type="application/json")
    assert_error(response, 403, "permission_denied")


def test_errors_are_translated(admin_api: APIClient) -> None:
    en = admin_api.get("/api/v1/units/999999/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    zh = admin_api.get("/api/v1/units/999999/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["detail"]
    assert en == "Not found." and zh != en


def test_pagination_shape_and_page_size_cap(admin_api: APIClient) -> None:
    body = admin_api.get("/api/v1/units/?page_size=100000").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2


def test_token_login_flow(cast: Cast) -> None:
    client = APIClient()
    bad = client.post("/api/v1/auth/token/", {"username": "ka-guard", "password": "nope"}, format="json")
    assert_error(bad, 401, "invalid_credentials")
    ok = client.post("/api/v1/auth/token/", {"username": "ka-guard", "password": PASSWORD}, format="json")
    assert ok.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {ok.json()['token']}")
    assert client.get("/api/v1/me/").json()["username"] == "ka-guard"
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert_error(client.get("/api/v1/me/"), 401, "invalid_token")


def test_numbers_too_large_for_the_database_are_bad_input_not_a_crash(cast: Cast) -> None:
    """Found by the schemathesis run: an id of 30 digits in a filter overflowed SQLite (PostgreSQL raises
    DataError) and answered 500."""
    from django.test import Client

    from tests.conftest import api_as

    huge = "2" * 30
    response = api_as(cast.users["admin"]).get(f"/api/v1/guards/?unit={huge}")
    # PostgreSQL (Django ≥ 5) matches nothing; SQLite overflows, which is answered as invalid input.
    if response.status_code == 200:
        assert response.json()["count"] == 0
    else:
        assert response.status_code == 400 and response.json()["code"] == "invalid"
    response = api_as(cast.users["admin"]).post("/api/v1/legal-vice-principals/", {
        "unit": int(huge), "name": "x", "start_date": "2026-01-01"}, format="json")
    assert response.status_code == 400
    client = Client()
    client.force_login(cast.users["admin"])
    for url in (f"/compliance/?community={huge}", f"/units/?community={huge}"):
        response = client.get(url)
        assert response.status_code == 200
        assert "HOMEUNIT" not in response.content.decode()  # an id no row can have matches nothing
