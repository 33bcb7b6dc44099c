"""F-RISK-1 the high-risk persons ledger (高危人员台账, 动态管理) and F-RISK-2 disputes (矛盾纠纷排查化解).

A person is entered against the campus whose safety they concern (the school they live beside or have
threatened), so the police station covering it holds the record and the sub-district's governance office
sees it. Nobody else does: not the unit, not education (who see counts only), not the guards, who meet a
ledger person only as "do not admit, police informed" at the gate. Every personal field is encrypted;
the ID number has a keyed hash so the gate can match a visitor without decrypting anything.

The level of a person is the level of their latest assessment; the next follow-up falls due the level's
interval (a parameter, ``risk.followup_days_<level>``) after the latest follow-up, or after the
registration when there is none.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huxiao.core.audit import AuditedMixin
from huxiao.core.fields import EncryptedCharField, LookupHashField, normalize_id_number, normalize_phone
from huxiao.core.scoping import NOTHING, ScopedQuerySet
from huxiao.core.validators import mask_phone, mask_resident_id, phone_validator


def ledger_scope(user: Any, path: str = "unit") -> Q:
    """The ledger's readers: the police officers of the station covering the campus, and the governance
    officers of its sub-district. Everyone else sees nothing (the API answers them 403 first)."""
    from huxiao.core.models import Role

    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.role == Role.POLICE:
        return Q(**{f"{path}__police_station_id": user.organisation_id})
    if user.role == Role.GOVERNANCE:
        return Q(**{f"{path}__subdistrict_id": user.organisation.subdistrict_id})
    return NOTHING


class Category(models.TextChoices):
    MENTAL_ILLNESS = "mental_illness", _("Severe mental disorder")
    RELEASED = "released", _("Released from prison")
    COMMUNITY_CORRECTION = "community_correction", _("Under community correction")
    DRUGS = "drugs", _("Drug user")
    EXTREME = "extreme", _("Extreme words or acts")
    GRIEVANCE = "grievance", _("Long-standing grievance")
    OTHER = "other", _("Other")


class Level(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Under management")
    CLOSED = "closed", _("Closed")


class FollowUpKind(models.TextChoices):
    DEESCALATION = "deescalation", _("De-escalation (疏导化解)")
    CONTROL = "control", _("Control (管控)")
    VISIT = "visit", _("Home visit")


class RiskPerson(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("campus concerned"), on_delete=models.PROTECT,
                             related_name="risk_persons")
    name = models.CharField(_("name"), max_length=60)
    id_number = EncryptedCharField(_("ID number"), max_length=32, normalize=normalize_id_number)
    id_number_hash = LookupHashField(source="id_number")
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True, normalize=normalize_phone,
                               validators=[phone_validator])
    phone_hash = LookupHashField(source="phone")
    address = EncryptedCharField(_("address"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    level = models.CharField(_("risk level"), max_length=8, choices=Level.choices)
    status = models.CharField(_("status"), max_length=8, choices=PersonStatus.choices, default=PersonStatus.ACTIVE)
    officer = models.ForeignKey("core.User", verbose_name=_("responsible police officer"), on_delete=models.PROTECT,
                                related_name="+")
    community_contact = models.CharField(_("responsible community worker"), max_length=60)
    community_phone = models.CharField(_("community worker's phone"), max_length=20, blank=True,
                                       validators=[phone_validator])
    registered_on = models.DateField(_("registered on"))
    last_followup_on = models.DateField(_("last follow-up"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("why closed"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("high-risk person")
        verbose_name_plural = _("high-risk persons")
        ordering = ["unit", "name", "id"]
        indexes = [models.Index(fields=["unit", "status", "level"], name="riskperson_unit_status_level")]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=Category.values), name="riskperson_category_valid"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="riskperson_level_valid"),
            models.CheckConstraint(condition=Q(status__in=PersonStatus.values), name="riskperson_status_valid"),
            models.CheckConstraint(condition=Q(status="active", closed_on__isnull=True)
                                   | Q(status="closed", closed_on__isnull=False), name="riskperson_closed_dated"),
            # One record per person and campus: the same person near two campuses is two records.
            models.UniqueConstraint(fields=["unit", "id_number_hash"], name="riskperson_one_per_unit"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_resident_id(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return ledger_scope(user)


class Assessment(AuditedMixin, models.Model):
    """A dated risk assessment (风险评估); the latest one sets the person's level."""

    person = models.ForeignKey(RiskPerson, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="assessments")
    assessed_on = models.DateField(_("assessed on"))
    level = models.CharField(_("risk level"), max_length=8, choices=Level.choices)
    basis = models.TextField(_("basis"), max_length=1000)
    assessor = models.ForeignKey("core.User", verbose_name=_("assessed by"), on_delete=models.PROTECT,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["person", "-assessed_on"], name="assessment_person_date")]
        constraints = [models.CheckConstraint(condition=Q(level__in=Level.values), name="assessment_level_valid")]

    def __str__(self) -> str:
        return f"{self.assessed_on}: {self.get_level_display()}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return ledger_scope(user, "person__unit")


class FollowUp(AuditedMixin, models.Model):
    """A follow-up (跟进): de-escalation, control or a home visit, by the police or the community."""

    person = models.ForeignKey(RiskPerson, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="followups")
    kind = models.CharField(_("kind"), max_length=14, choices=FollowUpKind.choices)
    on = models.DateField(_("date"))
    note = models.TextField(_("what was done and found"), max_length=1000)
    by = models.ForeignKey("core.User", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["person", "-on"], name="followup_person_date")]
        constraints = [models.CheckConstraint(condition=Q(kind__in=FollowUpKind.values), name="followup_kind_valid")]

    def __str__(self) -> str:
        return f"{self.on}: {self.get_kind_display()}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return ledger_scope(user, "person__unit")


class GateSighting(AuditedMixin, models.Model):
    """A ledger person tried to enter a campus (the gate's watch list): when, where, by which guard."""

    person = models.ForeignKey(RiskPerson, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="sightings")
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("at"))
    guard = models.ForeignKey("core.User", verbose_name=_("guard"), on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("gate sighting")
        verbose_name_plural = _("gate sightings")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return ledger_scope(user, "person__unit")


class DisputeKind(models.TextChoices):
    HOME_SCHOOL = "home_school", _("Between a family and the school")
    STUDENTS = "students", _("Between pupils or their families")
    NEIGHBOURS = "neighbours", _("Neighbourhood")
    LABOUR = "labour", _("Labour or wages")
    PROPERTY = "property", _("Property, land or building works")
    FAMILY = "family", _("Family")
    OTHER = "other", _("Other")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Being mediated")
    RESOLVED = "resolved", _("Resolved")
    REFERRED = "referred", _("Referred on")


class Dispute(AuditedMixin, models.Model):
    """A dispute (矛盾纠纷) in or around a campus, with its parties and mediation records."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("campus concerned"), on_delete=models.PROTECT,
                             related_name="disputes")
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("type"), max_length=14, choices=DisputeKind.choices)
    level = models.CharField(_("risk level"), max_length=8, choices=Level.choices)
    description = models.TextField(_("what happened"), max_length=2000)
    reported_on = models.DateField(_("found on"))
    status = models.CharField(_("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    outcome = models.TextField(_("outcome"), max_length=1000, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    recorded_by = models.ForeignKey("core.User", verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["unit", "status", "level"], name="dispute_unit_status_level")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DisputeKind.values), name="dispute_kind_valid"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="dispute_level_valid"),
            models.CheckConstraint(condition=Q(status="open", ended_on__isnull=True)
                                   | Q(status__in=["resolved", "referred"], ended_on__isnull=False),
                                   name="dispute_ended_dated"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return ledger_scope(user)


class Party(AuditedMixin, models.Model):
    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(_("name"), max_length=60)
    side = models.CharField(_("who they are"), max_length=60, help_text=_("e.g. parent of a pupil, contractor"))
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True, normalize=normalize_phone,
                               validators=[phone_validator])
    phone_hash = LookupHashField(source="phone")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["dispute", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return ledger_scope(user, "dispute__unit")


class Mediation(AuditedMixin, models.Model):
    """A mediation session (调解) and what came of it."""

    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE,
                                related_name="mediations")
    on = models.DateField(_("date"))
    mediator = models.CharField(_("mediator"), max_length=60)
    note = models.TextField(_("what was agreed or said"), max_length=1000)
    by = models.ForeignKey("core.User", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation")
        verbose_name_plural = _("mediations")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on}: {self.mediator}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return ledger_scope(user, "dispute__unit")
