"""F-PRIV key rotation (issue #14): ``huxiao rotate-keys`` moves every encrypted value to the newest key
while the service runs, never overwrites a value the application writes meanwhile, and names the values
it cannot decrypt."""

from __future__ import annotations

import base64
from datetime import date
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Model
from django.test import override_settings

from huxiao.core.management.commands import rotate_keys
from huxiao.core.models import Role
from huxiao.demo.force import resident_id
from huxiao.force.models import Guard
from huxiao.gate.models import PickupPerson, Visit
from tests.factories import Cast, UserFactory

# The test settings' first key: the cast (built once per session) is written under it.
OLD = settings.FIELD_ENCRYPTION_KEYS[0]
OLD_ID = OLD.split(":")[0]
NEW_ID = "k3"
NEW = f"{NEW_ID}:" + base64.b64encode(bytes(range(100, 132))).decode()
STRAY = "k9:" + base64.b64encode(bytes(range(200, 232))).decode()  # a key no setting lists

# The columns the data set must fill, so the rotation is shown on each of them.
EXPECTED_COLUMNS = {
    "core.user.phone", "core.user.id_number", "gate.pickupperson.id_number", "gate.pickupperson.phone",
    "gate.pickupperson.credential", "gate.delegation.id_number", "gate.delegation.code",
    "gate.blocklistentry.id_number", "gate.visit.id_number", "gate.visit.phone", "force.guard.id_number",
    "force.guard.phone",
}


def raw_values(column: rotate_keys.Column) -> dict[Any, str]:
    """The column as stored, by pk, read with plain SQL (not the command's own query)."""
    model, field = column
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(db_column(model, 'pk'))}, {qn(db_column(model, field.name))} "  # noqa: S608
                       f"FROM {qn(model._meta.db_table)}")
        return {model._meta.pk.to_python(pk): value for pk, value in cursor.fetchall()}


def db_column(model: type[Model], name: str) -> str:
    field = model._meta.pk if name == "pk" else next(f for f in model._meta.concrete_fields if f.name == name)
    assert field is not None and field.column
    return field.column


def plaintexts(but: frozenset[tuple[str, Any]] = frozenset()) -> dict[tuple[str, Any], str]:
    """Every encrypted value of every model (except the ``(label, pk)`` pairs of ``but``), decrypted through
    the fields, in fresh queries over all rows."""
    values: dict[tuple[str, Any], str] = {}
    for column in rotate_keys.encrypted_columns():
        model, field = column
        label = rotate_keys.label(column)
        skip = [pk for name, pk in but if name == label]
        for pk, value in model._base_manager.exclude(pk__in=skip).values_list("pk", field.attname):
            values[(label, pk)] = value
    return values


def hashes() -> dict[tuple[str, Any], str]:
    values: dict[tuple[str, Any], str] = {}
    for model, field in rotate_keys.encrypted_columns():
        hash_name = f"{field.name}_hash"
        if any(f.name == hash_name for f in model._meta.concrete_fields):
            for pk, value in model._base_manager.values_list("pk", hash_name):
                values[(f"{model._meta.label_lower}.{hash_name}", pk)] = value
    return values


def more_rows(cast: Cast) -> None:
    """Encrypted values the cast leaves blank (a guard's ID, a visitor's phone …), and a staff member's."""
    UserFactory(username="rotate-staff", role=Role.GUARD, organisation=cast.unit_a, phone="139 0000 1111",
                id_number=resident_id(date(1988, 8, 8)))
    Guard.objects.create(unit=cast.unit_a, name="rotate-guard", birth_date=date(1980, 1, 1),
                         id_number=resident_id(date(1980, 1, 1)), phone="13900002222")
    Guard.objects.create(unit=cast.unit_b, name="rotate-guard-blank", birth_date=date(1981, 1, 1))
    Visit.objects.filter(unit=cast.unit_a).update(phone="13900003333")  # encrypted by the field, on update too
    PickupPerson.objects.filter(unit=cast.unit_a).update(phone="13900004444")


def column(label: str) -> rotate_keys.Column:
    return next(c for c in rotate_keys.encrypted_columns() if rotate_keys.label(c) == label)


def test_rotation_moves_every_value_to_the_new_key(cast: Cast, caplog: pytest.LogCaptureFixture) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        more_rows(cast)
        before = plaintexts()  # every value decrypts under the old key alone
    filled = {label for (label, _), value in before.items() if value}
    assert filled >= EXPECTED_COLUMNS, EXPECTED_COLUMNS - filled
    hashes_before, audit_before = hashes(), LogEntry.objects.count()

    out = StringIO()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        with pytest.raises(CommandError, match="remain in"):
            call_command("rotate_keys", check=True, stdout=StringIO())
        call_command("rotate_keys", batch_size=2, stdout=out)  # several batches on every column
    output = out.getvalue()
    count = sum(1 for (label, _), value in before.items() if label == "core.user.phone" and value)
    assert f"core.user.phone: {count} re-encrypted, 0 skipped\n" in output
    assert f"Key {NEW_ID!r}: {sum(1 for v in before.values() if v)} values re-encrypted" in output
    assert "Every encrypted value is under key 'k3'." in output
    assert "rotate-keys to key 'k3'" in caplog.text
    assert "1390000" not in output + caplog.text and "19880808" not in output + caplog.text  # counts only

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        assert plaintexts() == before  # the old key is gone: every row still decrypts, to the same text
        call_command("rotate_keys", check=True, stdout=StringIO())
        for c in rotate_keys.encrypted_columns():
            for value in raw_values(c).values():
                assert not value.startswith(f"v1:{OLD_ID}:")
                assert value == "" or value.startswith(f"v1:{NEW_ID}:")
    assert hashes() == hashes_before  # the lookup hashes have their own key
    assert LogEntry.objects.count() == audit_before  # no audit entry per row


def test_a_value_changed_between_read_and_write_is_not_overwritten(cast: Cast) -> None:
    pickup = column("gate.pickupperson.id_number")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        mother, other = PickupPerson.objects.order_by("pk")[:2]
        stale = raw_values(pickup)
        assert stale[mother.pk].startswith(f"v1:{OLD_ID}:")
        mother.id_number = resident_id(date(1991, 1, 1))  # the application writes, after our read
        mother.save()

        tally = rotate_keys.rotate_rows(pickup, [(mother.pk, stale[mother.pk]), (other.pk, stale[other.pk])],
                                        "default")

        assert (tally.reencrypted, tally.skipped, tally.failed) == (1, 1, {})
        assert PickupPerson.objects.get(pk=mother.pk).id_number == resident_id(date(1991, 1, 1))
        assert PickupPerson.objects.get(pk=other.pk).id_number == other.id_number
        assert raw_values(pickup)[other.pk].startswith(f"v1:{NEW_ID}:")


def test_a_row_rewritten_under_the_old_key_meanwhile_is_picked_up_by_a_second_pass(cast: Cast) -> None:
    """A process not yet restarted with the new key writes a row between the command's read and write:
    the write is skipped, and the next pass re-encrypts the newer value."""
    visit = Visit.objects.order_by("pk").first()
    assert visit is not None
    real = rotate_keys.rotate_rows
    interfered: list[bool] = []

    def interleaved(col: rotate_keys.Column, rows: list[tuple[Any, str]], using: str) -> rotate_keys.Tally:
        if rotate_keys.label(col) == "gate.visit.id_number" and not interfered:
            interfered.append(True)
            with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
                Visit.objects.filter(pk=visit.pk).update(id_number=resident_id(date(1972, 2, 2)))
        return real(col, rows, using)

    out = StringIO()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]), \
            mock.patch.object(rotate_keys, "rotate_rows", interleaved):
        call_command("rotate_keys", stdout=out)
    count = Visit.objects.count()
    assert f"gate.visit.id_number: {count} re-encrypted, 1 skipped (2 passes)\n" in out.getvalue()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        assert Visit.objects.get(pk=visit.pk).id_number == resident_id(date(1972, 2, 2))
        call_command("rotate_keys", check=True, stdout=StringIO())


def test_an_undecryptable_value_is_named_and_the_others_are_rotated(cast: Cast) -> None:
    guard = Guard.objects.order_by("pk").first()
    visit, copied = Visit.objects.order_by("pk")[:2]
    assert guard is not None
    with override_settings(FIELD_ENCRYPTION_KEYS=[STRAY]):
        Guard.objects.filter(pk=guard.pk).update(phone="13900005555")  # under a key nobody configured
    guard_raw = raw_values(column("force.guard.phone"))[guard.pk]
    # A ciphertext copied from another column does not decrypt there (its associated data differs).
    qn = connection.ops.quote_name
    phone, id_number, pk = (db_column(Visit, name) for name in ("phone", "id_number", "pk"))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {qn(Visit._meta.db_table)} SET {qn(phone)} = {qn(id_number)} "  # noqa: S608
                       f"WHERE {qn(pk)} = %s", [copied.pk])

    out, err = StringIO(), StringIO()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        with pytest.raises(CommandError, match="2 values do not decrypt") as excinfo:
            call_command("rotate_keys", stdout=out, stderr=err)
        assert excinfo.value.returncode == 1  # the process exits with status 1
        assert f"undecryptable: force.guard.phone pk={guard.pk}: key 'k9' is not configured" in err.getvalue()
        assert f"undecryptable: gate.visit.phone pk={copied.pk}: value does not decrypt under key" in err.getvalue()
        assert "force.guard.phone: 0 re-encrypted, 0 skipped, 1 undecryptable" in out.getvalue()
        assert Visit.objects.get(pk=visit.pk).id_number  # the rest was rotated
        with pytest.raises(CommandError, match="remain in") as excinfo:
            call_command("rotate_keys", check=True, stdout=StringIO())
        assert "force.guard.phone (1)" in str(excinfo.value) and "gate.visit.phone (1)" in str(excinfo.value)
    assert raw_values(column("force.guard.phone"))[guard.pk] == guard_raw  # left as it was
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):  # everything else decrypts under the new key alone
        assert ("gate.visit.phone", visit.pk) in plaintexts(
            but=frozenset({("force.guard.phone", guard.pk), ("gate.visit.phone", copied.pk)}))

