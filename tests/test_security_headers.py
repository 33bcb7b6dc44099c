"""The Content-Security-Policy header, as django-csp's own middleware sets it from the settings."""

from __future__ import annotations

import pytest
from csp.middleware import CSPMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings

pytestmark = pytest.mark.django_db


def _library_header(path: str = "/api/v1/me/") -> str:
    response = CSPMiddleware(lambda request: HttpResponse())(RequestFactory().get(path))
    return response["Content-Security-Policy"]


def test_an_api_answer_carries_the_same_policy_as_django_csp_gives(client: Client) -> None:
    for _ in range(2):
        response = client.get("/api/v1/me/")
        assert response.status_code == 401
        assert response["Content-Security-Policy"] == _library_header()
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "nonce-" not in response["Content-Security-Policy"]


def test_a_response_that_used_its_nonce_gets_it_in_its_header() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(request.csp_nonce))  # type: ignore[attr-defined]

    middleware = CSPMiddleware(view)
    first, second = (middleware(RequestFactory().get("/")) for _ in range(2))
    for response in (first, second):
        assert f"'nonce-{response.content.decode()}'" in response["Content-Security-Policy"]
    assert first.content != second.content


def test_a_view_that_changed_its_policy_keeps_its_change() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse()
        response._csp_replace = {"img-src": ["https://maps.example"]}  # type: ignore[attr-defined]
        return response

    header = CSPMiddleware(view)(RequestFactory().get("/"))["Content-Security-Policy"]
    assert "img-src https://maps.example" in header


def test_a_changed_setting_changes_the_header(client: Client) -> None:
    client.get("/api/v1/me/")
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert client.get("/api/v1/me/")["Content-Security-Policy"] == "default-src 'none'"
    assert client.get("/api/v1/me/")["Content-Security-Policy"] == _library_header()


def test_a_response_that_is_exempt_or_already_has_a_policy_is_left_alone() -> None:
    def exempt(request: HttpRequest) -> HttpResponse:
        response = HttpResponse()
        response._csp_exempt = True  # type: ignore[attr-defined]
        return response

    def own(request: HttpRequest) -> HttpResponse:
        response = HttpResponse()
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    assert "Content-Security-Policy" not in CSPMiddleware(exempt)(RequestFactory().get("/"))
    assert CSPMiddleware(own)(RequestFactory().get("/"))["Content-Security-Policy"] == "default-src 'none'"
