"""F-PREV-2 hazards (隐患排查整改): a closed loop, reported → assigned (a responsible person, a deadline) →
rectified (evidence) → verified and closed, or sent back to assigned. The status is a column the database
checks; each transition is one service (``services.TRANSITIONS``) and leaves a ``HazardEvent``."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huxiao.core.audit import AuditedMixin
from huxiao.core.scoping import ScopedQuerySet, unit_staff_police_subdistrict


class HazardStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ASSIGNED = "assigned", _("Assigned")
    RECTIFIED = "rectified", _("Rectified")
    CLOSED = "closed", pgettext_lazy("hazard", "Closed")


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Source(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    PATROL = "patrol", _("Patrol")
    SUPERVISION = "supervision", _("Supervision")
    SURROUNDINGS = "surroundings", _("Surroundings")
    TRAFFIC = "traffic", _("Traffic")
    REPORT = "report", _("Report")


class Action(models.TextChoices):
    REPORT = "report", _("Reported")
    ASSIGN = "assign", _("Assigned")
    RECTIFY = "rectify", _("Rectified")
    CLOSE = "close", _("Verified and closed")
    SEND_BACK = "send_back", _("Sent back")
    ESCALATE = "escalate", _("Escalated")


class Hazard(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="hazards")
    title = models.CharField(_("hazard"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    location = models.CharField(pgettext_lazy("hazard", "where"), max_length=120, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.REPORT)
    # What opened it ("inspection:12", "traffic:3"): one hazard per failed inspection item, never two.
    source_ref = models.CharField(_("opened by"), max_length=60, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(_("status"), max_length=12, choices=HazardStatus.choices, default=HazardStatus.REPORTED)
    reported_by = models.ForeignKey("core.User", verbose_name=_("reported by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(_("reported at"))
    responsible = models.CharField(_("responsible person"), max_length=60, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    rectification = models.TextField(_("rectification"), blank=True, max_length=4000)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey("core.User", verbose_name=_("verified by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"], name="hazard_unit_status"),
            models.Index(fields=["status", "deadline"], name="hazard_open_deadline"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=HazardStatus.values), name="hazard_status_valid"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="hazard_priority_valid"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="hazard_source_valid"),
            # Past "reported", someone answers for it by a date.
            models.CheckConstraint(
                condition=Q(status=HazardStatus.REPORTED) | (Q(deadline__isnull=False) & ~Q(responsible="")),
                name="hazard_assigned_has_owner"),
            models.CheckConstraint(
                condition=~Q(status__in=[HazardStatus.RECTIFIED, HazardStatus.CLOSED]) | Q(rectified_at__isnull=False),
                name="hazard_rectified_has_time"),
            models.CheckConstraint(condition=~Q(status=HazardStatus.CLOSED) | Q(closed_at__isnull=False),
                                   name="hazard_closed_has_time"),
            models.UniqueConstraint(fields=["source_ref"], condition=~Q(source_ref=""), name="hazard_source_once"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return unit_staff_police_subdistrict(user)

    @property
    def is_open(self) -> bool:
        return self.status != HazardStatus.CLOSED


class HazardEvent(models.Model):
    """One row per transition: who did what, from which status to which, with the note and evidence."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_status = models.CharField(max_length=12, choices=HazardStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=HazardStatus.choices)
    actor = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True, max_length=4000)
    photo = models.FileField(_("photo"), upload_to="hazards/%Y/%m/", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "hazard__unit"

    class Meta:
        verbose_name = _("hazard history")
        verbose_name_plural = _("hazard history")
        ordering = ["hazard_id", "at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=Action.values), name="hazard_event_action_valid"),
            models.CheckConstraint(condition=Q(to_status__in=HazardStatus.values), name="hazard_event_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.action}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return unit_staff_police_subdistrict(user, "hazard__unit")
