"""F-TECH-3: raise an alarm, and take it through its response steps. Each write is one transaction; the
live event is published after it commits (``core.bus``), and the escalation check is scheduled then."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.alarms.models import STEPS, Alarm, AlarmKind
from huxiao.core.bus import bus
from huxiao.core.errors import Conflict
from huxiao.core.models import SUBDISTRICT_WIDE_ROLES, Role, Unit, User
from huxiao.notify.models import Level
from huxiao.notify.services import notify

RAISERS = {Role.UNIT_ADMIN, Role.GUARD, Role.TEACHER}
RESPONDERS = {Role.POLICE, *SUBDISTRICT_WIDE_ROLES}


def event_of(alarm: Alarm, unit: Unit, type_: str = "alarm") -> dict[str, Any]:
    """What the live stream sends: the alarm, and where it happened (for the stream's scope check)."""
    def at(value: datetime | None) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    return {"type": type_, "id": alarm.pk, "unit": unit.pk, "unit_name": unit.name, "kind": alarm.kind,
            "kind_label": str(alarm.get_kind_display()), "note": alarm.note, "raised_at": at(alarm.raised_at),
            "step": alarm.step,
            "acknowledged_at": at(alarm.acknowledged_at), "escalated_at": at(alarm.escalated_at),
            "subdistrict": unit.subdistrict_id, "police_station": unit.police_station_id,
            "community": unit.parent_id}


def _responders(unit: Unit) -> list[User]:
    """Who hears of an alarm at once: the unit's admins, its police station, the sub-district's duty desk."""
    return list(User.objects.filter(is_active=True).filter(
        organisation_id=unit.pk, role=Role.UNIT_ADMIN) | User.objects.filter(
        is_active=True, organisation_id=unit.police_station_id, role=Role.POLICE) | User.objects.filter(
        is_active=True, organisation_id=unit.subdistrict_id, role=Role.SUBDISTRICT_ADMIN))


def alarm_raise(*, actor: User, unit: Unit, kind: str = AlarmKind.BUTTON, note: str = "") -> Alarm:
    if actor.role not in RAISERS or actor.organisation_id != unit.pk:
        raise PermissionDenied
    if kind not in AlarmKind.values:
        raise ValidationError({"kind": [_("Choose a valid kind of alarm.")]})
    with transaction.atomic():
        alarm = Alarm.objects.create(unit=unit, kind=kind, note=note.strip()[:300], raised_by=actor,
                                     raised_at=timezone.now())
        unit_name, kind_label = unit.name, alarm.get_kind_display
        notify(users=_responders(unit), kind="alarm.raised", level=Level.ALERT, unit=unit,
               url=reverse("alarm-console"),
               title=lambda: _("ALARM at %(unit)s") % {"unit": unit_name},
               body=lambda: f"{kind_label()} {note}".strip())
        bus.publish_on_commit(event_of(alarm, unit))
        transaction.on_commit(lambda: _schedule_escalation(alarm.pk), robust=True)
    return alarm


def _schedule_escalation(alarm_id: int) -> None:
    from huxiao.alarms.tasks import alarm_escalate

    alarm_escalate.schedule((alarm_id,), delay=settings.HUXIAO_ALARM_ACK_SECONDS)


def alarm_step(*, actor: User, alarm: Alarm, step: str) -> Alarm:
    """Record a response step (``acknowledged`` … ``closed``) once: a conditional update whose row count is
    checked, so two officers pressing at once record it once and the second hears who was first."""
    if step not in STEPS:
        raise ValidationError({"step": [_("Unknown step.")]})
    allowed = RESPONDERS | ({Role.UNIT_ADMIN} if step == "acknowledged" else set())
    unit = alarm.unit
    if actor.role not in allowed or (actor.role == Role.UNIT_ADMIN and actor.organisation_id != unit.pk):
        raise PermissionDenied
    now = timezone.now()
    changes: dict[str, Any] = {f"{step}_at": now}
    if step == "acknowledged":
        changes["acknowledged_by"] = actor
    # Earlier steps that were skipped are taken as done now (an officer on scene has acknowledged).
    for earlier in STEPS[:STEPS.index(step)]:
        if getattr(alarm, f"{earlier}_at") is None:
            changes[f"{earlier}_at"] = now
            if earlier == "acknowledged":
                changes["acknowledged_by"] = actor
    with transaction.atomic():
        done = Alarm.objects.filter(pk=alarm.pk, **{f"{step}_at__isnull": True}).update(**changes)
        alarm.refresh_from_db()
        if done != 1:
            when = timezone.localtime(getattr(alarm, f"{step}_at")).strftime("%H:%M:%S")
            raise Conflict(_("Already recorded at %(time)s.") % {"time": when}, code="already_recorded")
        bus.publish_on_commit(event_of(alarm, unit, "alarm_step"))
    return alarm


def alarm_escalate(alarm_id: int) -> bool:
    """Not acknowledged in time: tell the sub-district's leadership, and mark it on every console."""
    with transaction.atomic():
        done = Alarm.objects.filter(pk=alarm_id, acknowledged_at__isnull=True, escalated_at__isnull=True).update(
            escalated_at=timezone.now())
        if not done:
            return False
        alarm = Alarm.objects.select_related("unit").get(pk=alarm_id)
        unit = alarm.unit
        leaders = User.objects.filter(is_active=True, organisation_id=unit.subdistrict_id,
                                      role__in=[Role.SUBDISTRICT_ADMIN, Role.GOVERNANCE])
        police = User.objects.filter(is_active=True, organisation_id=unit.police_station_id, role=Role.POLICE)
        seconds, unit_name = settings.HUXIAO_ALARM_ACK_SECONDS, unit.name
        notify(users=[*leaders, *police], kind="alarm.escalated", level=Level.ALERT, unit=unit,
               url=reverse("alarm-console"),
               title=lambda: _("Alarm at %(unit)s not acknowledged") % {"unit": unit_name},
               body=lambda: _("No one acknowledged it within %(s)s seconds.") % {"s": seconds})
        bus.publish_on_commit(event_of(alarm, unit, "alarm_step"))
    return True
