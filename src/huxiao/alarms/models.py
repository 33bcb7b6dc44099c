"""F-TECH-2 device events; F-TECH-3 alarms (一键报警) and their incident timeline (F-EMRG-3,
first part).

An alarm is stored before anyone hears of it (``services.alarm_raise`` commits, then publishes on the
bus); its id is what the live stream's ``Last-Event-ID`` counts. Each step of the response is a timestamp
on the row: raised, acknowledged, dispatched, on scene, controlled, closed.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huxiao.core.audit import AuditedMixin
from huxiao.core.scoping import ScopedQuerySet, unit_staff_police_subdistrict
from huxiao.devices.models import Device, DeviceKind


class AlarmKind(models.TextChoices):
    BUTTON = "button", _("One-click alarm")
    INTRUSION = "intrusion", _("Intrusion")
    PERIMETER = "perimeter", _("Perimeter alarm")
    VIOLENCE = "violence", _("Violent attack")
    FIRE = "fire", _("Fire")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


# The response, in order: each step is a timestamp on the alarm.
STEPS = ("acknowledged", "dispatched", "on_scene", "controlled", "closed")
STEP_LABELS = {"raised": _("Raised"), "acknowledged": _("Acknowledged"), "dispatched": _("Dispatched"),
               "on_scene": _("On scene"), "controlled": _("Controlled"), "closed": _("Closed")}


class Alarm(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="alarms")
    kind = models.CharField(_("kind"), max_length=16, choices=AlarmKind.choices, default=AlarmKind.BUTTON)
    note = models.CharField(_("note"), max_length=300, blank=True)
    raised_by = models.ForeignKey("core.User", verbose_name=_("raised by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    device = models.ForeignKey("devices.Device", verbose_name=_("device"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey("core.User", verbose_name=_("acknowledged by"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("on scene at"), null=True, blank=True)
    controlled_at = models.DateTimeField(_("controlled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # F-EMRG-3: the incident the alarm opened, as the responders describe it, and its after-action review.
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.HIGH)
    place = models.CharField(_("place"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    review = models.TextField(_("after-action review"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey("core.User", verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["unit", "-id"], name="alarm_unit_recent"),
            models.Index(fields=["id"], condition=Q(closed_at__isnull=True), name="alarm_open"),
        ]
        constraints = [models.CheckConstraint(condition=Q(kind__in=AlarmKind.values), name="alarm_kind_valid"),
                       models.CheckConstraint(condition=Q(severity__in=Severity.values), name="alarm_severity_valid")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def response_seconds(self) -> dict[str, int | None]:
        """F-EMRG-3 response times: from the alarm to each later step, in seconds."""
        return {step: int((at - self.raised_at).total_seconds()) if (at := getattr(self, f"{step}_at")) else None
                for step in STEPS}

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return unit_staff_police_subdistrict(user)

    @property
    def step(self) -> str:
        """The furthest step reached: ``raised`` … ``closed``."""
        for name in reversed(STEPS):
            if getattr(self, f"{name}_at") is not None:
                return name
        return "raised"

    @property
    def next_step(self) -> str | None:
        """The step that comes next, the only one that may be recorded now; None once closed."""
        return next((name for name in STEPS if getattr(self, f"{name}_at") is None), None)

    @property
    def next_step_label(self) -> str:
        return str(STEP_LABELS[self.next_step]) if self.next_step else ""

    @property
    def step_label(self) -> str:
        return str(STEP_LABELS[self.step])


# --- F-TECH-2 device events ------------------------------------------------------------------------

# What a device's alarm event opens.
ALARM_KIND_OF_DEVICE: dict[str, AlarmKind] = {
    DeviceKind.ALARM_BUTTON: AlarmKind.BUTTON, DeviceKind.INTRUSION_ALARM: AlarmKind.INTRUSION,
    DeviceKind.PERIMETER_ALARM: AlarmKind.PERIMETER}


class DeviceEventType(models.TextChoices):
    HEARTBEAT = "heartbeat", _("Heartbeat")
    ALARM = "alarm", _("Alarm")


class DeviceEvent(models.Model):
    """What a device posted. (device, type, at) is unique: a replayed event is refused, not counted twice."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=10, choices=DeviceEventType.choices)
    at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    alarm = models.ForeignKey(Alarm, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    audit_exclude = True  # machine traffic; an alarm it opens is audited

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "type", "at"], name="device_event_once")]
        indexes = [models.Index(fields=["device", "-at"], name="device_event_recent")]

    def __str__(self) -> str:
        return f"{self.type} {self.at:%Y-%m-%d %H:%M:%S}"
