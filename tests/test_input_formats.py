"""Input follows the columns (issue #11): lengths on the gate's own pages too, unit codes, phone numbers; and
the two visible breakages of the same issue (the units list's count, the API docs under the CSP)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from huxiao.core.models import Unit
from huxiao.core.validators import validate_phone
from huxiao.force.models import StaffMember
from huxiao.gate.models import Visit
from tests.factories import Cast, years_ago


def api_as(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_as(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def visitor(**extra: str) -> dict[str, str]:
    from huxiao.demo.force import resident_id

    return {"id_type": "resident_id", "id_number": resident_id(years_ago(45), 501), "name": "孙师傅",
            "phone": "13912345678", "purpose": "维修空调", **extra}


# --- lengths where no serializer stands in front of the service -----------------------------------------

def test_a_300_character_visitor_name_is_refused_at_the_gate_and_nothing_is_written(cast: Cast) -> None:
    from huxiao.gate.services import visits

    before = Visit.objects.count()
    response = page_as(cast.users["guard"]).post("/gate/visitors/", visitor(name="孙" * 300))
    assert response.status_code == 400
    with pytest.raises(ValidationError) as refused:
        visits.visit_register(actor=cast.users["guard"], unit=cast.unit_a,
                              **visitor(name="孙" * 61, purpose="修" * 201))
    assert set(refused.value.message_dict) == {"name", "purpose"}
    assert Visit.objects.count() == before
    assert visits.visit_register(actor=cast.users["guard"], unit=cast.unit_a, **visitor(name="孙" * 60)).pk


def test_the_api_answers_a_too_long_visitor_name_with_the_error_shape(cast: Cast) -> None:
    before = Visit.objects.count()
    response = api_as(cast.users["guard"]).post("/api/v1/visits/", {"unit": cast.unit_a.pk, **visitor(
        name="孙" * 300)}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"] and list(body["fields"]) == ["name"]
    assert Visit.objects.count() == before


def test_a_shift_note_longer_than_its_column_is_refused_by_the_service(cast: Cast) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from huxiao.gate.services import duty

    start = timezone.now() + timedelta(days=30)
    with pytest.raises(ValidationError) as refused:
        duty.shift_add(actor=cast.users["unit_admin"], unit=cast.unit_a, guard=cast.users["guard"], start=start,
                       end=start + timedelta(hours=8), note="x" * 101)
    assert "note" in refused.value.message_dict


# --- unit codes -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["K 30", "K30 ", "K/30", "幼儿园", "K" * 33])
def test_a_unit_code_outside_letters_digits_dash_underscore_is_refused_everywhere(cast: Cast, code: str) -> None:
    # The model: what any service's full_clean checks.
    unit = Unit(code=code.strip() if code == "K30 " else code, name="新园", kind="kindergarten", type="unit",
                parent=cast.c1, subdistrict=cast.sd)
    if code != "K30 ":
        with pytest.raises(ValidationError) as refused:
            unit.full_clean()
        assert "code" in refused.value.message_dict
    # The API (a trailing space is trimmed there, like on the form).
    response = api_as(cast.users["admin"]).post("/api/v1/units/", {
        "code": code, "name": "新园", "kind": "kindergarten", "community": cast.c1.pk}, format="json")
    # The unit form.
    page = page_as(cast.users["admin"]).post("/units/new/", {
        "code": code, "name": "新园", "kind": "kindergarten", "parent": cast.c1.pk, "pupils": 10})
    if code == "K30 ":
        assert response.status_code == 201 and response.json()["code"] == "K30"
        assert page.status_code == 400 and "code" in page.context["form"].errors  # K30 exists now
        return
    assert response.status_code == 400 and list(response.json()["fields"]) == ["code"]
    assert page.status_code == 400 and "code" in page.context["form"].errors
    assert not Unit.objects.filter(name="新园").exists()


def test_the_unit_form_keeps_codes_upper_case_as_the_api_does(cast: Cast) -> None:
    response = page_as(cast.users["admin"]).post("/units/new/", {
        "code": "k-31", "name": "新园", "kind": "kindergarten", "parent": cast.c1.pk, "pupils": 10})
    assert response.status_code == 302
    assert Unit.objects.get(name="新园").code == "K-31"


# --- phones ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "kept"), [
    ("13912345678", "13912345678"), ("+86 139 1234 5678", "13912345678"), ("0571-88886666", "0571-88886666"),
    ("057188886666", "0571-88886666"), ("010-62345678", "010-62345678"), ("0571-88886666-123", "0571-88886666-123"),
    ("(0571) 8888 6666 转 8021", "0571-88886666-8021"),
    ("057188886666123", "0571-88886666-123"),  # an encrypted phone as stored (digits only) validates again
])
def test_a_mobile_or_a_landline_is_accepted_in_its_canonical_form(given: str, kept: str) -> None:
    assert validate_phone(given) == kept


@pytest.mark.parametrize("given", ["12", "1234567", "12912345678", "139123456789", "+442079460000", "0571-0888666",
                                   "0571-88886666-1234567", "139-1234-567a", "电话"])
def test_anything_else_is_refused(given: str) -> None:
    with pytest.raises(ValidationError):
        validate_phone(given)


def test_phones_are_checked_by_the_models_the_api_and_the_unit_form(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        StaffMember(unit=cast.unit_a, name="李", phone="12345").full_clean()
    assert "phone" in refused.value.message_dict
    api = api_as(cast.users["unit_admin"])
    for path, body in (("/api/v1/staff-members/", {"unit": cast.unit_a.pk, "name": "李", "phone": "12345"}),
                       ("/api/v1/guards/", {"unit": cast.unit_a.pk, "name": "王", "birth_date": "1980-01-01",
                                            "phone": "12345"})):
        response = api.post(path, body, format="json")
        assert response.status_code == 400 and "phone" in response.json()["fields"], (path, response.content)
    patched = api.patch(f"/api/v1/units/{cast.unit_a.pk}/", {"phone": "0571-8888"}, format="json")
    assert patched.status_code == 400 and list(patched.json()["fields"]) == ["phone"]
    page = page_as(cast.users["admin"]).post(f"/units/{cast.unit_a.pk}/edit/", {
        "code": "KA", "name": cast.unit_a.name, "kind": "kindergarten", "parent": cast.c1.pk, "pupils": 10,
        "phone": "0571-8888"})
    assert page.status_code == 400 and "phone" in page.context["form"].errors
    cast.unit_a.refresh_from_db()
    assert cast.unit_a.phone == ""
    ok = api.patch(f"/api/v1/units/{cast.unit_a.pk}/", {"phone": "0571 8888 6666"}, format="json")
    assert ok.status_code == 200 and ok.json()["phone"] == "0571 8888 6666"


def test_the_demo_data_passes_the_validators() -> None:
    """``huxiao demo`` builds its sub-district through the models: every code and phone it holds must pass."""
    from huxiao.core.validators import CODE_MAX_LENGTH, validate_code
    from huxiao.demo import data
    from huxiao.demo.force import OFFICERS

    records = [data.SUBDISTRICT, *data.COMMUNITIES, *data.UNITS, data.POLICE_STATION, *data.OFFICES]
    for record in records:
        validate_code(record.code)
        assert len(record.code) <= CODE_MAX_LENGTH
        if getattr(record, "phone", ""):
            validate_phone(record.phone)
    for _name, _badge, phone in OFFICERS:
        validate_phone(phone)


# --- the units list's count -----------------------------------------------------------------------------

def test_the_units_list_counts_the_units_it_shows(cast: Cast) -> None:
    client = page_as(cast.users["admin"])
    shown = Unit.objects.visible_to(cast.users["admin"]).count()
    assert shown == 2
    zh = client.get("/units/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"共{shown}个单位" in zh and "共0个单位" not in zh
    one = client.get("/units/", {"kind": "primary"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 unit<" in one


# --- /api/docs/ under the CSP ---------------------------------------------------------------------------

def _directive(policy: str, name: str) -> list[str]:
    for part in policy.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    return []


def test_the_api_docs_inline_script_and_style_are_allowed_by_the_pages_policy(client: Client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    html = response.content.decode()
    scripts = _directive(policy, "script-src")
    assert "'unsafe-inline'" not in scripts  # the nonce, not a hole in the policy
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "Swagger UI starts from an inline script"
    for attributes in inline:
        nonce = re.search(r'nonce="([^"]+)"', attributes)
        assert nonce and f"'nonce-{nonce.group(1)}'" in scripts, (attributes, policy)
    for attributes in re.findall(r"<style([^>]*)>", html):
        nonce = re.search(r'nonce="([^"]+)"', attributes)
        assert nonce and f"'nonce-{nonce.group(1)}'" in _directive(policy, "style-src"), (attributes, policy)
    for src in re.findall(r'<script[^>]*\bsrc="([^"]+)"', html):
        assert src.startswith("/") and not src.startswith("//"), src  # served by the site: 'self'

