"""F-COMP storage: the current verdict of every rule for every unit, parameters per sub-district, runs,
and the daily snapshots that give trends.

Verdicts are kept, not computed on each read: the matrix page and ``GET /api/v1/compliance/`` read an
indexed table, and the engine rewrites only the rows whose verdict changed.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huxiao.core.audit import AuditedMixin
from huxiao.core.scoping import NOTHING, ScopedQuerySet, subdistrict_scope


class Status(models.TextChoices):
    PASS = "pass", _("Pass")
    WARN = "warn", _("Warning")
    FAIL = "fail", _("Fail")


class Result(models.Model):
    """The verdict of one rule on one unit, with its evidence and since when it holds."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="compliance_results")
    rule = models.CharField(_("rule"), max_length=40)
    status = models.CharField(_("status"), max_length=4, choices=Status.choices)
    # [{"t": msgid, "a": {args}}]: rendered in the reader's language (compliance.registry.render).
    evidence = models.JSONField(_("evidence"), default=list)
    since = models.DateTimeField(_("since"))
    changed_at = models.DateTimeField(_("changed at"))

    objects = ScopedQuerySet.as_manager()
    # Derived data, rewritten by the engine: the audit trail is on the records behind it.
    audit_exclude = True

    class Meta:
        verbose_name = _("compliance result")
        verbose_name_plural = _("compliance results")
        ordering = ["unit", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "rule"], name="result_one_per_unit_rule"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="result_status_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "rule"], name="result_status_rule"),
            models.Index(fields=["rule", "status"], name="result_rule_status"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.rule} {self.status}"


class RuleParameter(AuditedMixin, models.Model):
    """A sub-district's own value for a rule parameter; absent means the default of FEATURES.md §4."""

    subdistrict = models.ForeignKey("core.Organisation", verbose_name=_("sub-district"), on_delete=models.CASCADE,
                                    related_name="rule_parameters")
    key = models.CharField(_("parameter"), max_length=60)
    value = models.JSONField(_("value"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule parameter")
        verbose_name_plural = _("rule parameters")
        constraints = [models.UniqueConstraint(fields=["subdistrict", "key"], name="parameter_once_per_subdistrict")]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return subdistrict_scope(user)


class Run(models.Model):
    """One evaluation: when, how long, how much changed (what the dashboard's "checked at" reads)."""

    subdistrict = models.ForeignKey("core.Organisation", null=True, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    units = models.PositiveIntegerField()
    changed = models.PositiveIntegerField()
    full = models.BooleanField(default=True)

    audit_exclude = True

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["subdistrict", "-started_at"], name="run_subdistrict_started")]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.units} units"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        """The runs of the user's sub-district, and the runs over every sub-district (the periodic job)."""
        return subdistrict_scope(user) | Q(subdistrict__isnull=True)


class Snapshot(models.Model):
    """A day's counts per rule and sub-district; ``rule = "*"`` counts units failing any rule."""

    day = models.DateField()
    subdistrict = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=40)
    passed = models.PositiveIntegerField(default=0)
    warned = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    audit_exclude = True

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["day", "rule"]
        constraints = [models.UniqueConstraint(fields=["day", "subdistrict", "rule"], name="snapshot_once_per_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.rule}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        """The sub-district's trend: for its sub-district-wide roles only."""
        from huxiao.core.models import SUBDISTRICT_WIDE_ROLES

        if getattr(user, "role", None) not in SUBDISTRICT_WIDE_ROLES:
            return NOTHING
        return subdistrict_scope(user)
