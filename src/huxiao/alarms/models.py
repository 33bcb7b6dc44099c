"""F-TECH-3 alarms (一键报警) and their incident timeline (F-EMRG-3, first part).

An alarm is stored before anyone hears of it (``services.alarm_raise`` commits, then publishes on the
bus); its id is what the live stream's ``Last-Event-ID`` counts. Each step of the response is a timestamp
on the row: raised, acknowledged, dispatched, on scene, controlled, closed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huxiao.core.audit import AuditedMixin
from huxiao.core.scoping import ScopedQuerySet


class AlarmKind(models.TextChoices):
    BUTTON = "button", _("One-click alarm")
    INTRUSION = "intrusion", _("Intrusion")
    PERIMETER = "perimeter", _("Perimeter alarm")
    VIOLENCE = "violence", _("Violent attack")
    FIRE = "fire", _("Fire")
    OTHER = "other", _("Other")


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
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey("core.User", verbose_name=_("acknowledged by"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("on scene at"), null=True, blank=True)
    controlled_at = models.DateTimeField(_("controlled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    objects: ClassVar[Any] = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["unit", "-id"], name="alarm_unit_recent"),
            models.Index(fields=["id"], condition=Q(closed_at__isnull=True), name="alarm_open"),
        ]
        constraints = [models.CheckConstraint(condition=Q(kind__in=AlarmKind.values), name="alarm_kind_valid")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        """The unit's staff (not its parents or bus attendants), its police station, its sub-district."""
        from huxiao.core.models import Role
        from huxiao.core.scoping import NOTHING, unit_scope

        if user is not None and getattr(user, "role", None) in {Role.GUARDIAN, Role.BUS_ATTENDANT, Role.PATROL}:
            return NOTHING
        return unit_scope(user)

    @property
    def step(self) -> str:
        """The furthest step reached: ``raised`` … ``closed``."""
        for name in reversed(STEPS):
            if getattr(self, f"{name}_at") is not None:
                return name
        return "raised"

    @property
    def step_label(self) -> str:
        return str(STEP_LABELS[self.step])
