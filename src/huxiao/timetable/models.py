"""F-GATE-3: each unit's closed-campus timetable: class hours, arrival and dismissal windows, holidays.

The windows drive the gate's mode (closed campus in class hours), the visitor policy (F-GATE-1) and the
windows in which police visibility is counted (F-FORCE-2).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from huxiao.core.audit import AuditedMixin
from huxiao.core.scoping import ScopedQuerySet


class WindowKind(models.TextChoices):
    CLASS = "class", _("Class hours")
    ARRIVAL = "arrival", _("Arrival")
    DISMISSAL = "dismissal", _("Dismissal")


ISO_WEEKDAYS = "1234567"


class TimetableWindow(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="timetable_windows")
    kind = models.CharField(_("kind"), max_length=12, choices=WindowKind.choices)
    # ISO weekdays the window applies to, as digits: "12345" is Monday to Friday.
    weekdays = models.CharField(_("weekdays"), max_length=7, default="12345")
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    label = models.CharField(_("label"), max_length=40, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "gate_timetablewindow"  # moved from gate (issue #12): the table keeps its name
        verbose_name = _("timetable window")
        verbose_name_plural = _("timetable windows")
        ordering = ["unit", "start"]
        indexes = [models.Index(fields=["unit", "kind"], name="window_unit_kind")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="window_ends_after_start"),
            models.CheckConstraint(condition=Q(kind__in=WindowKind.values), name="window_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def applies_on(self, iso_weekday: int) -> bool:
        return str(iso_weekday) in self.weekdays


class Holiday(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=60)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "gate_holiday"
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["unit", "date"]
        constraints = [models.UniqueConstraint(fields=["unit", "date"], name="holiday_unique_per_unit_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
