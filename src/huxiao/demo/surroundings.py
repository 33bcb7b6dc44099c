"""Demo surroundings (F-SURR-1/2): every campus has its boundary drawn (a rectangle round its point, larger for
schools), and the streets of 文澜街道 have the venues one finds near schools: internet cafés, a game hall, a KTV,
a video hall, bars and rental houses. Two clean-up campaigns (专项整治) — the governance office's of the autumn
term and the police station's against illegal taxis — have records: the KTV by 文澜小学 was closed, the video
hall by 翠苑中学 relocated. Two traffic reports (黑出租 at a gate, disorder at another) each opened a hazard.

K03 breaks ``premises.restricted``: an internet café operates some 120 m from its boundary (inside the 200 m
of the rule). K03 already fails ``guards.age`` (demo/force.py), so the failing lists stay as they are. The
other venues are either harmless, cleared, or beyond the radius.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from huxiao.core.models import Organisation, OrgType, Unit, User
from huxiao.hazards.models import Hazard, HazardEvent
from huxiao.surroundings import geo
from huxiao.surroundings.models import Campaign, CleanupRecord, Premises, TrafficReport
from huxiao.surroundings.selectors import campuses

BREAKS = {"K03": "premises.restricted"}
TZ = ZoneInfo("Asia/Shanghai")
METRES_PER_DEGREE = 111_320.0
# Half the campus's depth (north-south) and width (east-west), in metres.
CAMPUS = {"kindergarten": (30, 40), "primary": (60, 80)}
LARGE = (75, 100)  # middle, high and nine-year schools
# name, kind, the unit it is near, the bearing to try first (degrees from north), metres from the campus's
# boundary, status, licence, operator.
PREMISES = [
    ("极速网吧", "internet_cafe", "K03", 270, 120, "operating", "网文〔2019〕0318号", "韩立"),
    ("网鱼网咖（文澜店）", "internet_cafe", "S03", 0, 320, "operating", "网文〔2021〕1107号", "杭州网鱼文化"),
    ("星空KTV", "dance_hall", "S01", 180, 90, "closed", "娱经〔2018〕0052号", "钱卫东"),
    ("金币电玩城", "game_hall", "S05", 270, 260, "operating", "娱经〔2020〕0211号", "孙浩"),
    ("光影录像厅", "video_hall", "S02", 45, 110, "relocated", "", "李建"),
    ("老街酒吧", "bar", "S09", 135, 150, "operating", "", "Tom Chen"),
    ("翠苑三区出租屋", "rental_house", "K06", 300, 60, "operating", "", "王阿姨"),
    ("丰潭路出租屋", "rental_house", "K02", 200, 80, "operating", "", "周建新"),
    ("文一路便利店", "other", "S04", 20, 30, "operating", "", "刘芳"),
]
TRAFFIC = [  # unit, kind, place, hours ago, what was seen
    ("S06", "illegal_taxi", "南门外公交站", 20, "放学时段三辆无牌面包车在校门口揽客，接送学生。"),
    ("K08", "gate_disorder", "正门前丰潭路", 44, "接送时段家长车辆占道停放，堵住消防通道。"),
]


def _offset(lat: float, lng: float, bearing: float, metres: float) -> tuple[float, float]:
    rad = math.radians(bearing)
    return (lat + metres * math.cos(rad) / METRES_PER_DEGREE,
            lng + metres * math.sin(rad) / (METRES_PER_DEGREE * math.cos(math.radians(lat))))


def _rectangle(unit: Unit) -> list[list[float]]:
    north, east = CAMPUS.get(unit.kind, LARGE)
    dlat = north / METRES_PER_DEGREE
    dlng = east / (METRES_PER_DEGREE * math.cos(math.radians(unit.lat or 0)))
    lat, lng = unit.lat or 0.0, unit.lng or 0.0
    return [[round(lat + dlat, 6), round(lng - dlng, 6)], [round(lat + dlat, 6), round(lng + dlng, 6)],
            [round(lat - dlat, 6), round(lng + dlng, 6)], [round(lat - dlat, 6), round(lng - dlng, 6)]]


def _place(unit: Unit, around: list[geo.Campus], *, bearing: float, metres: float) -> tuple[float, float]:
    """A point ``metres`` from ``unit``'s boundary, nearer it than any other campus: along ``bearing`` if that
    works, else the next bearing that does (the campuses of the sub-district are some 400 m apart)."""
    assert unit.lat is not None and unit.lng is not None
    own = next(c for c in around if c.id == unit.pk)
    for turn in range(0, 360, 15):
        step = 0.0
        while True:
            step += 5
            lat, lng = _offset(unit.lat, unit.lng, (bearing + turn) % 360, step)
            if (geo.to_campus_m((lat, lng), boundary=own.boundary, point=own.point) or 0) >= metres:
                break
        found = geo.nearest((lat, lng), around)
        if found is not None and found[0] == unit.pk:
            return lat, lng
    raise ValueError(f"no place {metres} m from {unit.code} is nearest it")


def seed_surroundings(root: Organisation, units: list[Unit], *, today: date) -> None:
    """Once per sub-district: a build that finds premises there leaves them as a user has made them."""
    if Premises.objects.filter(subdistrict=root).exists():
        return
    by_code = {u.code: u for u in units}
    for unit in units:
        if unit.lat is not None and unit.lng is not None and not unit.boundary:
            unit.boundary = _rectangle(unit)
            Unit.objects.filter(pk=unit.pk).update(boundary=unit.boundary)
    around = campuses(root.pk)
    governance = Organisation.objects.get(subdistrict=root, type=OrgType.GOVERNANCE_OFFICE)
    station = Organisation.objects.filter(subdistrict=root, type=OrgType.POLICE_STATION).order_by("pk").first()
    officer = User.objects.get(username="police")
    gov_user = User.objects.get(username="governance")
    starts = date(today.year, 9, 1) if today.month >= 9 else date(today.year - 1, 9, 1)
    term = Campaign.objects.create(
        subdistrict=root, title=f"{starts.year}年秋季学期校园周边环境专项整治", lead_office=governance,
        starts_on=starts,
        description="清理校园周边200米内网吧、电子游戏厅、录像厅、歌舞厅；排查出租屋。")
    Campaign.objects.create(
        subdistrict=root, title="开学季校门口黑出租整治", lead_office=station or governance,
        starts_on=term.starts_on, ends_on=term.starts_on + timedelta(days=60),
        description="上下学时段在各校门口蹲点，查处非法营运车辆。")
    for name, kind, code, bearing, metres, status, licence, operator in PREMISES:
        near = by_code.get(code)
        if near is None or near.lat is None or near.lng is None:
            continue
        lat, lng = _place(near, around, bearing=bearing, metres=metres)
        found = geo.nearest((lat, lng), around)
        # Early in the term the records are of the days gone by: none is dated after today.
        checked_on = min(term.starts_on + timedelta(days=10), today)
        cleared_on = None if status == "operating" else min(term.starts_on + timedelta(days=30), today)
        premises = Premises.objects.create(
            subdistrict=root, name=name, kind=kind, lat=round(lat, 6), lng=round(lng, 6),
            address=f"{near.address.split('路')[0]}路附近", licence_no=licence, operator=operator, status=status,
            cleared_on=cleared_on, nearest_unit_id=found[0] if found else None,
            distance_m=found[1] if found else None)
        CleanupRecord.objects.create(premises=premises, campaign=term, date=checked_on,
                                     action="inspected", note="现场检查，登记经营情况。", recorded_by=gov_user)
        if cleared_on is not None:
            CleanupRecord.objects.create(
                premises=premises, campaign=term, date=cleared_on, action=status,
                note="距校园不足200米，责令关停。" if status == "closed" else "已迁至距校园500米外。",
                recorded_by=officer)
    for code, kind, place, hours, seen in TRAFFIC:
        at = by_code.get(code)
        reporter = User.objects.filter(username=f"{code}-guard").first()
        if at is None or reporter is None:
            continue
        observed = datetime.now(TZ) - timedelta(hours=hours)
        report = TrafficReport.objects.create(unit=at, kind=kind, place=place, observed_at=observed,
                                              description=seen, reported_by=reporter)
        title = ("黑出租揽客：" if kind == "illegal_taxi" else "校门口交通秩序混乱：") + place
        priority, days = ("high", 3) if kind == "illegal_taxi" else ("medium", 15)
        hazard = Hazard.objects.create(
            unit=at, title=title, description=seen, priority=priority, source="traffic", location=place,
            source_ref=f"traffic:{report.pk}", status="assigned", reported_by=reporter, reported_at=observed,
            responsible="陈警官" if kind == "illegal_taxi" else "后勤主任",
            deadline=observed.date() + timedelta(days=days), assigned_at=observed + timedelta(hours=2))
        HazardEvent.objects.bulk_create([
            HazardEvent(hazard=hazard, action="report", from_status="", to_status="reported", actor=reporter, note=seen,
                        at=observed),
            HazardEvent(hazard=hazard, action="assign", from_status="reported", to_status="assigned",
                        actor=User.objects.filter(username=f"{code}-admin").first() or reporter,
                        note=hazard.responsible, at=observed + timedelta(hours=2)),
        ])
        report.hazard = hazard
        report.save(update_fields=["hazard"])
