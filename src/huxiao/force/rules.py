"""F-FORCE compliance rules (codes as in API.md) and their parameters (FEATURES.md §4).

Each loader reads one table for all units of the evaluation; each rule is a pure function of that data.
Evidence names the people and numbers behind a verdict, in words.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from huxiao.compliance.engine import Context, UnitRow
from huxiao.compliance.registry import FAIL, PASS, WARN, Verdict, msg, param, rule
from huxiao.core.dates import age_on, birthday_in
from huxiao.force.models import (
    Equipment,
    EquipmentKind,
    Guard,
    Lecture,
    LegalVicePrincipal,
    PoliceAssignment,
    PoliceRoom,
)
from huxiao.force.selectors import visibility_counts

NOTICE = _("the notice")
# The untranslated labels, for evidence stored in the database and translated when read.
EQUIPMENT_MSGIDS = {
    "restraining_fork": gettext_noop("Restraining fork"), "stab_vest": gettext_noop("Stab-proof vest"),
    "cut_gloves": gettext_noop("Cut-proof gloves"), "baton": gettext_noop("Baton"), "helmet": gettext_noop("Helmet"),
    "shield": gettext_noop("Shield"),
    "other": gettext_noop("Other"),
}
REQUIRED_KINDS = ("restraining_fork", "stab_vest", "cut_gloves", "baton", "helmet", "shield")

param("guards.kindergarten_min", 2, kind="int", minimum=1, maximum=50, source=NOTICE,
      label=_("Kindergarten: minimum active guards"))
param("guards.max_age", 55, kind="int", minimum=18, maximum=80, source=NOTICE,
      label=_("Guard maximum age (years, on today's date)"))
param("guards.school_min_small", 1, kind="int", minimum=0, maximum=50, source=_("GB/T 29315-2022 practice"),
      label=_("School under 100 pupils: minimum guards"))
param("guards.school_min_medium", 2, kind="int", minimum=0, maximum=50, source=_("GB/T 29315-2022 practice"),
      label=_("School of 100–999 pupils: minimum guards"))
param("guards.school_min_large", 3, kind="int", minimum=0, maximum=50, source=_("GB/T 29315-2022 practice"),
      label=_("School of 1,000 pupils or more: minimum guards"))
param("guards.school_pupils_per_extra", 500, kind="int", minimum=1, maximum=100_000,
      source=_("GB/T 29315-2022 practice"), label=_("School of 1,000 or more: one more guard per further pupils"))
param("guards.required_equipment", list(REQUIRED_KINDS), kind="kinds",
      choices=tuple((k, label) for k, label in EquipmentKind.choices if k != "other"),
      source=_("local lists (Liaoning, Tianjin)"), label=_("Required defensive equipment"))
param("guards.age_warning_days", 90, kind="int", minimum=0, maximum=365, source=_("local practice"),
      label=_("Warn this many days before a guard passes the maximum age"))
param("lvp.yearly_class_hours", 4, kind="int", minimum=0, maximum=200, source=_("Ministry of Education order 52"),
      label=_("Legal vice-principal: class-hours a year"))
param("police.visibility_days", 7, kind="int", minimum=1, maximum=90, source=_("local practice"),
      label=_("Police visibility: days counted"))
param("police.visibility_target", 100, kind="percent", minimum=0, maximum=100, source=NOTICE,
      label=_("Police visibility: target (%), below it warns"))
param("police.visibility_minimum", 80, kind="percent", minimum=0, maximum=100, source=_("local practice"),
      label=_("Police visibility: minimum (%), below it fails"))


def required_guards(kind: str, pupils: int, param: Callable[[str], Any]) -> int:
    """FEATURES §4: a kindergarten's minimum, or a school's by its pupils; ``param`` reads a parameter."""
    if kind == "kindergarten":
        return int(param("guards.kindergarten_min"))
    if pupils < 100:
        return int(param("guards.school_min_small"))
    if pupils < 1000:
        return int(param("guards.school_min_medium"))
    extra = (pupils - 1000) // int(param("guards.school_pupils_per_extra"))
    return int(param("guards.school_min_large")) + extra


def minimum_guards(ctx: Context, unit: UnitRow) -> int:
    return required_guards(unit.kind, unit.pupils, lambda key: ctx.param(unit, key))


# --- loaders: one query each, for all units ---------------------------------------------------------

def load_active_guards(ctx: Context) -> dict[int, list[tuple[str, date, str]]]:
    """unit → [(name, birth date, certificate number)] of its active guards (tuples: 30,000 rows load fast)."""
    by_unit: dict[int, list[tuple[str, date, str]]] = defaultdict(list)
    for unit_id, name, born, certificate in Guard.objects.filter(unit_id__in=ctx.unit_ids(), active=True).order_by(
            ).values_list("unit_id", "name", "birth_date", "certificate_no"):
        by_unit[unit_id].append((name, born, certificate))
    for guards in by_unit.values():
        guards.sort()  # by name, here: sorting 30,000 rows in the database costs more than a few per unit
    return by_unit


def _history(model: Any, *fields: str) -> Any:
    """A loader of ``model``'s rows per unit, newest first (assignments and appointments with end dates)."""
    def load(ctx: Context) -> dict[int, list[dict[str, Any]]]:
        by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in model.objects.filter(unit_id__in=ctx.unit_ids()).order_by("-start_date", "-id").values(
                "unit_id", "start_date", "end_date", *fields):
            by_unit[row["unit_id"]].append(dict(row))
        return by_unit
    return load


load_police = _history(PoliceAssignment, "officer_name", "badge_no")
load_lvp = _history(LegalVicePrincipal, "name", "employer")


def current(rows: list[dict[str, Any]], today: date) -> dict[str, Any] | None:
    for row in rows:
        if row["start_date"] <= today and (row["end_date"] is None or row["end_date"] >= today):
            return row
    return None


# --- F-FORCE-1 ---------------------------------------------------------------------------------------

@rule("police.assigned", feature="F-FORCE-1", title=_("Duty police officer"),
      fails_when=_("no current duty officer"), anchor="police")
def police_assigned(ctx: Context) -> dict[int, Verdict]:
    assignments = ctx.once("force.police", load_police)
    out = {}
    for unit in ctx.units:
        rows = assignments.get(unit.id, [])
        now = current(rows, ctx.today)
        if now is not None:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("Duty officer %(name)s (badge %(badge)s) since %(date)s."),
                                             name=now["officer_name"], badge=now["badge_no"],
                                             date=now["start_date"])])
            continue
        ended = [r for r in rows if r["end_date"] is not None and r["end_date"] < ctx.today]
        if ended:
            last = max(ended, key=lambda r: r["end_date"])
            out[unit.id] = Verdict(FAIL, [msg(gettext_noop("No duty officer since %(date)s (the last was %(name)s)."),
                                              date=last["end_date"] + timedelta(days=1), name=last["officer_name"])],
                                   since=last["end_date"] + timedelta(days=1))
        else:
            out[unit.id] = Verdict(FAIL, [msg(gettext_noop("No duty officer has been assigned."))])
    return out


# --- F-FORCE-2 ---------------------------------------------------------------------------------------

def load_windows(ctx: Context) -> dict[int, int]:
    """Number of arrival/dismissal windows per unit (a unit with none has no timetable to count against)."""
    from django.db.models import Count

    from huxiao.timetable.models import TimetableWindow

    return dict(TimetableWindow.objects.filter(unit_id__in=ctx.unit_ids(), kind__in=["arrival", "dismissal"])
                .order_by().values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))


def load_visibility(ctx: Context) -> dict[int, tuple[int, int]]:
    """unit → (windows with a police check-in, windows scheduled) over the unit's period."""
    periods = {u.id: (ctx.today - timedelta(days=int(ctx.param(u, "police.visibility_days")) - 1), ctx.today)
               for u in ctx.units}
    return visibility_counts(ctx.unit_ids(), periods, ctx.now)


@rule("police.visibility", feature="F-FORCE-2", title=_("Police visibility at the gate"),
      fails_when=_("too few arrival/dismissal windows with a police check-in"), records="force-visibility",
      anchor="")
def police_visibility(ctx: Context) -> dict[int, Verdict]:
    counts = ctx.once("force.visibility", load_visibility)
    windows = ctx.once("gate.arrival_dismissal_windows", load_windows)
    out = {}
    for unit in ctx.units:
        hit, scheduled = counts[unit.id]
        days = int(ctx.param(unit, "police.visibility_days"))
        if not windows.get(unit.id):
            out[unit.id] = Verdict(WARN, [msg(gettext_noop("The timetable has no arrival or dismissal windows."))])
            continue
        if scheduled == 0:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("No arrival or dismissal window in the last %(days)s days."),
                                             days=days)])
            continue
        rate = round(100 * hit / scheduled)
        line = msg(gettext_noop("Police seen at %(hit)s of %(scheduled)s arrival and dismissal windows in the last "
                      "%(days)s days (%(rate)s%%)."), hit=hit, scheduled=scheduled, days=days, rate=rate)
        if 100 * hit < int(ctx.param(unit, "police.visibility_minimum")) * scheduled:
            out[unit.id] = Verdict(FAIL, [line])
        elif 100 * hit < int(ctx.param(unit, "police.visibility_target")) * scheduled:
            out[unit.id] = Verdict(WARN, [line])
        else:
            out[unit.id] = Verdict(PASS, [line])
    return out


# --- F-FORCE-3 ---------------------------------------------------------------------------------------

@rule("lvp.assigned", feature="F-FORCE-3", title=_("Legal vice-principal"),
      fails_when=_("no legal vice-principal"), anchor="lvp")
def lvp_assigned(ctx: Context) -> dict[int, Verdict]:
    lvps = ctx.once("force.lvp", load_lvp)
    out = {}
    for unit in ctx.units:
        now = current(lvps.get(unit.id, []), ctx.today)
        if now is None:
            out[unit.id] = Verdict(FAIL, [msg(gettext_noop("No legal vice-principal is appointed."))])
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop(
                "Legal vice-principal %(name)s (%(employer)s) since %(date)s."),
                                             name=now["name"], employer=now["employer"] or "—",
                                             date=now["start_date"])])
    return out


def load_lecture_hours(ctx: Context) -> dict[int, Decimal]:
    first = date(ctx.today.year, 1, 1)
    return dict(Lecture.objects.filter(unit_id__in=ctx.unit_ids(), date__gte=first, date__lte=ctx.today)
                .order_by().values("unit_id").annotate(hours=Sum("class_hours")).values_list("unit_id", "hours"))


@rule("lvp.lectures", feature="F-FORCE-3", title=_("Legal lectures"),
      fails_when=_("lecture class-hours behind the yearly target"), anchor="lectures")
def lvp_lectures(ctx: Context) -> dict[int, Verdict]:
    hours = ctx.once("force.lecture_hours", load_lecture_hours)
    days_in_year = 366 if calendar.isleap(ctx.today.year) else 365
    elapsed = ctx.today.timetuple().tm_yday / days_in_year
    out = {}
    for unit in ctx.units:
        target = int(ctx.param(unit, "lvp.yearly_class_hours"))
        done = hours.get(unit.id) or Decimal(0)
        expected = Decimal(target * elapsed).quantize(Decimal("0.1"))
        line = msg(gettext_noop("%(done)s of %(target)s class-hours given this year; %(expected)s expected by today."),
                   done=str(done.normalize() if done else 0), target=target, expected=str(expected))
        if done >= target:
            out[unit.id] = Verdict(PASS, [line])
        elif done >= expected:
            out[unit.id] = Verdict(WARN, [line])
        else:
            out[unit.id] = Verdict(FAIL, [line])
    return out


# --- F-FORCE-4 ---------------------------------------------------------------------------------------

@rule("guards.count", feature="F-FORCE-4", title=_("Number of guards"),
      fails_when=_("fewer active guards than the minimum for the unit"), anchor="guards")
def guards_count(ctx: Context) -> dict[int, Verdict]:
    guards = ctx.once("force.active_guards", load_active_guards)
    out = {}
    for unit in ctx.units:
        have, need = len(guards.get(unit.id, [])), minimum_guards(ctx, unit)
        names = [name for name, _born, _cert in guards.get(unit.id, [])]
        line = msg(gettext_noop("%(have)s active guards (%(names)s); at least %(need)s required."), have=have,
                   names="、".join(names) or "—", need=need)
        out[unit.id] = Verdict(PASS if have >= need else FAIL, [line])
    return out


@rule("guards.age", feature="F-FORCE-4", title=_("Guards' age"),
      fails_when=_("an active guard is older than the maximum age"), anchor="guards")
def guards_age(ctx: Context) -> dict[int, Verdict]:
    guards = ctx.once("force.active_guards", load_active_guards)
    out = {}
    for unit in ctx.units:
        max_age = int(ctx.param(unit, "guards.max_age"))
        warn_days = int(ctx.param(unit, "guards.age_warning_days"))
        too_old, soon, since = [], [], None
        for name, born, _cert in guards.get(unit.id, []):
            age = age_on(born, ctx.today)
            if age > max_age:
                too_old.append(msg(gettext_noop("Guard %(name)s, born %(born)s, is %(age)s (maximum %(max)s)."),
                                   name=name, born=born, age=age, max=max_age))
                over = birthday_in(born, born.year + max_age + 1)
                since = min(since, over) if since else over
            else:
                over = birthday_in(born, born.year + max_age + 1)
                if (over - ctx.today).days <= warn_days:
                    soon.append(msg(gettext_noop("Guard %(name)s, born %(born)s, passes the maximum age of %(max)s on "
                                       "%(date)s."), name=name, born=born, max=max_age, date=over))
        if too_old:
            out[unit.id] = Verdict(FAIL, too_old + soon, since=since)
        elif soon:
            out[unit.id] = Verdict(WARN, soon)
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("Every active guard is %(max)s or younger."), max=max_age)])
    return out


def load_equipment(ctx: Context) -> dict[int, dict[str, int]]:
    by_unit: dict[int, dict[str, int]] = defaultdict(dict)
    for unit_id, kind, quantity in Equipment.objects.filter(unit_id__in=ctx.unit_ids(), quantity__gt=0).values_list(
            "unit_id", "kind", "quantity"):
        by_unit[unit_id][kind] = by_unit[unit_id].get(kind, 0) + quantity
    return by_unit


@rule("guards.equipment", feature="F-FORCE-4", title=_("Defensive equipment"),
      fails_when=_("a required kind of equipment is missing"), anchor="equipment")
def guards_equipment(ctx: Context) -> dict[int, Verdict]:
    held = ctx.once("force.equipment", load_equipment)
    labels = EQUIPMENT_MSGIDS
    out = {}
    for unit in ctx.units:
        required = list(ctx.param(unit, "guards.required_equipment"))
        missing = [k for k in required if held.get(unit.id, {}).get(k, 0) <= 0]
        if missing:
            out[unit.id] = Verdict(FAIL, [msg(gettext_noop("Missing: %(kinds_t)s."),
                                              kinds_t=[labels[k] for k in missing])])
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("All %(n)s required kinds are held."), n=len(required))])
    return out


@rule("guards.certificate", feature="F-FORCE-4", title=_("Guard certificates"),
      fails_when=_("an active guard has no certificate"), anchor="guards")
def guards_certificate(ctx: Context) -> dict[int, Verdict]:
    guards = ctx.once("force.active_guards", load_active_guards)
    out = {}
    for unit in ctx.units:
        without = [name for name, _born, cert in guards.get(unit.id, []) if not cert.strip()]
        if without:
            out[unit.id] = Verdict(FAIL, [
                msg(gettext_noop("Guard %(name)s has no security-guard certificate."), name=name)
                for name in without])
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("Every active guard holds a security-guard certificate."))])
    return out


# --- F-FORCE-7 ---------------------------------------------------------------------------------------

@rule("police_room.set_up", feature="F-FORCE-7", title=_("Campus police room"),
      fails_when=_("no campus police room"), anchor="police-room")
def police_room(ctx: Context) -> dict[int, Verdict]:
    rooms = {row["unit_id"]: row for row in PoliceRoom.objects.filter(unit_id__in=ctx.unit_ids()).values(
        "unit_id", "set_up", "location", "set_up_on")}
    labels = {"duty_room": gettext_noop("Duty room"), "guard_room": gettext_noop("Guard room"),
              "other": gettext_noop("Other")}
    out = {}
    for unit in ctx.units:
        room = rooms.get(unit.id)
        if room and room["set_up"]:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("Campus police room set up (%(where_t)s)."),
                                             where_t=labels.get(room["location"], gettext_noop("Other")))])
        else:
            out[unit.id] = Verdict(FAIL, [msg(gettext_noop("No campus police room has been set up."))])
    return out

