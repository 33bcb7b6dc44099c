"""F-RISK-1/2, issue #14 must-show 2: every role of the cast against every risk endpoint, API and pages.

The endpoints are read from the OpenAPI schema (every path under ``/api/v1/risk-persons/`` and
``/api/v1/disputes/``, every method) and from the URL configuration (every page named ``risk-…``), not from a
list, so a new endpoint is in the matrix the day it is added. Each is called with each role's session:

- a read answers 200 to the police officer and the governance officer only, 403 to every other role (and
  sends the anonymous to the login), and leaves one ``ACCESS`` entry per person or dispute it showed, with the
  reader as actor and the time of the request;
- a write answers 403 to every other role and changes nothing; the police and governance officers get past
  the permission to the validation (400 for the empty body sent here; a PATCH of nothing changes nothing).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from huxiao.risk.models import Dispute, RiskPerson
from tests.conftest import logged_in
from tests.factories import Cast
from tests.test_api_roundtrip import SCHEMA

ROLES = ["admin", "governance", "education", "supervisor", "police", "unit_admin", "guard", "teacher",
         "bus_attendant", "guardian", "patrol"]
LEDGER = {"police", "governance"}


def api_operations() -> list[tuple[str, str]]:
    return sorted((method, path) for path, ops in SCHEMA["paths"].items()
                  if path.startswith(("/api/v1/risk-persons/", "/api/v1/disputes/"))
                  for method in ops if method in {"get", "post", "put", "patch", "delete"})


def page_routes() -> list[str]:
    """The patterns of the pages named ``risk-…`` (``risk/<int:pk>/`` …), from the URL configuration."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif (isinstance(p, URLPattern) and (p.name or "").startswith("risk-")
                  and not (prefix + str(p.pattern)).startswith("api/")):
                found.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "")
    return sorted(found)


def test_the_matrix_finds_the_endpoints() -> None:
    """The enumeration is not empty: the ledger's and the disputes' lists, details and actions, and the pages."""
    ops = api_operations()
    assert ("get", "/api/v1/risk-persons/") in ops and ("post", "/api/v1/risk-persons/{id}/reveal/") in ops
    assert ("post", "/api/v1/disputes/{id}/mediations/") in ops and len(ops) >= 12
    assert {"risk/", "risk/<int:pk>/", "risk/disputes/", "risk/disputes/<int:pk>/"} <= set(page_routes())


def _url(template: str, cast: Cast) -> str:
    person = RiskPerson.objects.get(unit=cast.unit_a)
    dispute = Dispute.objects.get(unit=cast.unit_a)
    target = {"risk-persons": person.pk, "disputes": dispute.pk, "risk/disputes": dispute.pk,
              "units": cast.unit_a.pk, "risk": person.pk}
    if "{id}" in template:
        return template.replace("{id}", str(target[template.split("/")[3]]))
    if "<int:pk>" in template:
        head = template.split("/<int:pk>")[0]
        return "/" + template.replace("<int:pk>", str(target[head]))
    return "/" + template if not template.startswith("/") else template


def _shown(user: Any, since: Any) -> set[tuple[str, str]]:
    return set(LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=user, timestamp__gte=since)
               .values_list("content_type__model", "object_pk"))


def _state() -> tuple[Any, ...]:
    return (tuple(RiskPerson.objects.order_by("pk").values_list("pk", "level", "status", "address", "officer_id")),
            tuple(Dispute.objects.order_by("pk").values_list("pk", "status", "outcome")),
            LogEntry.objects.exclude(action=LogEntry.Action.ACCESS).count())


@pytest.mark.parametrize(("method", "path"), api_operations(), ids=lambda v: v)
def test_every_role_against_every_risk_api_operation(cast: Cast, method: str, path: str) -> None:
    url = _url(path, cast)
    for role in ROLES:
        user = cast.users[role]
        client = logged_in(Client(), user)
        before, since = _state(), timezone.now() - timedelta(seconds=1)
        if method == "get":
            response = client.get(url)
        else:
            response = getattr(client, method)(url, data="{}", content_type="application/json")
        status = response.status_code
        if role not in LEDGER:
            assert status == 403, f"{role} {method.upper()} {url}: {status}"
            assert response.json()["code"] == "permission_denied", response.content
            assert _state() == before, f"{role} {method.upper()} {url} changed something"
            assert not _shown(user, since), f"{role} was refused and yet recorded as a reader"
            continue
        if method == "get":
            assert status == 200, f"{role} GET {url}: {status}"
            body = response.json()
            rows = body.get("results", body) if isinstance(body, dict) else body
            rows = rows if isinstance(rows, list) else [rows]
            model = "riskperson" if "risk-persons" in path else "dispute"
            if "{id}" not in path or path.endswith("{id}/"):  # the resource itself: each row shown is a read
                shown = _shown(user, since)
                expected = {(model, str(r["id"])) for r in rows}
                assert expected and expected <= shown, f"{role} GET {url}: reads {shown}, shown {expected}"
                entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=user).latest("timestamp")
                assert since <= entry.timestamp <= timezone.now(), entry.timestamp
        else:
            # Past the permission: the empty body is refused for what it lacks (a PATCH of nothing is a no-op).
            expected = {200} if method == "patch" else {400, 409}
            assert status in expected, f"{role} {method.upper()} {url} with an empty body: {status}"
            if status != 200:
                assert response.json()["code"] in {"invalid", "conflict"}, response.content
            assert _state() == before, f"{role} {method.upper()} {url} with an empty body changed something"


@pytest.mark.parametrize("route", page_routes())
def test_every_role_against_every_risk_page(cast: Cast, route: str) -> None:
    url = _url(route, cast)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"], anonymous.status_code
    for role in ROLES:
        user = cast.users[role]
        since = timezone.now() - timedelta(seconds=1)
        response = logged_in(Client(), user).get(url)
        if role not in LEDGER:
            assert response.status_code == 403, f"{role} GET {url}: {response.status_code}"
            assert not _shown(user, since)
            continue
        if response.status_code == 405:  # a form's target (the reveal): an empty form is refused, nothing read
            before = _state()
            response = logged_in(Client(), user).post(url, {})
            assert response.status_code == 400 and _state() == before, f"{role} POST {url}: {response.status_code}"
            continue
        assert response.status_code in {200, 302}, f"{role} GET {url}: {response.status_code}"
        if route in {"risk/", "risk/<int:pk>/", "risk/disputes/<int:pk>/"}:
            assert _shown(user, since), f"{role} read {url} and no access entry names them"


def test_education_sees_the_counts_on_the_overview_and_no_person(cast: Cast) -> None:
    """Education answers for the campuses, not for the ledger: the counts by level, no name, no link."""
    person = RiskPerson.objects.get(unit=cast.unit_a)
    page = logged_in(Client(), cast.users["education"]).get("/").content.decode()
    assert 'data-testid="risk-counts-tile"' in page and person.name not in page and "/risk/" not in page
    police = logged_in(Client(), cast.users["police"]).get("/").content.decode()
    assert 'data-testid="risk-counts-tile"' in police and 'href="/risk/"' in police
    unit_admin = logged_in(Client(), cast.users["unit_admin"]).get("/").content.decode()
    assert "risk-counts-tile" not in unit_admin
