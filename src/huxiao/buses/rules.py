"""F-BUS-1 compliance rules (codes as in API.md): buses.overload, buses.attendant, buses.driver,
buses.inspection. Two queries load every bus and every recent or coming trip of the evaluated units; each
rule is a pure function of them. A unit with no bus passes each of them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from huxiao.buses.models import TripStatus, add_months, bus_grounds, driver_grounds
from huxiao.compliance.engine import Context, UnitRow
from huxiao.compliance.registry import FAIL, PASS, WARN, Verdict, msg, param, rule

REGULATION = _("school bus regulation")
LOCAL = _("local practice")
DIRECTION_MSGIDS = {"to_school": gettext_noop("to school"), "from_school": gettext_noop("from school")}

param("buses.driver_min_age", 25, kind="int", minimum=18, maximum=70, source=REGULATION,
      label=_("School bus drivers: minimum age"))
param("buses.driver_max_age", 60, kind="int", minimum=18, maximum=70, source=REGULATION,
      label=_("School bus drivers: maximum age"))
param("buses.driver_training_months", 12, kind="int", minimum=1, maximum=60, source=LOCAL,
      label=_("School bus drivers: trained at least every this many months"))
param("buses.lookback_days", 30, kind="int", minimum=1, maximum=366, source=LOCAL,
      label=_("School buses: overloaded trips and trips without an attendant count for this many days"))
param("buses.expiry_warn_days", 30, kind="int", minimum=0, maximum=366, source=LOCAL,
      label=_("School buses: warn this many days before an inspection, insurance, licence or training falls due"))


def load_buses(ctx: Context) -> dict[int, list[dict[str, Any]]]:
    """Every bus of the units, with the result of its latest pre-trip check (one query)."""
    from django.db.models import OuterRef, Subquery

    from huxiao.buses.models import Bus, BusCheck

    latest = BusCheck.objects.filter(bus=OuterRef("pk"), date__lte=ctx.today).order_by("-date", "-id").values("ok")[:1]
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (Bus.objects.filter(unit_id__in=ctx.unit_ids()).annotate(last_check_ok=Subquery(latest))
                .order_by("unit_id", "plate").values("id", "unit_id", "plate", "seats", "active", "inspection_expires",
                                                     "insurance_expires", "last_check_ok")):
        out[row["unit_id"]].append(dict(row))
    return out


def load_trips(ctx: Context) -> dict[int, list[dict[str, Any]]]:
    """The units' trips from the longest look-back on, cancelled ones aside, with their bus and driver and
    the driver's latest training (one query)."""
    from django.db.models import OuterRef, Subquery

    from huxiao.buses.models import DriverTraining, Trip

    days = max([int(ctx.param(u, "buses.lookback_days")) for u in ctx.units] or [0])
    trained = (DriverTraining.objects.filter(driver=OuterRef("driver_id"), date__lte=ctx.today)
               .order_by("-date").values("date")[:1])
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (Trip.objects.filter(unit_id__in=ctx.unit_ids(), date__gte=ctx.today - timedelta(days=days))
                .exclude(status=TripStatus.CANCELLED).annotate(last_trained=Subquery(trained))
                .order_by("unit_id", "date", "departs_at", "id")
                .values("id", "unit_id", "date", "departs_at", "direction", "attendant_id", "boarded", "overloaded",
                        "bus__plate", "bus__seats", "driver_id", "driver__name", "driver__birth_date",
                        "driver__licence_expires", "driver__active", "last_trained")):
        out[row["unit_id"]].append(dict(row))
    return out


def _no_bus(ctx: Context, unit: UnitRow) -> Verdict | None:
    if ctx.once("buses.buses", load_buses).get(unit.id):
        return None
    return Verdict(PASS, [msg(gettext_noop("No school bus."))])


def _trip_args(trip: dict[str, Any]) -> dict[str, Any]:
    return {"date": trip["date"], "time": trip["departs_at"].strftime("%H:%M"), "plate": trip["bus__plate"],
            "direction_t": DIRECTION_MSGIDS[trip["direction"]]}


@rule("buses.overload", feature="F-BUS-1", title=_("School bus loads"),
      fails_when=_("a trip carried more children than the bus has seats"), records="unit-buses", anchor="trips")
def buses_overload(ctx: Context) -> dict[int, Verdict]:
    trips = ctx.once("buses.trips", load_trips)
    out = {}
    for unit in ctx.units:
        if (verdict := _no_bus(ctx, unit)) is not None:
            out[unit.id] = verdict
            continue
        days = int(ctx.param(unit, "buses.lookback_days"))
        start = ctx.today - timedelta(days=days)
        over = [t for t in trips.get(unit.id, []) if t["overloaded"] and start <= t["date"] <= ctx.today]
        if over:
            out[unit.id] = Verdict(FAIL, [msg(gettext_noop(
                "Trip of %(date)s %(time)s %(direction_t)s on %(plate)s: %(n)s children on board, %(seats)s seats."),
                n=t["boarded"], seats=t["bus__seats"], **_trip_args(t)) for t in over],
                since=min(t["date"] for t in over))
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("No overloaded trip in the last %(days)s days."),
                                             days=days)])
    return out


@rule("buses.attendant", feature="F-BUS-1", title=_("Bus attendants"),
      fails_when=_("a trip has no attendant"), records="unit-buses", anchor="trips")
def buses_attendant(ctx: Context) -> dict[int, Verdict]:
    trips = ctx.once("buses.trips", load_trips)
    out = {}
    for unit in ctx.units:
        if (verdict := _no_bus(ctx, unit)) is not None:
            out[unit.id] = verdict
            continue
        start = ctx.today - timedelta(days=int(ctx.param(unit, "buses.lookback_days")))
        rows = [t for t in trips.get(unit.id, []) if t["date"] >= start]
        alone = [t for t in rows if t["attendant_id"] is None]
        if alone:
            out[unit.id] = Verdict(FAIL, [msg(gettext_noop(
                "The trip of %(date)s %(time)s %(direction_t)s on %(plate)s has no attendant."), **_trip_args(t))
                for t in alone], since=min(min(t["date"] for t in alone), ctx.today))
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("Every trip has its attendant (%(n)s since %(date)s)."),
                                             n=len(rows), date=start)])
    return out


@rule("buses.driver", feature="F-BUS-1", title=_("School bus drivers"),
      fails_when=_("a driver of a trip is too young or too old, untrained or unlicensed"), records="unit-buses",
      anchor="drivers")
def buses_driver(ctx: Context) -> dict[int, Verdict]:
    trips = ctx.once("buses.trips", load_trips)
    out = {}
    for unit in ctx.units:
        if (verdict := _no_bus(ctx, unit)) is not None:
            out[unit.id] = verdict
            continue
        limits = {"min_age": int(ctx.param(unit, "buses.driver_min_age")),
                  "max_age": int(ctx.param(unit, "buses.driver_max_age")),
                  "training_months": int(ctx.param(unit, "buses.driver_training_months"))}
        warn_until = ctx.today + timedelta(days=int(ctx.param(unit, "buses.expiry_warn_days")))
        coming = [t for t in trips.get(unit.id, []) if t["date"] >= ctx.today]
        failing: list[dict[str, Any]] = []
        warning: list[dict[str, Any]] = []
        seen: set[int] = set()
        for t in coming:  # the first trip each driver is grounded for, by date
            if t["driver_id"] in seen:
                continue
            reasons = driver_grounds(birth_date=t["driver__birth_date"], licence_expires=t["driver__licence_expires"],
                                     last_trained=t["last_trained"], active=t["driver__active"], day=t["date"],
                                     **limits)
            if reasons:
                seen.add(t["driver_id"])
                failing.append(msg(gettext_noop("Driver %(name)s may not drive the trip of %(date)s %(time)s:"),
                                   name=t["driver__name"], date=t["date"], time=t["departs_at"].strftime("%H:%M")))
                failing += reasons
        for t in coming:
            if t["driver_id"] in seen:
                continue
            seen.add(t["driver_id"])
            due = add_months(t["last_trained"], limits["training_months"]) if t["last_trained"] else None
            if due is not None and due <= warn_until:
                warning.append(msg(gettext_noop("Driver %(name)s's training falls due on %(date)s."),
                                   name=t["driver__name"], date=due))
            if t["driver__licence_expires"] <= warn_until:
                warning.append(msg(gettext_noop("Driver %(name)s's licence expires on %(date)s."),
                                   name=t["driver__name"], date=t["driver__licence_expires"]))
        if failing:
            out[unit.id] = Verdict(FAIL, failing + warning)
        elif warning:
            out[unit.id] = Verdict(WARN, warning)
        elif coming:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop(
                "The %(n)s drivers of the trips from today meet the requirements."),
                n=len({t["driver_id"] for t in coming}))])
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("No trip is scheduled from today."))])
    return out


@rule("buses.inspection", feature="F-BUS-1", title=_("School bus inspection"),
      fails_when=_("a bus in service has an expired inspection or insurance, or failed its last check"),
      records="unit-buses", anchor="buses")
def buses_inspection(ctx: Context) -> dict[int, Verdict]:
    buses = ctx.once("buses.buses", load_buses)
    out = {}
    for unit in ctx.units:
        if (verdict := _no_bus(ctx, unit)) is not None:
            out[unit.id] = verdict
            continue
        warn_until = ctx.today + timedelta(days=int(ctx.param(unit, "buses.expiry_warn_days")))
        running = [b for b in buses.get(unit.id, []) if b["active"]]
        failing: list[dict[str, Any]] = []
        warning: list[dict[str, Any]] = []
        since: list[date] = []
        for b in running:
            reasons = bus_grounds(inspection_expires=b["inspection_expires"], insurance_expires=b["insurance_expires"],
                                  last_check_ok=b["last_check_ok"], active=True, day=ctx.today)
            if reasons:
                failing.append(msg(gettext_noop("Bus %(plate)s is grounded:"), plate=b["plate"]))
                failing += reasons
                since += [d + timedelta(days=1) for d in (b["inspection_expires"], b["insurance_expires"])
                          if d < ctx.today]
                continue
            if b["inspection_expires"] <= warn_until:
                warning.append(msg(gettext_noop("The inspection of %(plate)s expires on %(date)s."), plate=b["plate"],
                                   date=b["inspection_expires"]))
            if b["insurance_expires"] <= warn_until:
                warning.append(msg(gettext_noop("The insurance of %(plate)s expires on %(date)s."), plate=b["plate"],
                                   date=b["insurance_expires"]))
        if failing:
            out[unit.id] = Verdict(FAIL, failing + warning, since=min(since) if since else None)
        elif warning:
            out[unit.id] = Verdict(WARN, warning)
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("%(n)s buses in service, inspected and insured."),
                                             n=len(running))])
    return out
