"""Demo inspections and hazards (F-PREV-1/2): every unit inspects its canteen, fire safety and stairways (and
dormitories where it boards) on a schedule, and has a few hazards in every state of the loop. K07's fire
inspection is three weeks overdue and K05 has a hazard past its deadline; both already fail another rule
(demo/force.py), so the failing lists stay as they are."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from huxiao.core.models import Unit, User
from huxiao.hazards.models import Hazard, HazardEvent
from huxiao.inspections.models import Inspection, Result, Schedule, Template

BREAKS = {"K07": "inspections.due", "K05": "hazards.overdue"}
TZ = ZoneInfo("Asia/Shanghai")
EVERY = {"canteen": 30, "fire": 30, "stairway": 60, "dormitory": 14}
HAZARDS = [  # title, where, priority, state, days ago reported
    ("灭火器压力不足", "教学楼二楼走廊", "high", "closed", 40),
    ("楼梯扶手松动", "教学楼东侧楼梯", "medium", "rectified", 6),
    ("围墙顶部防攀爬刺网缺损", "北侧围墙", "low", "assigned", 3),
]


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def seed_prevention(unit: Unit, *, today: date) -> None:
    if Schedule.objects.filter(unit=unit).exists():
        return
    breaks = BREAKS.get(unit.code, "")
    admin = User.objects.filter(username=f"{unit.code}-admin").first()
    templates = {t.area: t for t in
                 Template.objects.filter(subdistrict_id=unit.subdistrict_id).prefetch_related("items")}
    for area, every in EVERY.items():
        if (area == "dormitory" and not unit.boarding) or area not in templates:
            continue
        template = templates[area]
        last = today - timedelta(days=every + 21 if breaks == "inspections.due" and area == "fire" else every // 3)
        Schedule.objects.create(unit=unit, template=template, every_days=every, next_due=last + timedelta(days=every))
        inspection = Inspection.objects.create(unit=unit, template=template, date=last, inspector=admin,
                                               notes="例行检查")
        Result.objects.bulk_create([Result(inspection=inspection, item=item, text=item.text, result="pass")
                                    for item in template.items.all() if item.active])
    for title, where, priority, state, ago in HAZARDS:
        reported = today - timedelta(days=ago)
        days = {"high": 3, "medium": 15, "low": 30}[priority]
        deadline = reported + timedelta(days=days)
        if breaks == "hazards.overdue" and state == "assigned":
            deadline = today - timedelta(days=4)
        hazard = Hazard.objects.create(
            unit=unit, title=title, location=where, priority=priority, source="inspection" if ago > 30 else "report",
            status=state, reported_by=admin, reported_at=_at(reported), responsible="后勤主任", deadline=deadline,
            assigned_at=_at(reported, 10), rectification="已更换并复查" if state in {"rectified", "closed"} else "",
            rectified_at=_at(reported + timedelta(days=2), 15) if state in {"rectified", "closed"} else None,
            closed_at=_at(reported + timedelta(days=4), 11) if state == "closed" else None)
        steps = [("report", "", "reported", 0), ("assign", "reported", "assigned", 0)]
        if state in {"rectified", "closed"}:
            steps.append(("rectify", "assigned", "rectified", 2))
        if state == "closed":
            steps.append(("close", "rectified", "closed", 4))
        HazardEvent.objects.bulk_create([
            HazardEvent(hazard=hazard, action=action, from_status=before, to_status=after,
                        actor=admin if action != "close" else None, at=_at(reported + timedelta(days=d), 9 + i),
                        note={"assign": "后勤主任负责", "rectify": "已更换并复查", "close": "教委办现场核查合格"}.get(
                            action, ""))
            for i, (action, before, after, d) in enumerate(steps)])
