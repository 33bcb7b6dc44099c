"""F-GATE-2: children by class, the adults authorised to take them, one-time delegations, and releases.

"Exactly once per child per dismissal" is the database's: a unique constraint on (child, day, slot),
where the slot is the dismissal window the release belongs to. A second release is an IntegrityError,
answered 409 with who took the child and when; never a check-then-insert.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huxiao.core.audit import AuditedMixin
from huxiao.core.fields import EncryptedCharField, LookupHashField, normalize_id_number, normalize_phone
from huxiao.core.scoping import ScopedQuerySet
from huxiao.core.validators import phone_validator

CREDENTIAL_PREFIX = "HXP-"


def new_credential() -> str:
    """What a pick-up card's QR code carries: a prefix (so a scan of anything else is told apart at once)
    and 24 random characters."""
    return CREDENTIAL_PREFIX + secrets.token_urlsafe(18)


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


class SchoolClass(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(_("class"), max_length=40)
    teacher = models.ForeignKey("core.User", verbose_name=_("class teacher"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="classes")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["unit", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="class_name_unique_per_unit")]

    def __str__(self) -> str:
        return self.name


class Child(AuditedMixin, models.Model):
    """A child of a unit. Seen only by the unit's own staff (F-PRIV): never by the sub-district or police."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="enrolled_children")
    school_class = models.ForeignKey(SchoolClass, verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="children")
    name = models.CharField(_("name"), max_length=60)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["unit", "school_class", "name"]
        indexes = [models.Index(fields=["unit", "name"], name="child_unit_name")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return _unit_staff_only(user, "unit")


def _unit_staff_only(user: Any, path: str) -> Q:
    """Children's records are their unit's: its admin, guards and teachers (and guardians, later: their own)."""
    from huxiao.core.models import Role

    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role in {Role.UNIT_ADMIN, Role.GUARD, Role.TEACHER}:
        return Q(**{f"{path}_id": user.organisation_id})
    return Q(pk__in=[])


class PickupPerson(AuditedMixin, models.Model):
    """An adult authorised to take a child home, with a revocable credential (the QR card)."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="pickup_persons")
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    relation = models.CharField(_("relation"), max_length=20)
    id_number = EncryptedCharField(_("ID number"), max_length=32, normalize=normalize_id_number)
    id_number_hash = LookupHashField(source="id_number")
    birth_date = models.DateField(_("birth date"))
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True, normalize=normalize_phone,
                               validators=[phone_validator])
    phone_hash = LookupHashField(source="phone")
    # What the QR card carries: encrypted (the card can be printed again), found by its keyed hash.
    credential = EncryptedCharField(max_length=40, editable=False)
    credential_hash = LookupHashField(source="credential", unique=True)
    credential_issued_at = models.DateTimeField(_("card issued"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    audit_exclude_fields = ("credential", "credential_hash")

    class Meta:
        verbose_name = _("pick-up person")
        verbose_name_plural = _("pick-up persons")
        ordering = ["child", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.relation})"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return _unit_staff_only(user, "unit")


class Delegation(AuditedMixin, models.Model):
    """A one-time delegation (委托接送): a named person, one date, a code; the class teacher creates it when
    a guardian asks. Used once."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="delegations")
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    id_number = EncryptedCharField(_("ID number"), max_length=32, normalize=normalize_id_number)
    id_number_hash = LookupHashField(source="id_number")
    date = models.DateField(_("date"))
    # Six digits the guardian is told once; encrypted and found by keyed hash (a plain digest of six
    # digits would be reversed in a second).
    code = EncryptedCharField(max_length=12, editable=False)
    code_hash = LookupHashField(source="code")
    requested_by = models.CharField(_("requested by"), max_length=60)
    created_by = models.ForeignKey("core.User", verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    audit_exclude_fields = ("code", "code_hash")

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit", "date"], name="delegation_unit_date")]

    def __str__(self) -> str:
        return f"{self.name} {self.date}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return _unit_staff_only(user, "unit")


class ReleaseMethod(models.TextChoices):
    CREDENTIAL = "credential", _("Card scanned")
    PERSON = "person", _("Chosen by the guard")
    DELEGATION = "delegation", _("Delegation code and ID")


class Release(AuditedMixin, models.Model):
    """A child handed over at the gate. One per child per dismissal, by a unique constraint."""

    # No index of their own: (child, day, slot) and (unit, day) below lead with them, and every release
    # would write two more index entries for nothing (issue #4).
    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="releases",
                              db_index=False)
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+",
                             db_index=False)
    day = models.DateField(_("date"))
    # The dismissal the release belongs to: the window's id, or 0 on a day without dismissal windows.
    slot = models.PositiveIntegerField(_("dismissal"))
    person = models.ForeignKey(PickupPerson, verbose_name=_("taken by"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="releases")
    delegation = models.ForeignKey(Delegation, verbose_name=_("delegation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="releases")
    taken_by = models.CharField(_("taken by"), max_length=80)
    method = models.CharField(_("method"), max_length=12, choices=ReleaseMethod.choices)
    guard = models.ForeignKey("core.User", verbose_name=_("guard"), on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(_("released at"))
    # Outside every dismissal window (a child fetched for a doctor's visit): the guard confirmed it first.
    early = models.BooleanField(_("early pick-up"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ["-released_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["child", "day", "slot"], name="release_once_per_dismissal"),
            models.CheckConstraint(condition=Q(person__isnull=False) | Q(delegation__isnull=False),
                                   name="release_names_who"),
        ]
        indexes = [models.Index(fields=["unit", "day"], name="release_unit_day")]

    def __str__(self) -> str:
        return f"{self.child_id} {self.day} {self.taken_by}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return _unit_staff_only(user, "unit")


class RefusedPickup(AuditedMixin, models.Model):
    """An attempt to take a child that was refused: kept, and alerted (F-GATE-2)."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    guard = models.ForeignKey("core.User", verbose_name=_("guard"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    presented = models.CharField(_("presented"), max_length=120, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("refused pick-up")
        verbose_name_plural = _("refused pick-ups")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.child_id} {self.reason}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        """The unit's staff, and the officers of its police station: they were alerted of the attempt
        (``notify.recipients``) and follow it up."""
        from huxiao.core.models import Role

        if user is not None and user.is_authenticated and user.is_active and user.role == Role.POLICE:
            return Q(unit__police_station_id=user.organisation_id)
        return _unit_staff_only(user, "unit")


class DismissalClosed(models.Model):
    """A dismissal window that has closed, checked once: who was still waiting, and that their class
    teachers were told (F-GATE-2)."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    window = models.ForeignKey("timetable.TimetableWindow", verbose_name=_("window"), on_delete=models.CASCADE,
                               related_name="+")
    day = models.DateField(_("date"))
    waiting = models.JSONField(_("still waiting"), default=list)  # [{"child": id, "name", "class"}]
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("closed dismissal")
        verbose_name_plural = _("closed dismissals")
        ordering = ["-day", "-checked_at"]
        constraints = [models.UniqueConstraint(fields=["window", "day"], name="dismissal_checked_once")]

    def __str__(self) -> str:
        return f"{self.window_id} {self.day}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return _unit_staff_only(user, "unit")
