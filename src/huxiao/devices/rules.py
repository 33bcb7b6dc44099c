"""F-TECH compliance rules (codes as in API.md): devices.coverage, devices.networked, devices.deadline,
devices.online. One query loads every device of the evaluated units; each rule is a pure function of it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from huxiao.compliance.engine import Context
from huxiao.compliance.registry import FAIL, PASS, Verdict, msg, param, rule
from huxiao.devices.models import DeviceKind, DeviceStatus

NOTICE = _("the notice")
# Untranslated labels for evidence stored in the database (translated when read).
LOCATION_MSGIDS = {"gate": gettext_noop("the gate"), "perimeter_wall": gettext_noop("the perimeter wall"),
                   "dormitory": gettext_noop("the dormitories")}
KIND_MSGIDS = {"camera": gettext_noop("camera"), "alarm_button": gettext_noop("one-click alarm button"),
               "intrusion_alarm": gettext_noop("intrusion alarm"), "perimeter_alarm": gettext_noop("perimeter alarm"),
               "access_control": gettext_noop("access control")}
# What "surveillance and alarms" (监控报警) means at a key place: a camera or an alarm.
WATCHING = {DeviceKind.CAMERA, DeviceKind.INTRUSION_ALARM, DeviceKind.PERIMETER_ALARM, DeviceKind.ALARM_BUTTON}
# Networked to the police room: the one-click alarm and video.
MUST_BE_NETWORKED = {DeviceKind.ALARM_BUTTON, DeviceKind.CAMERA}

param("devices.deadline", f"{timezone.localdate().year}-05-31", kind="date", source=NOTICE,
      label=_("Kindergartens: technical defence installed and networked by"))


def load_devices(ctx: Context) -> dict[int, list[dict[str, Any]]]:
    from huxiao.devices.models import Device

    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (Device.objects.filter(unit_id__in=ctx.unit_ids()).exclude(status=DeviceStatus.REMOVED)
                .order_by("id").values("id", "unit_id", "kind", "location", "label", "installed_on", "networked_on",
                                       "status", "last_seen_at", "offline_since")):
        out[row["unit_id"]].append(dict(row))
    return out


def _name(row: dict[str, Any]) -> str:
    return row["label"] or f"#{row['id']}"


@rule("devices.coverage", feature="F-TECH-1", title=_("Surveillance and alarms at key places"),
      fails_when=_("a required location has no working device"), records="unit-detail", anchor="devices")
def devices_coverage(ctx: Context) -> dict[int, Verdict]:
    devices = ctx.once("devices.devices", load_devices)
    out = {}
    for unit in ctx.units:
        required = ["gate", "perimeter_wall"] + (["dormitory"] if unit.boarding else [])
        covered = {d["location"] for d in devices.get(unit.id, [])
                   if d["status"] == DeviceStatus.WORKING and d["kind"] in WATCHING}
        missing = [loc for loc in required if loc not in covered]
        if missing:
            out[unit.id] = Verdict(FAIL, [msg(gettext_noop("No working camera or alarm at %(place_t)s."),
                                              place_t=LOCATION_MSGIDS[loc]) for loc in missing])
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("Working devices at every key place (%(n)s in all)."),
                                             n=len(devices.get(unit.id, [])))])
    return out


@rule("devices.networked", feature="F-TECH-1", title=_("Alarms and video networked to the police"),
      fails_when=_("alarm button or video not networked to the police"), records="unit-detail", anchor="devices")
def devices_networked(ctx: Context) -> dict[int, Verdict]:
    devices = ctx.once("devices.devices", load_devices)
    out = {}
    for unit in ctx.units:
        rows = [d for d in devices.get(unit.id, []) if d["kind"] in MUST_BE_NETWORKED]
        lines = [msg(gettext_noop("The %(kind_t)s %(name)s is not networked to the police room."),
                     kind_t=KIND_MSGIDS[d["kind"]], name=_name(d)) for d in rows if d["networked_on"] is None]
        if not any(d["kind"] == DeviceKind.ALARM_BUTTON for d in rows):
            lines.insert(0, msg(gettext_noop("There is no one-click alarm button.")))
        if lines:
            out[unit.id] = Verdict(FAIL, lines)
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("%(n)s alarm buttons and cameras, all networked."),
                                             n=len(rows))])
    return out


@rule("devices.deadline", feature="F-TECH-1", title=_("Kindergarten technical defence by the deadline"),
      fails_when=_("a kindergarten was not installed and networked by the deadline"), records="unit-detail",
      anchor="devices")
def devices_deadline(ctx: Context) -> dict[int, Verdict]:
    devices = ctx.once("devices.devices", load_devices)
    out = {}
    for unit in ctx.units:
        deadline = date.fromisoformat(str(ctx.param(unit, "devices.deadline")))
        if not unit.is_kindergarten:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("The deadline applies to kindergartens."))])
            continue
        if ctx.today <= deadline:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("The deadline (%(date)s) has not come yet."),
                                             date=deadline)])
            continue
        rows = devices.get(unit.id, [])
        late = [d for d in rows if d["kind"] in MUST_BE_NETWORKED
                and (d["networked_on"] is None or d["networked_on"] > deadline)]
        placed = {d["location"] for d in rows if d["installed_on"] <= deadline and d["kind"] in WATCHING}
        lines = [msg(gettext_noop("Nothing was installed at %(place_t)s by %(date)s."), place_t=LOCATION_MSGIDS[loc],
                     date=deadline) for loc in ("gate", "perimeter_wall") if loc not in placed]
        lines += [msg(gettext_noop("The %(kind_t)s %(name)s was not networked by %(date)s."),
                      kind_t=KIND_MSGIDS[d["kind"]], name=_name(d), date=deadline) for d in late]
        if lines:
            out[unit.id] = Verdict(FAIL, lines, since=deadline)
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("Installed and networked by %(date)s."), date=deadline)])
    return out


@rule("devices.online", feature="F-TECH-2", title=_("Devices online"),
      fails_when=_("a device has sent no heartbeat for too long"), records="unit-detail", anchor="devices")
def devices_online(ctx: Context) -> dict[int, Verdict]:
    devices = ctx.once("devices.devices", load_devices)
    out = {}
    for unit in ctx.units:
        offline = [d for d in devices.get(unit.id, []) if d["offline_since"] is not None]
        if offline:
            out[unit.id] = Verdict(FAIL, [
                msg(gettext_noop("%(name)s has been offline since %(time)s."), name=_name(d),
                    time=timezone.localtime(d["offline_since"]).strftime("%Y-%m-%d %H:%M")) for d in offline],
                                   since=timezone.localtime(min(d["offline_since"] for d in offline)).date())
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("No device is offline."))])
    return out
