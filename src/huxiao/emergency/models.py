"""F-EMRG-1 emergency plans (预案: versioned, per type, with the fixed response force) and F-EMRG-2 drills
(演练). Incidents (F-EMRG-3) are the alarms' timeline (``alarms.Alarm``)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huxiao.core.audit import AuditedMixin
from huxiao.core.scoping import ScopedQuerySet, unit_staff_police_subdistrict


class PlanType(models.TextChoices):
    INTRUSION = "intrusion", _("Intrusion or violent attack")
    FIRE = "fire", _("Fire")
    FOOD_POISONING = "food_poisoning", _("Food poisoning")
    CROWD_CRUSH = "crowd_crush", _("Crowd crush")
    NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
    MEDIA = "media", _("Media response")


class Plan(AuditedMixin, models.Model):
    """One version of a unit's plan of one type. A new version supersedes the older ones."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="plans")
    type = models.CharField(_("type"), max_length=20, choices=PlanType.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("plan"))
    response_force = models.TextField(_("fixed response force"), help_text=_("Who responds, in what roles."))
    approved_on = models.DateField(_("approved on"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["unit_id", "type", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "type", "version"], name="plan_version_once"),
            models.CheckConstraint(condition=Q(type__in=PlanType.values), name="plan_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} v{self.version}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return unit_staff_police_subdistrict(user)


class Drill(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="drills")
    scenario = models.CharField(_("scenario"), max_length=20, choices=PlanType.choices)
    date = models.DateField(_("date"))
    participants = models.PositiveIntegerField(_("participants"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    evaluation = models.TextField(_("evaluation"), blank=True)
    issues_found = models.TextField(_("issues found"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["unit_id", "-date", "-id"]
        indexes = [models.Index(fields=["unit", "-date"], name="drill_unit_recent")]
        constraints = [models.CheckConstraint(condition=Q(scenario__in=PlanType.values), name="drill_scenario_valid"),
                       models.CheckConstraint(condition=Q(duration_minutes__gte=1), name="drill_has_duration")]

    def __str__(self) -> str:
        return f"{self.get_scenario_display()} {self.date:%Y-%m-%d}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return unit_staff_police_subdistrict(user)
