"""F-DEMO: the demo's security force (F-FORCE-1…7) and compliance history.

Most units pass every rule; a few break one on purpose, so the compliance matrix has something to show
(API.md: "at least one unit that breaks each rule"):

    K03  guards.age          a guard born 1968-03-02 (58 on 2026-11-29)
    K02  guards.age (warn)   a guard passes 55 within the warning period
    K05  guards.count        one active guard, two required
    K07  guards.equipment    no helmet, no shield
    K09  police_room.set_up  no campus police room
    K10  police.visibility   police at about a third of the windows
    S02  police.assigned     the duty officer's assignment ended three weeks ago
    S04  lvp.assigned        no legal vice-principal (so its lectures are behind too)
    S06  lvp.lectures        one class-hour this year
    S08  guards.certificate  a guard without a security-guard certificate
    K04  patrol.rounds       three patrol rounds yesterday, one of them skipping a checkpoint (demo/gate.py)

Idempotent: each part of a unit's force (officers, legal vice-principal, guards, equipment, police room,
staff team, gate point) is seeded only where the unit has none, so a part someone deleted by hand comes back
and the rest is left as it is; check-ins are topped up to today.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.utils import timezone

from huxiao.compliance.registry import PARAMS
from huxiao.core.models import Organisation, Unit, User
from huxiao.core.validators import resident_id_check_digit
from huxiao.demo import data
from huxiao.force.models import (
    CheckIn,
    CheckInPoint,
    Equipment,
    EscortDuty,
    Guard,
    Lecture,
    LegalVicePrincipal,
    PatrolAssignment,
    PatrolTeam,
    PointKind,
    PoliceAssignment,
    PoliceRoom,
    StaffMember,
)
from huxiao.force.rules import REQUIRED_KINDS, required_guards

OFFICERS = [("陈立军", "041203", "13805710321"), ("李文斌", "041217", "13805710417"),
            ("王海峰", "041225", "13805710552"), ("赵明", "041238", "13805710689")]
LVPS = [("周律师", "浙江文澜律师事务所"), ("孙法官", "西湖区人民法院"), ("钱检察官", "西湖区人民检察院"),
        ("陈立军", "文澜派出所"), ("李文斌", "文澜派出所")]
STAFF_POSITIONS = ["安全主任", "体育教师", "后勤主任", "班主任"]
TOPICS = ["daily_safety", "traffic", "self_protection", "daily_safety", "other"]
HISTORY_DAYS = 56
# Units whose officer misses the odd window (a warning, not a failure).
SOMETIMES_LATE = {"K06", "S03"}  # eight weeks of check-ins: the visibility chart's span

BREAKS = {
    "K03": "guards.age", "K02": "guards.age.warn", "K05": "guards.count", "K07": "guards.equipment",
    "K09": "police_room.set_up", "K10": "police.visibility", "S02": "police.assigned", "S04": "lvp.assigned",
    "S06": "lvp.lectures", "S08": "guards.certificate", "K04": "patrol.rounds",
}


def resident_id(born: date, seq: int = 123, *, woman: bool | None = None) -> str:
    """A valid GB 11643 number (region 330106, 西湖区) for someone born on ``born``; its 17th digit odd for
    a man and even for a woman, as the standard has it, when ``woman`` is given."""
    seq %= 1000
    if woman is not None and seq % 2 != (0 if woman else 1):
        seq = seq + 1 if seq < 999 else seq - 1
    first17 = f"330106{born:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_digit(first17)


def minimum_guards(unit: Unit) -> int:
    """The rule's own minimum, with the default parameters."""
    return required_guards(unit.kind, unit.pupils, lambda key: PARAMS[key].default)


def seed_unit(unit: Unit, index: int, *, root: Organisation, today: date) -> None:
    """The parts of the unit's force it does not have yet. Each part is checked on its own: a unique
    constraint (one current officer, one police room, one item of each kind) must not meet a second copy."""
    rng = random.Random(f"force-{unit.code}")
    breaks = BREAKS.get(unit.code, "")
    # F-FORCE-1: a duty officer with history (a predecessor until last spring).
    officer = OFFICERS[index % len(OFFICERS)]
    previous = OFFICERS[(index + 1) % len(OFFICERS)]
    if not PoliceAssignment.objects.filter(unit=unit).exists():
        PoliceAssignment.objects.create(unit=unit, officer_name=previous[0], badge_no=previous[1], phone=previous[2],
                                        station=unit.police_station, start_date=date(today.year - 2, 9, 1),
                                        end_date=date(today.year, 3, 31))
        PoliceAssignment.objects.create(unit=unit, officer_name=officer[0], badge_no=officer[1], phone=officer[2],
                                        station=unit.police_station, start_date=date(today.year, 4, 1),
                                        end_date=today - timedelta(days=21) if breaks == "police.assigned" else None)
    # F-FORCE-3: a legal vice-principal and this year's lectures.
    if breaks != "lvp.assigned" and not LegalVicePrincipal.objects.filter(unit=unit).exists():
        name, employer = LVPS[index % len(LVPS)]
        lvp = LegalVicePrincipal.objects.create(unit=unit, name=name, employer=employer,
                                                start_date=date(today.year - 1, 9, 1))
        hours = [1] if breaks == "lvp.lectures" else [1, 1, 1, 1, 2][: 4 + index % 2]
        for i, h in enumerate(hours):
            day = max(date(today.year, 1, 1), today - timedelta(days=20 + 45 * i))
            grade = "大班" if unit.kind == "kindergarten" else f"{1 + (index + i) % 6}年级"
            Lecture.objects.create(unit=unit, lecturer=lvp, date=day, class_name=f"{grade}{1 + i % 3}班",
                                   topic=TOPICS[i % len(TOPICS)], class_hours=h, audience=rng.randint(30, 45))
    # F-FORCE-4: guards, with real-format resident IDs.
    n = 1 if breaks == "guards.count" else minimum_guards(unit) + (index % 2)
    account = User.objects.filter(username=f"{unit.code}-guard").first()
    for i in range(0 if Guard.objects.filter(unit=unit).exists() else n):
        name = (account.full_name if i == 0 and account and account.full_name
                else data.GUARD_NAMES[(index * 3 + i + 7) % len(data.GUARD_NAMES)])
        born = date(1975 + rng.randint(0, 20), rng.randint(1, 12), rng.randint(1, 28))
        if breaks == "guards.age" and i == n - 1:
            name, born = "王秀英", date(1968, 3, 2)
        if breaks == "guards.age.warn" and i == n - 1:
            soon = today + timedelta(days=40)
            born = date(soon.year - 56, soon.month, min(soon.day, 28))
        certificate = "" if breaks == "guards.certificate" and i == 0 else f"浙保证{2015 + i}{index:02d}{i:03d}"
        woman = name in data.GUARD_NAMES[40:]
        Guard.objects.create(unit=unit, name=name, id_number=resident_id(born, 100 + index * 10 + i, woman=woman),
                             birth_date=born, phone=f"1390571{index:02d}{i:02d}", certificate_no=certificate,
                             employer="杭州文澜保安服务有限公司", hire_date=date(2018 + i % 6, 3, 1))
    # Equipment: the six required kinds, two of each; K07 lacks two.
    if not Equipment.objects.filter(unit=unit).exists():
        for kind in REQUIRED_KINDS:
            if breaks == "guards.equipment" and kind in {"helmet", "shield"}:
                continue
            Equipment.objects.create(unit=unit, kind=kind, quantity=2 + (kind == "baton"))
    # F-FORCE-7
    if breaks != "police_room.set_up" and not PoliceRoom.objects.filter(unit=unit).exists():
        PoliceRoom.objects.create(unit=unit, set_up=True, location="guard_room" if index % 2 else "duty_room",
                                  set_up_on=date(today.year - 1, 3, 1), officer=unit.police_assignments.filter(
                                      end_date__isnull=True).first())
    # F-FORCE-5: the staff team and its escort rota.
    if not StaffMember.objects.filter(unit=unit).exists():
        windows = list(unit.timetable_windows.filter(kind__in=["arrival", "dismissal"]))
        for i, position in enumerate(STAFF_POSITIONS[:3]):
            member = StaffMember.objects.create(unit=unit, name=f"{data.SURNAMES[(index + i * 7) % 40]}老师",
                                                position=position, phone=f"1370571{index:02d}{i:02d}")
            for window in windows[i::3] or windows[:1]:
                EscortDuty.objects.create(unit=unit, member=member, window=window)
    if not CheckInPoint.objects.filter(unit=unit, kind=PointKind.GATE).exists():
        CheckInPoint.objects.create(subdistrict=root, unit=unit, kind=PointKind.GATE, name="正门")


def seed_patrols(root: Organisation, communities: dict[str, Organisation], units: list[Unit]) -> None:
    """F-FORCE-6: a 夕阳红 team per community, at its (demo) kindergartens' dismissal gates."""
    for community in communities.values():
        team, created = PatrolTeam.objects.get_or_create(community=community, name=f"{community.name}夕阳红巡逻队",
                                                         defaults={"leader": "刘大爷", "members": 8})
        if not created:
            continue
        for unit in (u for u in units if u.parent_id == community.pk and u.kind == "kindergarten"):
            window = unit.timetable_windows.filter(kind="dismissal").first()
            if window is not None:
                PatrolAssignment.objects.create(team=team, unit=unit, window=window)
    for name, lat, lng in (("文一路学院路口", 30.2905, 120.1292), ("丰潭路天目山路口", 30.2792, 120.1108)):
        CheckInPoint.objects.get_or_create(subdistrict=root, unit=None, kind=PointKind.ROAD_POST, name=name,
                                           defaults={"lat": lat, "lng": lng})


def top_up_checkins(units: list[Unit], police: User, guards: dict[int, User], *, now: datetime) -> int:
    """Police and guard check-ins at every closed arrival/dismissal window of the last eight weeks that has
    none yet: the police at every window (K06 and S03 miss the odd one, K10 two in three), the guard at
    every one."""
    from huxiao.timetable.selectors import windows_on

    now = timezone.localtime(now)
    today = now.date()
    rows: list[CheckIn] = []
    for unit in units:
        last = CheckIn.objects.filter(unit=unit).order_by("-day").values_list("day", flat=True).first()
        first = max(today - timedelta(days=HISTORY_DAYS - 1), last or date.min)  # duplicates are ignored
        officer = unit.police_assignments.filter(start_date__lte=today).order_by("-start_date").first()
        rate = {"police.visibility": 0.35}.get(BREAKS.get(unit.code, ""), 0.92 if unit.code in SOMETIMES_LATE else 1.0)
        point = unit.checkin_points.first()
        day = first
        while day <= today:
            for window in windows_on(unit, day):
                if window.kind not in {"arrival", "dismissal"}:
                    continue
                if day == today and window.end > now.time():
                    continue
                rng = random.Random(f"{unit.code}-{day}-{window.start}")
                start = timezone.make_aware(datetime.combine(day, window.start))
                assigned = officer and (officer.end_date is None or officer.end_date >= day)
                if officer is not None and assigned and rng.random() < rate:
                    at = start + timedelta(minutes=rng.randint(0, 15))
                    rows.append(CheckIn(unit=unit, point=point, user=police, role="police",
                                        person_name=officer.officer_name, at=at, method="qr", window=window,
                                        window_kind=window.kind, day=day))
                guard = guards.get(unit.pk)
                if guard is not None:
                    rows.append(CheckIn(unit=unit, point=point, user=guard, role="guard", person_name=guard.full_name,
                                        at=start, method="tap", window=window, window_kind=window.kind, day=day))
            day += timedelta(days=1)
    CheckIn.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)
