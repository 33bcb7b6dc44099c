"""F-TECH-1: a unit's technical defences (cameras, alarms, access control), whether they are networked
to the police, and whether they are heard from (their heartbeat, F-TECH-2). What a device's alarm opens is
``alarms``'.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huxiao.core.audit import AuditedMixin
from huxiao.core.scoping import ScopedQuerySet, unit_staff_police_subdistrict


class DeviceKind(models.TextChoices):
    CAMERA = "camera", _("Camera")
    INTRUSION_ALARM = "intrusion_alarm", _("Intrusion alarm")
    ALARM_BUTTON = "alarm_button", _("One-click alarm button")
    PERIMETER_ALARM = "perimeter_alarm", _("Perimeter alarm")
    ACCESS_CONTROL = "access_control", _("Access control")


class DeviceLocation(models.TextChoices):
    GATE = "gate", _("Gate")
    PERIMETER_WALL = "perimeter_wall", _("Perimeter wall")
    DORMITORY = "dormitory", _("Dormitory")
    CANTEEN = "canteen", _("Canteen")
    OTHER = "other", _("Other")


class DeviceStatus(models.TextChoices):
    WORKING = "working", _("Working")
    FAULTY = "faulty", _("Faulty")
    REMOVED = "removed", _("Removed")


class Device(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(_("kind"), max_length=20, choices=DeviceKind.choices)
    location = models.CharField(_("location"), max_length=20, choices=DeviceLocation.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    installed_on = models.DateField(_("installed on"))
    networked_on = models.DateField(_("networked to the police on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DeviceStatus.choices, default=DeviceStatus.WORKING)
    last_test_on = models.DateField(_("last tested on"), null=True, blank=True)
    heartbeat_seconds = models.PositiveIntegerField(_("heartbeat interval (s)"), default=300)
    last_seen_at = models.DateTimeField(_("last heard from"), null=True, blank=True)
    offline_since = models.DateTimeField(_("offline since"), null=True, blank=True)
    # ``Authorization: Device <token>``: only a SHA-256 of the token is stored.
    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    token_prefix = models.CharField(max_length=8, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    audit_exclude_fields = ("last_seen_at", "token_digest")  # heartbeats are not changes anyone made

    class Meta:
        db_table = "alarms_device"  # moved from alarms (issue #12): the table keeps its name
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["unit_id", "location", "kind", "id"]
        indexes = [models.Index(fields=["unit", "kind"], name="device_unit_kind")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DeviceKind.values), name="device_kind_valid"),
            models.CheckConstraint(condition=Q(location__in=DeviceLocation.values), name="device_location_valid"),
            models.CheckConstraint(condition=Q(status__in=DeviceStatus.values), name="device_status_valid"),
            models.CheckConstraint(condition=Q(heartbeat_seconds__gte=10), name="device_heartbeat_min"),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.get_kind_display()} · {self.get_location_display()}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return unit_staff_police_subdistrict(user)

    @property
    def online(self) -> bool:
        return self.last_seen_at is not None and self.offline_since is None
