"""F-DEMO: the gate of every unit — a class teacher per class, children, the adults authorised to take them
(with their cards), a block-list entry at K01, and today's visitors. Idempotent: a unit with classes is
not seeded again."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from huxiao.core.models import Role, Unit, User
from huxiao.demo import data
from huxiao.demo.accounts import account
from huxiao.demo.force import resident_id
from huxiao.gate.models import BlockListEntry, Child, PickupPerson, SchoolClass, new_credential
from huxiao.gate.services.pickup import ADULT_AGE

KINDERGARTEN_CLASSES = ["小一班", "中一班", "大一班"]
SCHOOL_CLASSES = ["一年级1班", "三年级2班"]
CHILDREN_PER_CLASS = 8
# (relation, youngest, oldest, a woman, bears the child's surname): a grandmother on the father's side
# (奶奶) kept her own surname, as Chinese women do; only the father's line passes it on.
RELATIONS = [("母亲", 29, 40, True, False), ("父亲", 30, 42, False, True), ("奶奶", 55, 68, True, False),
             ("外公", 57, 70, False, False)]
MEN, WOMEN = data.GUARD_NAMES[:40], data.GUARD_NAMES[40:]


def teacher_account(unit: Unit, *, password: str, index: int) -> User:
    username = f"{unit.code}-teacher"
    name = f"{data.SURNAMES[(index * 5 + 3) % len(data.SURNAMES)]}老师"
    return account(username, password=password, role=Role.TEACHER, org=unit, full_name=name, refresh=False)


def seed_unit(unit: Unit, index: int, *, teacher: User, today: date) -> None:
    if SchoolClass.objects.filter(unit=unit).exists():
        return
    rng = random.Random(f"gate-{unit.code}")
    names = KINDERGARTEN_CLASSES if unit.kind == "kindergarten" else SCHOOL_CLASSES
    seq = 0
    for c, class_name in enumerate(names):
        klass = SchoolClass.objects.create(unit=unit, name=class_name, teacher=teacher if c == 0 else None)
        for i in range(CHILDREN_PER_CLASS):
            surname = data.SURNAMES[(index * 7 + c * 3 + i) % len(data.SURNAMES)]
            given = data.CHILD_GIVEN_NAMES[(index * 11 + c * 5 + i) % len(data.CHILD_GIVEN_NAMES)]
            age = (3 + c) if unit.kind == "kindergarten" else (6 + 2 * c)
            child = Child.objects.create(unit=unit, school_class=klass, name=surname + given,
                                         birth_date=date(today.year - age, rng.randint(1, 12), rng.randint(1, 28)))
            for relation, low, high, woman, same_surname in rng.sample(RELATIONS, 2):
                seq += 1
                born = date(today.year - rng.randint(low, high), rng.randint(1, 12), rng.randint(1, 28))
                assert today.year - born.year > ADULT_AGE
                given_names = WOMEN if woman else MEN
                given_adult = given_names[(index * 13 + seq) % len(given_names)][1:]
                adult_surname = surname if same_surname else data.SURNAMES[(seq * 7) % 40]
                if adult_surname == surname and not same_surname:
                    adult_surname = data.SURNAMES[(seq * 7 + 1) % 40]
                PickupPerson.objects.create(
                    child=child, unit=unit, name=adult_surname + given_adult, relation=relation,
                    id_number=resident_id(born, 500 + seq, woman=woman), birth_date=born,
                    phone=f"139{index:02d}{seq:06d}"[:11], credential=new_credential(),
                    credential_issued_at=timezone.now() - timedelta(days=rng.randint(10, 200)))
    if unit.code == "K01" and not BlockListEntry.objects.filter(unit=unit).exists():
        BlockListEntry.objects.create(unit=unit, name="周某", id_number=resident_id(date(1979, 6, 6), 913, woman=False),
                                      reason="人民法院人身安全保护令（禁止接近子女）")


CHECKPOINTS = ["正门", "北侧围墙", "操场", "教学楼", "食堂"]
ROUND_HOURS = [7, 9, 11, 13, 15, 18]


def seed_duty(unit: Unit, *, guard: User | None, today: date) -> None:
    """Checkpoints, a week of patrol rounds (K04 skips some: ``patrol.rounds`` fails there), this week's
    shifts. Rounds are topped up to yesterday on each run."""
    from datetime import datetime, time

    from huxiao.gate.models import Checkpoint, PatrolRound, RoundScan, Shift

    if guard is None:
        return
    if not Checkpoint.objects.filter(unit=unit).exists():
        for order, name in enumerate(CHECKPOINTS, start=1):
            Checkpoint.objects.create(unit=unit, name=name, order=order)
        for back in range(0, 7):
            day = today - timedelta(days=back)
            Shift.objects.create(unit=unit, guard=guard,
                                 start=timezone.make_aware(datetime.combine(day, time(7, 0))),
                                 end=timezone.make_aware(datetime.combine(day, time(19, 0))))
    checkpoints = list(Checkpoint.objects.filter(unit=unit, active=True).order_by("order"))
    done_days = set(PatrolRound.objects.filter(unit=unit).values_list("day", flat=True))
    rng = random.Random(f"rounds-{unit.code}")
    for back in range(7, 0, -1):
        day = today - timedelta(days=back)
        if day in done_days:
            continue
        hours = ROUND_HOURS[:3] if unit.code == "K04" and back == 1 else ROUND_HOURS
        for hour in hours:
            start = timezone.make_aware(datetime.combine(day, time(hour, rng.randint(0, 20))))
            skip = unit.code == "K04" and back == 1 and hour == hours[-1]
            scanned = [c for c in checkpoints if not (skip and c.order == 2)]
            patrol_round = PatrolRound.objects.create(
                unit=unit, guard=guard, started_at=start, day=day,
                finished_at=start + timedelta(minutes=4 * len(scanned)),
                status="incomplete" if skip else "complete", missed=[checkpoints[1].name] if skip else [])
            RoundScan.objects.bulk_create([RoundScan(round=patrol_round, checkpoint=c, in_order=True,
                                                     at=start + timedelta(minutes=4 * i))
                                           for i, c in enumerate(scanned)])
