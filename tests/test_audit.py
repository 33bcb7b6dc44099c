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


def test_a_creation_is_logged_by_auditlog_with_its_actor_address_and_masks(cast: Cast) -> None:
    """auditlog's own receiver writes a creation's entry; Huxiao's request context gives it the actor and
    address, and the personal data is masked."""
    from datetime import date

    from auditlog.context import auditlog_value

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
    finally:
        auditlog_value.reset(context)
    entry = LogEntry.objects.get_for_object(person).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor_id == guard.pk and entry.remote_addr == "10.0.0.9"
    assert entry.additional_data == {"subdistrict": cast.unit_a.subdistrict_id}
    assert entry.changes_dict["name"] == ["None", "赵敏"]
    assert "110101199003071234" not in str(entry.changes) + str(entry.serialized_data or "")


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


# --- The audit viewer, as a sub-district admin reads it ------------------------------------------------

def _a_day_of_changes(cast: Cast) -> dict[str, object]:
    """Unit A changes kind, police station and boarding; a guard with an ID number and a phone is added;
    a shift from 07:00 to 19:00 Beijing time is put on the rota."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from huxiao.core import services
    from huxiao.force.models import Guard
    from huxiao.gate.models import Shift

    services.unit_update(actor=cast.users["admin"], unit=cast.unit_a, kind="primary", police_station=cast.ps2,
                         boarding=True)
    Guard.objects.create(unit=cast.unit_a, name="王建国", id_number="330106197001011234", phone="13912345678",
                         birth_date=datetime(1970, 1, 1).date())
    shanghai = ZoneInfo("Asia/Shanghai")
    Shift.objects.create(unit=cast.unit_a, guard=cast.users["guard"],
                         start=datetime(2026, 12, 1, 7, 0, tzinfo=shanghai),
                         end=datetime(2026, 12, 1, 19, 0, tzinfo=shanghai))
    return {"id_number": "330106197001011234", "phone": "13912345678"}


def test_the_audit_viewer_reads_in_the_admins_words(cast: Cast) -> None:
    """Field names as the model names them (in the page's language), related objects by name, choices by
    label, yes/no, times on Beijing's clock; ID numbers and phones stay hidden."""
    from django.test import Client

    secrets = _a_day_of_changes(cast)
    client = Client()
    client.force_login(cast.users["admin"])
    page = client.get("/audit/").content.decode()
    assert "派出所</span>: 甲派出所 → 乙派出所" in page  # not "police_station: 4 → 5"
    assert "类别</span>: 幼儿园 → 小学" in page and "寄宿</span>: 否 → 是" in page
    assert "门卫</span>: ∅ → " + str(cast.users["guard"]) in page
    assert "起</span>: ∅ → 2026-12-01 07:00:00" in page and "2026-11-30 23:00" not in page  # stored in UTC
    assert "身份证号码</span>: ∅ → 已隐藏" in page and "电话</span>: ∅ → 已隐藏" in page
    assert secrets["id_number"] not in page and secrets["phone"] not in page and "[redacted]" not in page
    assert "police_station" not in page.replace('title="police_station"', "")  # the raw name only as a tooltip

    client.post("/i18n/setlang/", {"language": "en", "next": "/audit/"})
    page = client.get("/audit/").content.decode()
    assert "Police station</span>: 甲派出所 → 乙派出所" in page
    assert "Kind</span>: Kindergarten → Primary school" in page and "Boarding</span>: No → Yes" in page
    assert "ID number</span>: ∅ → hidden" in page and secrets["id_number"] not in page


def test_the_audit_api_keeps_the_raw_changes_and_adds_the_readable_ones(cast: Cast) -> None:
    from tests.conftest import api_as

    secrets = _a_day_of_changes(cast)
    client = api_as(cast.users["admin"])
    entries = client.get("/api/v1/audit/?model=unit", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    change = next(e for e in entries if "police_station" in (e["changes"] or {}))
    assert change["changes"]["police_station"] == [str(cast.ps.pk), str(cast.ps2.pk)]  # as it always was
    readable = {c["field"]: c for c in change["changes_display"]}
    assert readable["police_station"] == {"field": "police_station", "label": "Police station",
                                          "old": "甲派出所", "new": "乙派出所"}
    assert readable["kind"]["new"] == "Primary school" and readable["boarding"]["new"] == "Yes"
    zh = client.get("/api/v1/audit/?model=unit", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"]
    assert {c["field"]: c for c in next(e for e in zh if e["id"] == change["id"])["changes_display"]}[
        "police_station"]["label"] == "派出所"
    guard = client.get("/api/v1/audit/?model=guard").json()["results"][0]
    assert guard["changes"]["id_number"] == ["", "[redacted]"]
    assert {c["field"]: c["new"] for c in guard["changes_display"]}["id_number"] == "已隐藏"
    assert secrets["id_number"] not in str(guard) and secrets["phone"] not in str(guard)


def test_the_audit_viewer_query_count_does_not_grow_with_entries(
        cast: Cast, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    """The names of related objects are fetched for the whole page: one query per related model."""
    from datetime import timedelta

    from django.test import Client

    from huxiao.core import services
    from huxiao.gate.models import Shift
    from tests.conftest import api_as
    from tests.factories import UnitFactory

    page, api = Client(), api_as(cast.users["admin"])
    page.force_login(cast.users["admin"])

    def add(n: int) -> None:
        start = timezone.now()
        for i in range(n):
            unit = UnitFactory(parent=cast.c1, subdistrict=cast.sd, police_station=cast.ps)
            services.unit_update(actor=cast.users["admin"], unit=unit, police_station=cast.ps2, parent=cast.c2)
            Shift.objects.create(unit=unit, guard=cast.users["guard"], start=start + timedelta(hours=i),
                                 end=start + timedelta(hours=i + 8))

    # (session, user and organisation for the page) the count, the page, then one query per related model:
    # units point at organisations only; shifts at units and users.
    budgets = {"/audit/?model=unit": 6, "/audit/?model=shift": 7, "/api/v1/audit/?model=unit": 3,
               "/api/v1/audit/?model=shift": 4}
    for n in (2, 15):
        add(n)
        for url, budget in budgets.items():
            with django_assert_max_num_queries(budget):
                response = (api if url.startswith("/api/") else page).get(url)
            assert "乙派出所" in response.content.decode() or "model=shift" in url
