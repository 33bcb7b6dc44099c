"""F-PREV-1 inspections (食堂、教室、宿舍、食品安全): checklist templates per area (shipped with sensible items in
Chinese and English, editable by the sub-district), schedules per unit, and records with a result per item
(pass / fail / not applicable, note, photo). A failed item opens a hazard (F-PREV-2)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from huxiao.core.audit import AuditedMixin
from huxiao.core.scoping import NOTHING, ScopedQuerySet, subdistrict_scope, unit_staff_police_subdistrict


def _checklists_of_the_subdistrict(user: Any, path: str) -> Q:
    """Checklists are the sub-district's: everyone who inspects or is inspected in it reads them."""
    from huxiao.core.models import Role

    if user is None or getattr(user, "role", None) in {Role.GUARDIAN, Role.BUS_ATTENDANT, Role.PATROL}:
        return NOTHING
    return subdistrict_scope(user, path)


class Area(models.TextChoices):
    CANTEEN = "canteen", _("Canteen and food safety")
    CLASSROOM = "classroom", _("Classrooms")
    DORMITORY = "dormitory", _("Dormitories")
    FIRE = "fire", _("Fire safety")
    BUILDING = "building", _("Buildings (collapse)")
    STAIRWAY = "stairway", _("Stairways (crowd crush)")


class ItemResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NA = "na", _("Not applicable")


class Template(AuditedMixin, models.Model):
    """A sub-district's checklist for one area."""

    subdistrict = models.ForeignKey("core.Organisation", verbose_name=_("sub-district"), on_delete=models.CASCADE,
                                    related_name="+")
    area = models.CharField(_("area"), max_length=12, choices=Area.choices)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["subdistrict_id", "area", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(area__in=Area.values), name="template_area_valid"),
            models.UniqueConstraint(fields=["subdistrict", "area"], name="template_one_per_area"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") and self.name_en else self.name

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return _checklists_of_the_subdistrict(user, "subdistrict")


class TemplateItem(AuditedMixin, models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("item"), max_length=200)
    text_en = models.CharField(_("item (English)"), max_length=200, blank=True)
    active = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template_id", "order", "id"]

    def __str__(self) -> str:
        return self.display_text

    @property
    def display_text(self) -> str:
        return self.text_en if (get_language() or "").startswith("en") and self.text_en else self.text

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return _checklists_of_the_subdistrict(user, "template__subdistrict")


class Schedule(AuditedMixin, models.Model):
    """A unit inspects an area every ``every_days`` days; ``next_due`` moves on with each record."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="inspection_schedules")
    template = models.ForeignKey(Template, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="+")
    every_days = models.PositiveSmallIntegerField(_("every (days)"))
    next_due = models.DateField(_("next due"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection schedule")
        verbose_name_plural = _("inspection schedules")
        ordering = ["unit_id", "next_due"]
        indexes = [models.Index(fields=["unit", "next_due"], name="inspection_schedule_due")]
        constraints = [
            models.UniqueConstraint(fields=["unit", "template"], name="inspection_schedule_once"),
            models.CheckConstraint(condition=Q(every_days__gte=1) & Q(every_days__lte=366),
                                   name="inspection_every_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.template} / {self.every_days}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return unit_staff_police_subdistrict(user)


class Inspection(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="inspections")
    template = models.ForeignKey(Template, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    inspector = models.ForeignKey("core.User", verbose_name=_("inspector"), null=True, on_delete=models.SET_NULL,
                                  related_name="+")
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["unit_id", "-date", "-id"]
        indexes = [models.Index(fields=["unit", "-date"], name="inspection_unit_recent")]

    def __str__(self) -> str:
        return f"{self.template} {self.date:%Y-%m-%d}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return unit_staff_police_subdistrict(user)


class Result(AuditedMixin, models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(TemplateItem, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("item"), max_length=200)  # as it read that day
    result = models.CharField(_("result"), max_length=4, choices=ItemResult.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    photo = models.FileField(_("photo"), upload_to="inspections/%Y/%m/", blank=True)
    hazard = models.ForeignKey("hazards.Hazard", verbose_name=_("hazard"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["inspection_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(result__in=ItemResult.values), name="inspection_result_valid"),
            models.UniqueConstraint(fields=["inspection", "item"], name="inspection_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.text}: {self.result}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return unit_staff_police_subdistrict(user, "inspection__unit")
