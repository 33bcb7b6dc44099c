"""F-TECH-3: raise an alarm, and take it through its response steps. Each write is one transaction; the
live event is published after it commits (``core.bus``), and the escalation check is scheduled then."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.alarms.models import (
    ALARM_KIND_OF_DEVICE,
    STEP_LABELS,
    STEPS,
    Alarm,
    AlarmKind,
    DeviceEvent,
    DeviceEventType,
)
from huxiao.core.audit import update_where
from huxiao.core.bus import bus
from huxiao.core.errors import Conflict
from huxiao.core.models import Role, Unit, User
from huxiao.core.permissions import require
from huxiao.devices.models import Device
from huxiao.devices.services import device_heard
from huxiao.notify.models import Level
from huxiao.notify.services import notifications_resolve, notify, recipients


def event_of(alarm: Alarm, unit: Unit, type_: str = "alarm") -> dict[str, Any]:
    """What the live stream sends: the alarm, and where it happened (for the stream's scope check)."""
    def at(value: datetime | None) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    return {"type": type_, "id": alarm.pk, "unit": unit.pk, "unit_name": unit.name, "kind": alarm.kind,
            "kind_label": str(alarm.get_kind_display()), "note": alarm.note, "raised_at": at(alarm.raised_at),
            "step": alarm.step, "next_step": alarm.next_step,
            "acknowledged_at": at(alarm.acknowledged_at), "escalated_at": at(alarm.escalated_at),
            "subdistrict": unit.subdistrict_id, "police_station": unit.police_station_id,
            "community": unit.parent_id}


def alarm_raise(*, actor: User, unit: Unit, kind: str = AlarmKind.BUTTON, note: str = "") -> Alarm:
    require(actor, "alarms.raise_alarm", unit)
    if kind not in AlarmKind.values:
        raise ValidationError({"kind": [_("Choose a valid kind of alarm.")]})
    return _open(unit=unit, kind=kind, note=note, raised_by=actor)


def _open(*, unit: Unit, kind: str, note: str = "", raised_by: User | None = None,
          device: Device | None = None) -> Alarm:
    """Store the alarm, tell who must hear of it, publish it after commit, schedule its escalation."""
    with transaction.atomic():
        alarm = Alarm.objects.create(unit=unit, kind=kind, note=note.strip()[:300], raised_by=raised_by,
                                     device=device, raised_at=timezone.now())
        bus.publish_on_commit(event_of(alarm, unit))  # first: the consoles hear the alarm before anything else
        unit_name, kind_label = unit.name, alarm.get_kind_display
        # Who hears of an alarm at once: the unit's admins, its police station, the sub-district's duty desk.
        notify(users=recipients(unit, subdistrict_roles=[Role.SUBDISTRICT_ADMIN]), kind="alarm.raised",
               level=Level.ALERT, unit=unit, url=reverse("alarm-console"), ref=alarm_ref(alarm.pk),
               title=lambda: _("ALARM at %(unit)s") % {"unit": unit_name},
               body=lambda: f"{kind_label()} {note}".strip())
        transaction.on_commit(lambda: _schedule_escalation(alarm.pk, unit.subdistrict_id), robust=True)
    return alarm


def ack_seconds(subdistrict_id: int | None) -> int:
    """How long an alarm may wait for its acknowledgement: the sub-district's parameter ``alarms.ack_seconds``
    (FEATURES.md §4: 60 s, local practice)."""
    from huxiao.alarms.rules import ACK_SECONDS
    from huxiao.compliance.models import RuleParameter

    value = RuleParameter.objects.filter(subdistrict_id=subdistrict_id, key=ACK_SECONDS.key).values_list(
        "value", flat=True).first()
    return int(value if value is not None else ACK_SECONDS.default)


def _schedule_escalation(alarm_id: int, subdistrict_id: int | None) -> None:
    from huxiao.alarms.tasks import alarm_escalate

    alarm_escalate.schedule((alarm_id,), delay=ack_seconds(subdistrict_id))


def alarm_step(*, actor: User, alarm: Alarm, step: str) -> Alarm:
    """Record the next response step (``acknowledged`` → ``dispatched`` → ``on_scene`` → ``controlled`` →
    ``closed``), in order and once: a conditional update (this step not yet stamped, the one before it
    stamped) whose row count is checked. Two officers pressing at once record it once, and the second hears
    who was first; a step out of order (closing an alarm nobody acknowledged) is refused with the step that
    comes next, so nobody is told of an acknowledgement that never happened."""
    if step not in STEPS:
        raise ValidationError({"step": [_("Unknown step.")]})
    unit = alarm.unit
    require(actor, "alarms.acknowledge_alarm" if step == "acknowledged" else "alarms.advance_alarm", unit)
    index = STEPS.index(step)
    where = Q(**{f"{step}_at__isnull": True})
    if index:
        where &= Q(**{f"{STEPS[index - 1]}_at__isnull": False})
    changes: dict[str, Any] = {f"{step}_at": timezone.now()}
    if step == "acknowledged":
        changes["acknowledged_by"] = actor
    with transaction.atomic():
        if not update_where(alarm, where=where, **changes):
            alarm.refresh_from_db()
            if (done_at := getattr(alarm, f"{step}_at")) is not None:
                when = timezone.localtime(done_at).strftime("%H:%M:%S")
                raise Conflict(_("Already recorded at %(time)s.") % {"time": when}, code="already_recorded")
            following = alarm.next_step
            raise Conflict(_("Not yet: the next step is “%(step)s”.") % {"step": STEP_LABELS[following or step]},
                           code="step_out_of_order", next_step=following)
        if step == "closed":  # over: off every alert strip
            notifications_resolve(ref=alarm_ref(alarm.pk))
        bus.publish_on_commit(event_of(alarm, unit, "alarm_step"))
    return alarm


def alarm_ref(alarm_id: int) -> str:
    """What the alarm's notifications point back to (so closing it takes them off the alert strips)."""
    return f"alarm:{alarm_id}"


@transaction.atomic
def incident_describe(*, actor: User, alarm: Alarm, **fields: Any) -> Alarm:
    """F-EMRG-3: the responders describe the incident (severity, place, description) and, once it is
    closed, write the after-action review."""
    unit = alarm.unit
    require(actor, "alarms.describe_incident", unit)
    if fields.get("review") and alarm.closed_at is None:
        raise ValidationError({"review": [_("The after-action review is written once the incident is closed.")]})
    for name, value in fields.items():
        setattr(alarm, name, value.strip() if isinstance(value, str) else value)
    if fields.get("review"):
        alarm.reviewed_at, alarm.reviewed_by = timezone.now(), actor
    alarm.full_clean()
    alarm.save()
    return alarm


def alarm_escalate(alarm_id: int) -> bool:
    """Not acknowledged in time: tell the sub-district's leadership, and mark it on every console."""
    with transaction.atomic():
        alarm = Alarm.objects.select_related("unit").filter(pk=alarm_id).first()
        if alarm is None or not update_where(alarm, where=Q(acknowledged_at__isnull=True, escalated_at__isnull=True),
                                             escalated_at=timezone.now()):
            return False
        unit = alarm.unit
        seconds, unit_name = ack_seconds(unit.subdistrict_id), unit.name
        leaders = recipients(unit, admins=False, subdistrict_roles=[Role.SUBDISTRICT_ADMIN, Role.GOVERNANCE])
        notify(users=leaders, kind="alarm.escalated", level=Level.ALERT, unit=unit, url=reverse("alarm-console"),
               ref=alarm_ref(alarm.pk),
               title=lambda: _("Alarm at %(unit)s not acknowledged") % {"unit": unit_name},
               body=lambda: _("No one acknowledged it within %(s)s seconds.") % {"s": seconds})
        bus.publish_on_commit(event_of(alarm, unit, "alarm_step"))
    return True


# --- F-TECH-2 device events -------------------------------------------------------------------------

# A device's clock may differ from ours by this much; an event further off is refused (a replay, or a
# device that has lost the time).
EVENT_SKEW_SECONDS = 600


def device_event(*, device: Device, type_: str, at: datetime) -> DeviceEvent:
    """A heartbeat or an alarm from a device. Refused when its time is far from ours, or when the same
    event (device, type, time) came before: a replay is not counted twice, nor alarmed twice."""
    from django.db import IntegrityError

    now = timezone.now()
    if abs((now - at).total_seconds()) > EVENT_SKEW_SECONDS:
        raise ValidationError({"at": [_("The event's time is more than %(min)s minutes from ours.") % {
            "min": EVENT_SKEW_SECONDS // 60}]})
    try:
        with transaction.atomic():
            event = DeviceEvent.objects.create(device=device, type=type_, at=at)
            device_heard(device=device, at=now)
            if type_ == DeviceEventType.ALARM:
                kind = ALARM_KIND_OF_DEVICE.get(device.kind, AlarmKind.OTHER)
                event.alarm = _open(unit=device.unit, kind=kind, note=str(device), device=device)
                event.save(update_fields=["alarm"])
    except IntegrityError:
        raise Conflict(_("This event was already received."), code="replayed_event") from None
    return event
