"""Issue #12: devices and the timetable moved apps (``devices``, ``timetable``) by state alone, losing no
data: a database at the migrations before the move, with rows in it and their audit history, is migrated
forward; the same rows are read through the new models, and the audit entries still point at them."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

BEFORE = [("alarms", "0003_incidents"), ("gate", "0007_release_early"), ("force", "0002_phone_validators")]


@pytest.mark.django_db(transaction=True)
def test_moving_devices_and_the_timetable_keeps_their_rows_permissions_and_audit_history() -> None:
    from auditlog.models import LogEntry
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from huxiao.devices.models import Device
    from huxiao.timetable.models import TimetableWindow
    from tests.factories import UnitFactory

    unit = UnitFactory()
    try:
        call_command("migrate", "devices", "zero", verbosity=0)
        call_command("migrate", "timetable", "zero", verbosity=0)
        for app, name in BEFORE:
            call_command("migrate", app, name, verbosity=0)
        applied = {(m.app, m.name) for m in MigrationRecorder.Migration.objects.all()}
        assert ("devices", "0001_initial") not in applied and ("timetable", "0001_initial") not in applied

        # Rows as the old code wrote them: in the old apps' tables, under the old content types.
        old_device = ContentType.objects.get_or_create(app_label="alarms", model="device")[0]
        old_window = ContentType.objects.get_or_create(app_label="gate", model="timetablewindow")[0]
        ContentType.objects.filter(app_label__in=["devices", "timetable"]).delete()
        Permission.objects.get_or_create(content_type=old_device, codename="change_device",
                                         defaults={"name": "Can change device"})
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO alarms_device (unit_id, kind, location, label, installed_on, status, heartbeat_seconds,"
                " token_prefix) VALUES (%s, 'camera', 'gate', 'east gate', %s, 'working', 300, '')",
                [unit.pk, "2026-03-01"])
            cursor.execute(
                "INSERT INTO gate_timetablewindow (unit_id, kind, weekdays, start, \"end\", label)"
                " VALUES (%s, 'dismissal', '12345', %s, %s, 'afternoon')", [unit.pk, "16:00:00", "16:30:00"])
            cursor.execute("SELECT id FROM alarms_device WHERE label = 'east gate'")
            device_id = cursor.fetchone()[0]
            cursor.execute("SELECT id FROM gate_timetablewindow WHERE label = 'afternoon'")
            window_id = cursor.fetchone()[0]
        for content_type, pk in ((old_device, device_id), (old_window, window_id)):
            LogEntry.objects.create(content_type=content_type, object_pk=str(pk), object_id=pk, object_repr="x",
                                    action=LogEntry.Action.CREATE, changes="{}")
    finally:
        call_command("migrate", verbosity=0)

    device = Device.objects.get(pk=device_id)
    assert (device.label, device.unit_id, device.installed_on) == ("east gate", unit.pk, date(2026, 3, 1))
    window = TimetableWindow.objects.get(pk=window_id)
    assert (window.kind, window.start, window.end) == ("dismissal", time(16), time(16, 30))
    # The content types moved with their models: the permission and the audit trail follow.
    assert ContentType.objects.get_for_model(Device).pk == old_device.pk
    assert ContentType.objects.get_for_model(TimetableWindow).pk == old_window.pk
    assert not ContentType.objects.filter(app_label="alarms", model="device").exists()
    assert Permission.objects.filter(content_type__app_label="devices", codename="change_device").exists()
    assert LogEntry.objects.get_for_object(device).count() == 1
    assert LogEntry.objects.get_for_object(window).count() == 1
