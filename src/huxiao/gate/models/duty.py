"""F-GATE-4 guard duty: the shift rota, the handover log, patrol checkpoints (each with a QR code on the
wall) and patrol rounds, scanned in order; a round that skips a checkpoint is flagged."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from huxiao.core.audit import AuditedMixin
from huxiao.core.scoping import ScopedQuerySet


def _token() -> str:
    return "HXC-" + secrets.token_urlsafe(12)


class Shift(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="shifts")
    guard = models.ForeignKey("core.User", verbose_name=_("guard"), on_delete=models.CASCADE, related_name="shifts")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["start", "id"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="shift_ends_after_start")]
        indexes = [models.Index(fields=["unit", "start"], name="shift_unit_start")]

    def __str__(self) -> str:
        return f"{self.guard} {self.start:%m-%d %H:%M}"


class Handover(AuditedMixin, models.Model):
    """交接班: who handed over to whom, and what they said."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="handovers")
    from_guard = models.ForeignKey("core.User", verbose_name=_("handed over by"), on_delete=models.PROTECT,
                                   related_name="+")
    to_guard = models.ForeignKey("core.User", verbose_name=_("taken over by"), on_delete=models.PROTECT,
                                 related_name="+")
    at = models.DateTimeField(_("at"))
    equipment_ok = models.BooleanField(_("equipment complete"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_guard} → {self.to_guard}"


class Checkpoint(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="checkpoints")
    name = models.CharField(_("name"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"))
    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    audit_mask_fields = ("token",)  # a replaced code is logged as replaced, never with its value

    class Meta:
        verbose_name = _("patrol checkpoint")
        verbose_name_plural = _("patrol checkpoints")
        ordering = ["unit", "order"]
        constraints = [models.UniqueConstraint(fields=["unit", "order"], condition=Q(active=True),
                                               name="checkpoint_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class RoundStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETE = "complete", _("Complete")
    INCOMPLETE = "incomplete", _("Incomplete")


class PatrolRound(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="patrol_rounds")
    guard = models.ForeignKey("core.User", verbose_name=_("guard"), on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RoundStatus.choices,
                              default=RoundStatus.IN_PROGRESS)
    # Checkpoints skipped or scanned out of order, by name (what the unit admin reads).
    missed = models.JSONField(_("missed"), default=list, blank=True)
    day = models.DateField(_("date"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol round")
        verbose_name_plural = _("patrol rounds")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["unit", "day", "status"], name="round_unit_day_status")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RoundStatus.values), name="round_status_valid"),
            models.UniqueConstraint(fields=["guard"], condition=Q(status="in_progress"),
                                    name="round_one_open_per_guard"),
        ]

    def __str__(self) -> str:
        return f"{self.guard} {self.started_at:%m-%d %H:%M}"


class RoundScan(models.Model):
    round = models.ForeignKey(PatrolRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="scans")
    checkpoint = models.ForeignKey(Checkpoint, verbose_name=_("checkpoint"), on_delete=models.PROTECT,
                                   related_name="+")
    at = models.DateTimeField(_("at"))
    in_order = models.BooleanField(_("in order"))

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "round__unit"

    class Meta:
        verbose_name = _("checkpoint scan")
        verbose_name_plural = _("checkpoint scans")
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "checkpoint"], name="scan_once_per_round")]

    def __str__(self) -> str:
        return f"{self.checkpoint} {self.at:%H:%M}"
