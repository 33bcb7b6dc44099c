"""F-GATE-1: visitor registration (外来人员准入登记) and the unit's block list.

A visit is a small state machine: ``awaiting_host`` → ``admitted`` | ``refused``; ``admitted`` →
``left``. Each transition is its own service; the status has a check constraint.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huxiao.core.audit import AuditedMixin
from huxiao.core.fields import EncryptedCharField, LookupHashField, normalize_id_number, normalize_phone
from huxiao.core.scoping import ScopedQuerySet
from huxiao.core.validators import phone_validator


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    OTHER = "other", _("Other")


class VisitStatus(models.TextChoices):
    AWAITING_HOST = "awaiting_host", _("Waiting for the host")
    ADMITTED = "admitted", _("Admitted")
    REFUSED = "refused", _("Refused")
    LEFT = "left", _("Left")


class BlockListEntry(AuditedMixin, models.Model):
    """Someone the unit does not admit (a court order, a threat). Matched by the ID number's keyed hash."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="block_list")
    name = models.CharField(_("name"), max_length=60)
    id_number = EncryptedCharField(_("ID number"), max_length=32, normalize=normalize_id_number)
    id_number_hash = LookupHashField(source="id_number")
    reason = models.CharField(_("reason"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("block-list entry")
        verbose_name_plural = _("block list")
        ordering = ["unit", "name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        """The unit's admin and the police covering it; a guard learns only "do not admit" at the gate."""
        from huxiao.core.models import Role

        if user is None or not user.is_authenticated:
            return Q(pk__in=[])
        if user.role == Role.UNIT_ADMIN:
            return Q(unit_id=user.organisation_id)
        if user.role == Role.POLICE:
            return Q(unit__police_station_id=user.organisation_id)
        return Q(pk__in=[])


class Visit(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="visits")
    id_type = models.CharField(_("ID type"), max_length=12, choices=IdType.choices)
    id_number = EncryptedCharField(_("ID number"), max_length=32, normalize=normalize_id_number)
    id_number_hash = LookupHashField(source="id_number")
    name = models.CharField(_("name"), max_length=60)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True, normalize=normalize_phone,
                               validators=[phone_validator])
    phone_hash = LookupHashField(source="phone")
    purpose = models.CharField(_("purpose"), max_length=200)
    host = models.ForeignKey("core.User", verbose_name=_("host"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="hosted_visits")
    host_name = models.CharField(_("host"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=VisitStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    guard = models.ForeignKey("core.User", verbose_name=_("registered by"), on_delete=models.PROTECT,
                              related_name="+")
    arrived_at = models.DateTimeField(_("arrived"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    day = models.DateField(_("date"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-arrived_at", "-id"]
        indexes = [models.Index(fields=["unit", "day", "status"], name="visit_unit_day_status")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=VisitStatus.values), name="visit_status_valid"),
            models.CheckConstraint(condition=Q(id_type__in=IdType.values), name="visit_id_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.arrived_at:%Y-%m-%d %H:%M}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        """The unit's admin and guards; a teacher the visits they host; the police covering the unit."""
        from huxiao.core.models import Role

        if user is None or not user.is_authenticated:
            return Q(pk__in=[])
        if user.role in {Role.UNIT_ADMIN, Role.GUARD}:
            return Q(unit_id=user.organisation_id)
        if user.role == Role.TEACHER:
            return Q(unit_id=user.organisation_id, host_id=user.pk)
        if user.role == Role.POLICE:
            return Q(unit__police_station_id=user.organisation_id)
        return Q(pk__in=[])
