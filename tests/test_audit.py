"""F-AUDIT: retention, reads of sensitive records, the jobs that keep it."""

from __future__ import annotations

from datetime import timedelta

from auditlog.models import LogEntry
from django.core.management import get_commands
from django.utils import timezone

from huxiao.core import audit
from huxiao.core.tasks import purge_audit_log
from tests.factories import Cast


def test_retention_keeps_six_months_and_drops_older(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_RETENTION_DAYS = 180
    entries = list(LogEntry.objects.order_by("pk")[:2])
    LogEntry.objects.filter(pk=entries[0].pk).update(timestamp=timezone.now() - timedelta(days=181))
    LogEntry.objects.filter(pk=entries[1].pk).update(timestamp=timezone.now() - timedelta(days=179))
    total = LogEntry.objects.count()
    assert purge_audit_log.call_local() == 1
    assert LogEntry.objects.count() == total - 1
    assert LogEntry.objects.filter(pk=entries[1].pk).exists()


def test_reading_a_sensitive_record_is_logged(cast: Cast) -> None:
    guard = cast.users["guard"]
    audit.audit_read(guard)
    entry = LogEntry.objects.get_for_object(guard).filter(action=LogEntry.Action.ACCESS).get()
    assert entry.additional_data == {"subdistrict": cast.sd.pk}


def test_every_huxiao_model_is_audited() -> None:
    from auditlog.registry import auditlog
    from django.apps import apps

    models = [m for m in apps.get_models() if m.__module__.startswith("huxiao.")
              and not getattr(m, "audit_exclude", False)]
    assert models and all(auditlog.contains(m) for m in models)


def test_cli_commands_exist() -> None:
    commands = get_commands()
    for name in ("demo", "serve", "createuser", "worker", "migrate"):
        assert name in commands


def test_createuser_command(cast: Cast, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest
    from django.core.management import CommandError, call_command

    from huxiao.core.models import User

    monkeypatch.setenv("NEW_PW", "Quiet-Harbour-2026")
    call_command("createuser", "ka-guard-2", role="guard", org="KA", password_env="NEW_PW")
    user = User.objects.get(username="ka-guard-2")
    assert user.organisation_id == cast.unit_a.pk and user.check_password("Quiet-Harbour-2026")
    monkeypatch.setenv("WEAK_PW", "password")
    with pytest.raises(CommandError):
        call_command("createuser", "weak", role="guard", org="KA", password_env="WEAK_PW")
    with pytest.raises(CommandError):  # a guard belongs to a unit, not a community
        call_command("createuser", "misplaced", role="guard", org="C-A1", password_env="NEW_PW")
    assert not User.objects.filter(username__in=["weak", "misplaced"]).exists()


def test_a_creation_is_logged_as_django_auditlog_logs_it(cast: Cast) -> None:
    """``core.audit.log_create`` writes creations with one compiled INSERT (issue #4): the entry must be the
    one auditlog's own receiver writes — diff with masks, representation, ids, sub-district, actor,
    address — and the personal data masked."""
    from datetime import date

    from auditlog.context import auditlog_value
    from auditlog.receivers import log_create as auditlog_log_create
    from django.db import transaction

    from huxiao.gate.models import Child, PickupPerson, SchoolClass, new_credential

    guard = cast.users["guard"]
    child = Child.objects.create(unit=cast.unit_a, school_class=SchoolClass.objects.create(unit=cast.unit_a,
                                                                                          name="大二班"), name="小明")
    context = auditlog_value.set({"actor": guard, "remote_addr": "10.0.0.9", "remote_port": None,
                                  "signal_duid": "huxiao"})
    try:
        person = PickupPerson.objects.create(child=child, unit_id=child.unit_id, name="赵敏", relation="母亲",
                                             id_number="110101199003071234", birth_date=date(1990, 3, 7),
                                             phone="13800001111", credential=new_credential(),
                                             credential_issued_at=timezone.now())
        ours = LogEntry.objects.get_for_object(person).get()
        with transaction.atomic():
            auditlog_log_create(sender=PickupPerson, instance=person, created=True)
            theirs = LogEntry.objects.get_for_object(person).exclude(pk=ours.pk).get()
            transaction.set_rollback(True)
    finally:
        auditlog_value.reset(context)
    fields = ("content_type_id", "object_pk", "object_id", "object_repr", "serialized_data", "action",
              "changes_text", "changes", "actor_id", "actor_email", "remote_addr", "remote_port", "cid",
              "additional_data")
    assert {f: getattr(ours, f) for f in fields} == {f: getattr(theirs, f) for f in fields}
    assert ours.actor_id == guard.pk and ours.remote_addr == "10.0.0.9"
    assert ours.additional_data == {"subdistrict": cast.sd.pk}
    assert ours.changes["id_number"] == ["", audit.REDACTED] and "110101199003071234" not in str(ours.changes)
    assert abs((ours.timestamp - timezone.now()).total_seconds()) < 60


def test_no_creation_is_logged_while_auditlog_is_disabled(cast: Cast) -> None:
    from auditlog.context import disable_auditlog

    from huxiao.gate.models import SchoolClass

    with disable_auditlog():
        klass = SchoolClass.objects.create(unit=cast.unit_a, name="小三班")
    assert not LogEntry.objects.get_for_object(klass).exists()


def test_the_worker_logs_each_line_once() -> None:
    """huey's worker adds a handler of its own to the ``huey`` logger unless it has one: the settings give it
    ours, not propagated, so no line is written twice."""
    import logging

    from django.conf import settings

    assert settings.LOGGING["loggers"]["huey"]["handlers"] == ["console"]
    assert logging.getLogger("huey").handlers and not logging.getLogger("huey").propagate
