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
