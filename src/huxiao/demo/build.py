"""F-DEMO: build the demo sub-district (文澜街道, 杭州市西湖区) from ``demo.data``. Idempotent: every
object is found by its code or username first, so running it twice creates nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from huxiao.compliance import engine
from huxiao.compliance.models import Snapshot
from huxiao.core.models import Organisation, OrgType, Role, Unit, User
from huxiao.demo import buses as demo_buses
from huxiao.demo import data
from huxiao.demo import devices as demo_devices
from huxiao.demo import emergency as demo_emergency
from huxiao.demo import force as demo_force
from huxiao.demo import gate as demo_gate
from huxiao.demo import prevention as demo_prevention
from huxiao.demo import risk as demo_risk
from huxiao.demo import surroundings as demo_surroundings
from huxiao.demo.accounts import account
from huxiao.timetable.models import Holiday, TimetableWindow, WindowKind

Progress = Callable[[str, int, int], None]

OFFICE_TYPES: dict[str, tuple[str, str, str]] = {
    "governance": (OrgType.GOVERNANCE_OFFICE, Role.GOVERNANCE, "governance"),
    "education": (OrgType.EDUCATION_OFFICE, Role.EDUCATION, "education"),
    "supervision": (OrgType.SUPERVISION_OFFICE, Role.SUPERVISOR, "supervisor"),
}

KINDERGARTEN_DAY = [
    (WindowKind.ARRIVAL, time(7, 30), time(8, 30), "入园"),
    (WindowKind.CLASS, time(8, 30), time(11, 30), "上午"),
    (WindowKind.CLASS, time(14, 0), time(16, 0), "下午"),
    (WindowKind.DISMISSAL, time(16, 0), time(17, 0), "离园"),
]
SCHOOL_DAY = [
    (WindowKind.ARRIVAL, time(7, 20), time(8, 0), "到校"),
    (WindowKind.CLASS, time(8, 0), time(11, 50), "上午"),
    (WindowKind.DISMISSAL, time(11, 50), time(12, 20), "午间放学"),
    (WindowKind.ARRIVAL, time(13, 10), time(13, 40), "午间到校"),
    (WindowKind.CLASS, time(13, 40), time(16, 30), "下午"),
    (WindowKind.DISMISSAL, time(16, 30), time(17, 30), "放学"),
]
HOLIDAYS = [
    (date(2027, 1, 1), "元旦"),
    *[(date(2027, 2, d), "春节") for d in range(5, 12)],
    (date(2027, 4, 5), "清明节"),
    *[(date(2027, 5, d), "劳动节") for d in range(1, 6)],
]


def _quiet(step: str, done: int, total: int) -> None:
    return None


def _org(code: str, **fields: object) -> Organisation:
    org, _ = Organisation.objects.update_or_create(code=code, defaults=fields)
    return org


def _account(username: str, *, password: str, role: str, org: Organisation, full_name: str) -> User:
    return account(username, password=password, role=role, org=org, full_name=full_name)


def demo_units(root: Organisation) -> list[Unit]:
    """The units the demo owns: those of ``demo.data``, in the demo's sub-district."""
    return list(Unit.objects.filter(subdistrict=root, code__in=[u.code for u in data.UNITS]).order_by("code"))


@transaction.atomic
def build_demo(*, password: str, progress: Progress = _quiet) -> dict[str, int]:
    total = 10 + len(data.UNITS)
    step = 0

    def tick(label: str) -> None:
        nonlocal step
        step += 1
        progress(label, step, total)

    sd = data.SUBDISTRICT
    root = _org(sd.code, type=OrgType.SUBDISTRICT, name=sd.name, name_en=sd.name_en, address=sd.address,
                lat=sd.lat, lng=sd.lng, parent=None)
    if root.subdistrict_id != root.pk:
        root.subdistrict = root
        root.save(update_fields=["subdistrict"])
    tick("sub-district")

    communities = {
        c.code: _org(c.code, type=OrgType.COMMUNITY, name=c.name, name_en=c.name_en, lat=c.lat, lng=c.lng,
                     boundary=[list(p) for p in c.boundary], parent=root, subdistrict=root)
        for c in data.COMMUNITIES
    }
    tick("communities")
    ps = data.POLICE_STATION
    station = _org(ps.code, type=OrgType.POLICE_STATION, name=ps.name, name_en=ps.name_en, address=ps.address,
                   lat=ps.lat, lng=ps.lng, phone=ps.phone, parent=root, subdistrict=root)
    offices: dict[str, Organisation] = {
        o.kind: _org(o.code, type=OFFICE_TYPES[o.kind][0], name=o.name, name_en=o.name_en, parent=root,
                     subdistrict=root)
        for o in data.OFFICES
    }
    tick("police station and offices")

    _account("admin", password=password, role=Role.SUBDISTRICT_ADMIN, org=root, full_name="街道管理员")
    for kind, (_type, role, username) in OFFICE_TYPES.items():
        _account(username, password=password, role=role, org=offices[kind], full_name=offices[kind].name)
    _account("police", password=password, role=Role.POLICE, org=station, full_name="陈警官")
    tick("accounts")

    for i, u in enumerate(data.UNITS):
        unit = Unit.objects.filter(code=u.code).first() or Unit(code=u.code, type=OrgType.UNIT)
        for name, value in dict(  # noqa: C408  (reads as the field list)
            name=u.name, name_en=u.name_en, kind=u.kind, pupils=u.pupils, boarding=u.boarding,
            address=u.address, lat=u.lat, lng=u.lng, principal=u.principal, phone=u.phone,
            parent=communities[u.community], subdistrict=root, police_station=station,
        ).items():
            setattr(unit, name, value)
        unit.save()
        if not unit.timetable_windows.exists():
            day = KINDERGARTEN_DAY if u.kind == "kindergarten" else SCHOOL_DAY
            for kind, start, end, label in day:
                TimetableWindow.objects.create(unit=unit, kind=kind, weekdays="12345", start=start, end=end,
                                               label=label)
            for day_, name in HOLIDAYS:
                Holiday.objects.get_or_create(unit=unit, date=day_, defaults={"name": name})
        _account(f"{u.code}-admin", password=password, role=Role.UNIT_ADMIN, org=unit, full_name=u.principal)
        _account(f"{u.code}-guard", password=password, role=Role.GUARD, org=unit,
                 full_name=data.GUARD_NAMES[i % len(data.GUARD_NAMES)])
        tick(f"unit {u.code}")

    # F-FORCE: the security force of every unit, patrols, eight weeks of gate check-ins. Only the demo's own
    # units: one a user added by hand (through the pages or the API) keeps exactly what they gave it.
    today = timezone.localdate()
    units = demo_units(root)
    for index, unit in enumerate(units):
        demo_force.seed_unit(unit, index, root=root, today=today)
    demo_force.seed_patrols(root, communities, units)
    demo_surroundings.seed_surroundings(root, units, today=today)
    for unit in units:
        demo_devices.seed_devices(unit, today=today)
        demo_emergency.seed_emergency(unit, today=today)
        demo_prevention.seed_prevention(unit, today=today)
        demo_buses.seed_buses(unit, today=today, password=password)
    tick("security force")
    for index, unit in enumerate(units):
        teacher = demo_gate.teacher_account(unit, password=password, index=index)
        demo_gate.seed_unit(unit, index, teacher=teacher, today=today)
        demo_gate.seed_duty(unit, guard=User.objects.filter(username=f"{unit.code}-guard").first(), today=today)
    tick("classes, children, pick-up persons")
    police = User.objects.get(username="police")
    guards = {u.organisation_id: u for u in User.objects.filter(role=Role.GUARD, organisation__subdistrict=root)}
    demo_force.top_up_checkins(units, police, guards, now=timezone.now())
    demo_risk.seed_risk(units, police=police, today=today)
    tick("gate check-ins")
    # F-COMP: today's verdicts, and thirty days of history for the trend (evaluated as of each day).
    engine.refresh(Unit.objects.filter(subdistrict=root))
    tick("compliance")
    known = set(Snapshot.objects.filter(subdistrict=root, rule="*").values_list("day", flat=True))
    for back in range(29, 0, -1):
        past = today - timedelta(days=back)
        if past not in known:
            engine.snapshot_take(past, recompute=True)
    engine.snapshot_take(today)
    tick("compliance history")
    tick("done")
    return demo_counts()


def demo_counts() -> dict[str, int]:
    """The demo sub-district's units and accounts, as the database holds them (zero before a build)."""
    root = Organisation.objects.filter(code=data.SUBDISTRICT.code, type=OrgType.SUBDISTRICT).first()
    if root is None:
        return {"units": 0, "users": 0}
    return {
        "units": Unit.objects.filter(subdistrict=root).count(),
        "users": User.objects.filter(organisation__subdistrict=root).count(),
    }
