"""F-PRIV: ID numbers and phones written through the API never reach the database, the audit log or the
logs in plain text; responses carry them masked."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from huxiao.core import crypto
from huxiao.core.fields import lookup_hash
from huxiao.core.models import User
from huxiao.core.validators import (
    mask_phone,
    mask_resident_id,
    resident_id_check_digit,
    validate_resident_id,
)
from tests.conftest import in_ci
from tests.factories import Cast

# Valid GB 11643 numbers (check digits computed), and phones.
IDS = ["11010119900307" + "0" * 0 + "6613", "44030419850815123X", "330106200001011236"]
IDS = [i[:17] + resident_id_check_digit(i[:17]) for i in IDS]
PHONES = ["13812345678", "15987654321", "18600001111"]


def _all_plaintexts() -> list[str]:
    out = []
    for value in IDS + PHONES:
        out += [value, value[-8:], value[:10]]
    return out


def _raw_database_bytes() -> bytes:
    """Every byte the database holds: the SQLite file (and WAL), or a pg_dump of the test database."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        if "memory" in str(name) or str(name).startswith("file:"):
            # In-memory test database: copy it out with VACUUM INTO to read real file bytes.
            target = Path(tempfile.gettempdir()) / f"huxiao-privacy-{os.getpid()}.sqlite3"
            target.unlink(missing_ok=True)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(target)])
            data = target.read_bytes()
            target.unlink()
            return data
        data = Path(name).read_bytes()
        wal = Path(f"{name}-wal")
        return data + (wal.read_bytes() if wal.exists() else b"")
    assert connection.vendor == "postgresql"
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        if in_ci():
            pytest.fail("pg_dump is needed in CI to scan the PostgreSQL database")
        pytest.skip("pg_dump not installed")
    s = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
    cmd = [pg_dump, "--data-only", "-h", s.get("HOST") or "127.0.0.1", "-p", str(s.get("PORT") or 5432),
           "-U", s.get("USER") or "postgres", s["NAME"]]
    return subprocess.run(cmd, env=env, check=True, capture_output=True).stdout


@pytest.mark.django_db(transaction=True)
def test_no_plaintext_id_or_phone_in_database_audit_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    from tests.factories import build_cast, load_cast

    cast = load_cast() or build_cast()
    caplog.set_level(logging.DEBUG)
    client = APIClient()
    client.force_authenticate(cast.users["admin"])
    created = []
    for i, (id_number, phone) in enumerate(zip(IDS, PHONES, strict=True)):
        response = client.post("/api/v1/users/", {
            "username": f"guard-{i}", "password": "Str0ng-Passw0rd!", "role": "guard",
            "organisation": cast.unit_a.pk, "full_name": f"保安{i}", "id_number": id_number, "phone": phone,
        }, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert "id_number" not in body and "phone" not in body
        assert body["id_number_masked"] == mask_resident_id(id_number)
        assert body["phone_masked"] == mask_phone(phone)
        created.append(body["id"])
    # An update too: the audit diff must not carry the old or the new value.
    new_phone = "13700000000"
    client.patch(f"/api/v1/users/{created[0]}/", {"phone": new_phone}, format="json")
    # Gate guards (F-FORCE-4) carry the same personal data.
    for i, (id_number, phone) in enumerate(zip(IDS, PHONES, strict=True)):
        response = client.post("/api/v1/guards/", {
            "unit": cast.unit_a.pk, "name": f"门卫{i}", "id_number": id_number, "phone": phone,
            "certificate_no": f"C{i}"}, format="json")
        assert response.status_code == 201, response.content
        assert "id_number" not in response.json()
        assert response.json()["id_number_masked"] == mask_resident_id(id_number)
    guard_id = response.json()["id"]
    assert client.patch(f"/api/v1/guards/{guard_id}/", {"id_number": IDS[0]}, format="json").status_code == 200

    raw = _raw_database_bytes()
    assert b"guard-0" in raw, "the scan must see the rows it checks (usernames are stored in clear)"
    audit = "".join(str(e.changes) + str(e.additional_data) + e.object_repr for e in LogEntry.objects.all())
    logs = caplog.text
    for secret in [*_all_plaintexts(), new_phone]:
        assert secret.encode() not in raw, f"{secret} found in the raw database"
        assert secret not in audit, f"{secret} found in the audit log"
        assert secret not in logs, f"{secret} found in the logs"
    # The audit log still says *that* they changed.
    assert LogEntry.objects.filter(changes__icontains="[redacted]").exists()
    # And the keyed hash finds the person without decrypting anything.
    found = User.objects.get(id_number_hash=lookup_hash(User, "id_number", IDS[1].lower()))
    assert found.username == "guard-1" and found.id_number == IDS[1]


def test_wrong_check_digit_is_a_clear_field_error(cast: Cast) -> None:
    client = APIClient()
    client.force_authenticate(cast.users["admin"])
    wrong = IDS[0][:17] + ("0" if IDS[0][17] != "0" else "1")
    response = client.post("/api/v1/users/", {
        "username": "g", "password": "Str0ng-Passw0rd!", "role": "guard", "organisation": cast.unit_a.pk,
        "id_number": wrong}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "check digit" in response.json()["fields"]["id_number"][0]
    assert not User.objects.filter(username="g").exists()


def test_masks() -> None:
    assert mask_resident_id("11010119900307661X") == "110101********661X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_resident_id("") == "" and mask_phone(None) == ""


@given(st.text(max_size=40))
def test_encrypt_round_trip_and_context_binding(text: str) -> None:
    token = crypto.encrypt(text, context="core.user.phone")
    assert crypto.decrypt(token, context="core.user.phone") == text
    if len(text) >= 8:
        assert text not in token
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="core.user.id_number")


def test_key_rotation_old_keys_still_decrypt(settings: pytest.FixtureRequest) -> None:
    old_only = settings.FIELD_ENCRYPTION_KEYS[1:]  # type: ignore[attr-defined]
    settings.FIELD_ENCRYPTION_KEYS = old_only  # type: ignore[attr-defined]
    token = crypto.encrypt("110101199003076613", context="x")
    settings.FIELD_ENCRYPTION_KEYS = ["k3:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=", *old_only]  # type: ignore
    assert not crypto.is_current(token)
    assert crypto.decrypt(token, context="x") == "110101199003076613"
    assert crypto.is_current(crypto.encrypt("a", context="x"))


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_every_valid_check_digit_is_accepted_and_every_other_refused(first17: str) -> None:
    from django.core.exceptions import ValidationError

    first17 = "110101" + "19900307" + first17[14:]
    good = first17 + resident_id_check_digit(first17)
    assert validate_resident_id(good) == good
    for other in "0123456789X":
        if other != good[-1]:
            with pytest.raises(ValidationError):
                validate_resident_id(first17 + other)
