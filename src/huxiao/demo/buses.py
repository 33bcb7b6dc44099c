"""Demo school buses (F-BUS-1): the schools and three kindergartens run buses on routes through 文澜街道,
each with its drivers, a bus attendant (the ``<code>-bus`` account) and the trips of the last three school
days and today. Four units break one bus rule each; all of them already fail another rule (demo/force.py),
so the failing lists stay as they are:

- S04 ``buses.overload``: two days ago its 49-seat bus left with 53 pupils aboard;
- S08 ``buses.attendant``: today's trip to school has no attendant;
- S06 ``buses.driver``: the driver of today's trips was last trained fourteen months ago;
- K09 ``buses.inspection``: its second bus's inspection expired five days ago (it has run no trip since).

K01's bus insurance falls due in three weeks: ``buses.inspection`` warns there.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from huxiao.buses.models import Bus, BusCheck, Driver, DriverTraining, Route, Stop, Trip
from huxiao.core.models import Role, Unit, User
from huxiao.demo.accounts import account

BREAKS = {"S04": "buses.overload", "S08": "buses.attendant", "S06": "buses.driver", "K09": "buses.inspection"}
WARNS = {"K01": "buses.inspection.warn"}
# Units with buses: every school but the small 新苗小学 (S07), and three kindergartens.
WITH_BUSES = ["K01", "K05", "K09", "S01", "S02", "S03", "S04", "S05", "S06", "S08", "S09"]

DRIVERS = ["张建国", "李卫东", "王志强", "刘海涛", "陈国平", "杨建华", "赵永明", "黄立新", "周德胜", "吴振华", "徐宏伟",
           "孙志刚", "马永福", "朱国庆"]
ATTENDANTS = ["陈丽娟", "王桂芳", "李秀兰", "张美华", "刘淑珍", "杨春燕", "赵玉梅", "黄晓红", "周敏", "吴静", "徐芳"]
STOPS = ["文一路口", "学院路文二路口", "古翠路北", "丰潭路文三路口", "莫干山路口", "教工路口", "保俶北路", "文二西路口",
         "紫荆花路口", "益乐路口", "万塘路口", "黄姑山路"]
TRAININGS = [("校车驾驶人安全教育培训", "杭州市西湖区交通运输局"), ("应急处置与疏散演练", "西湖区教育局"),
             ("防御性驾驶培训", "杭州公交驾校")]


def attendant_account(unit: Unit, *, password: str, index: int) -> User:
    """The unit's bus attendant (照管人员), ``<code>-bus``."""
    username = f"{unit.code}-bus"
    return account(username, password=password, role=Role.BUS_ATTENDANT, org=unit,
                   full_name=ATTENDANTS[index % len(ATTENDANTS)], refresh=False)


def _school_days_before(today: date, n: int) -> list[date]:
    days: list[date] = []
    day = today
    while len(days) < n:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return sorted(days)


def seed_buses(unit: Unit, *, today: date, password: str) -> None:
    """What the unit's bus service lacks: nothing if it has a bus already, or is not one with buses."""
    if unit.code not in WITH_BUSES or Bus.objects.filter(unit=unit).exists():
        return
    index = WITH_BUSES.index(unit.code)
    breaks = BREAKS.get(unit.code, "")
    attendant = attendant_account(unit, password=password, index=index)
    kindergarten = unit.kind == "kindergarten"
    seats = 35 if kindergarten else 49
    bus = Bus.objects.create(
        unit=unit, plate=f"浙A·{'X' if kindergarten else 'J'}{3100 + index * 37}", kind="kindergarten"
        if kindergarten else "school", seats=seats, inspection_expires=today + timedelta(days=120 + 9 * index),
        insurance_expires=today + timedelta(days=21 if unit.code in WARNS else 200 + 7 * index))
    BusCheck.objects.create(bus=bus, date=today - timedelta(days=1), ok=True, checked_by=attendant,
                            note="刹车、灯光、轮胎、车门、灭火器、安全锤正常")
    if breaks == "buses.inspection":  # a second, older bus, now grounded: it has not run since it expired
        Bus.objects.create(unit=unit, plate=f"浙A·X{2900 + index}", kind="kindergarten", seats=19,
                           inspection_expires=today - timedelta(days=5), insurance_expires=today + timedelta(days=90))
    born = date(1972 + index % 15, 1 + index % 12, 3 + index)
    driver = Driver.objects.create(unit=unit, name=DRIVERS[index % len(DRIVERS)], phone=f"1395718{index:02d}66",
                                   birth_date=born, licence_class="A1" if not kindergarten else "B1",
                                   licence_file_no=f"3301{index:02d}{born:%y%m%d}",
                                   licence_expires=today + timedelta(days=700 + 30 * index))
    trained = today - timedelta(days=425 if breaks == "buses.driver" else 60 + 11 * index)
    for i, (topic, provider) in enumerate(TRAININGS[:2]):
        DriverTraining.objects.create(driver=driver, date=trained - timedelta(days=365 * i), topic=topic,
                                      hours=8 if i == 0 else 4, provider=provider)
    route = Route.objects.create(unit=unit, name=f"{STOPS[index % len(STOPS)][:2]}线")
    for order in range(1, 5):
        Stop.objects.create(route=route, order=order, name=STOPS[(index + order * 3) % len(STOPS)],
                            lat=round(unit.lat + 0.004 * order, 6) if unit.lat else None,
                            lng=round(unit.lng - 0.003 * order, 6) if unit.lng else None)
    morning, evening = (time(7, 10), time(16, 10)) if kindergarten else (time(6, 50), time(16, 40))
    usual = seats - 6 - index % 4
    for n, day in enumerate(_school_days_before(today, 3)):
        for direction, at in (("to_school", morning), ("from_school", evening)):
            over = breaks == "buses.overload" and n == 1 and direction == "to_school"
            Trip.objects.create(unit=unit, bus=bus, driver=driver, route=route, attendant=attendant, date=day,
                                direction=direction, departs_at=at, status="arrived",
                                boarded=seats + 4 if over else usual - n, overloaded=over, boarded_by=attendant)
    for direction, at in (("to_school", morning), ("from_school", evening)):
        alone = breaks == "buses.attendant" and direction == "to_school"
        Trip.objects.create(unit=unit, bus=bus, driver=driver, route=route, attendant=None if alone else attendant,
                            date=today, direction=direction, departs_at=at)
