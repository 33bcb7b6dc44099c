"""F-FORCE: who guards each campus (安防队伍, notice 一.1).

Duty police officers with their history (一校一警, F-FORCE-1), check-ins at the gate and the police
visibility rate (见警率, F-FORCE-2), legal vice-principals and their lectures (F-FORCE-3), gate guards and
defensive equipment (F-FORCE-4), the staff security team and its escort rota (F-FORCE-5), community patrol
teams (夕阳红, F-FORCE-6) and the campus police room (F-FORCE-7).

"One current" is kept by the database: a partial unique index on the rows without an end date.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from huxiao.core.audit import AuditedMixin
from huxiao.core.fields import EncryptedCharField, LookupHashField, normalize_id_number, normalize_phone
from huxiao.core.scoping import ScopedQuerySet
from huxiao.core.validators import phone_validator


class PoliceAssignment(AuditedMixin, models.Model):
    """A duty officer (执勤民警) of a unit, real name (实名制). The current one has no end date."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="police_assignments")
    officer_name = models.CharField(_("officer's name"), max_length=60)
    badge_no = models.CharField(_("badge number"), max_length=20)
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    station = models.ForeignKey("core.Organisation", verbose_name=_("police station"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    # The officer's own account, when the officer has one: their check-ins count for this unit.
    officer = models.ForeignKey("core.User", verbose_name=_("account"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="police_assignments")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("police assignment")
        verbose_name_plural = _("police assignments")
        ordering = ["unit", "-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(end_date__isnull=True),
                                    name="police_one_current_per_unit"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                                   name="police_ends_after_start"),
        ]
        indexes = [models.Index(fields=["badge_no"], name="police_badge")]

    def __str__(self) -> str:
        return f"{self.officer_name} ({self.badge_no})"


class LegalVicePrincipal(AuditedMixin, models.Model):
    """法制副校长: usually a police officer, judge or lawyer, appointed to a unit."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="legal_vice_principals")
    name = models.CharField(_("name"), max_length=60)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal vice-principal")
        verbose_name_plural = _("legal vice-principals")
        ordering = ["unit", "-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(end_date__isnull=True),
                                    name="lvp_one_current_per_unit"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                                   name="lvp_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name


class LectureTopic(models.TextChoices):
    DAILY_SAFETY = "daily_safety", _("Daily safety")
    TRAFFIC = "traffic", _("Traffic safety")
    SELF_PROTECTION = "self_protection", _("Self-protection")
    OTHER = "other", _("Other")


class Lecture(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="lectures")
    lecturer = models.ForeignKey(LegalVicePrincipal, verbose_name=_("lecturer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="lectures")
    date = models.DateField(_("date"))
    class_name = models.CharField(_("class"), max_length=60)
    topic = models.CharField(_("topic"), max_length=20, choices=LectureTopic.choices)
    class_hours = models.DecimalField(_("class-hours"), max_digits=4, decimal_places=1)
    audience = models.PositiveIntegerField(_("audience"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")
        ordering = ["unit", "-date", "-id"]
        indexes = [models.Index(fields=["unit", "date"], name="lecture_unit_date")]
        constraints = [
            models.CheckConstraint(condition=Q(class_hours__gt=0) & Q(class_hours__lte=20),
                                   name="lecture_hours_range"),
            models.CheckConstraint(condition=Q(topic__in=LectureTopic.values), name="lecture_topic_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.class_name} {self.get_topic_display()}"


class Guard(AuditedMixin, models.Model):
    """A gate guard (门卫/保安). ID number and phone are personal data: encrypted, found by keyed hash."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="guards")
    name = models.CharField(_("name"), max_length=60)
    id_number = EncryptedCharField(_("ID number"), max_length=32, blank=True, normalize=normalize_id_number)
    id_number_hash = LookupHashField(source="id_number")
    birth_date = models.DateField(_("birth date"))
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True, normalize=normalize_phone,
                               validators=[phone_validator])
    phone_hash = LookupHashField(source="phone")
    certificate_no = models.CharField(_("security-guard certificate"), max_length=40, blank=True)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    hire_date = models.DateField(_("hired on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("guard")
        verbose_name_plural = _("guards")
        ordering = ["unit", "name", "id"]
        indexes = [models.Index(fields=["unit", "active"], name="guard_unit_active")]

    def __str__(self) -> str:
        return self.name


class EquipmentKind(models.TextChoices):
    RESTRAINING_FORK = "restraining_fork", _("Restraining fork")
    STAB_VEST = "stab_vest", _("Stab-proof vest")
    CUT_GLOVES = "cut_gloves", _("Cut-proof gloves")
    BATON = "baton", _("Baton")
    HELMET = "helmet", _("Helmet")
    SHIELD = "shield", _("Shield")
    OTHER = "other", _("Other")


class Equipment(AuditedMixin, models.Model):
    """Defensive equipment (防范器械) a unit holds: one row per kind."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="equipment")
    kind = models.CharField(_("kind"), max_length=20, choices=EquipmentKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering = ["unit", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind"], condition=~Q(kind="other"),
                                    name="equipment_one_row_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=EquipmentKind.values), name="equipment_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.quantity}"


class StaffMember(AuditedMixin, models.Model):
    """A member of the unit's staff security team (教职工治安防范保卫队伍)."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="staff_members")
    name = models.CharField(_("name"), max_length=60)
    position = models.CharField(_("position"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    user = models.ForeignKey("core.User", verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff team member")
        verbose_name_plural = _("staff team members")
        ordering = ["unit", "name", "id"]

    def __str__(self) -> str:
        return self.name


class EscortDuty(AuditedMixin, models.Model):
    """The escort rota (护接护送): a member on duty at a window on given weekdays."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="escort_duties")
    member = models.ForeignKey(StaffMember, verbose_name=_("member"), on_delete=models.CASCADE,
                               related_name="duties")
    window = models.ForeignKey("timetable.TimetableWindow", verbose_name=_("window"), on_delete=models.CASCADE,
                               related_name="+")
    weekdays = models.CharField(_("weekdays"), max_length=7, default="12345")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("escort duty")
        verbose_name_plural = _("escort duties")
        ordering = ["unit", "window__start", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "window"], name="escort_once_per_window")]

    def __str__(self) -> str:
        return f"{self.member} {self.window}"


class PatrolTeam(AuditedMixin, models.Model):
    """A community's volunteer patrol team (夕阳红巡逻队)."""

    community = models.ForeignKey("core.Organisation", verbose_name=_("community"), on_delete=models.CASCADE,
                                  related_name="patrol_teams")
    name = models.CharField(_("name"), max_length=60)
    leader = models.CharField(_("leader"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    members = models.PositiveIntegerField(_("members"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol team")
        verbose_name_plural = _("patrol teams")
        ordering = ["community", "name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        from huxiao.core.models import Organisation
        from huxiao.core.scoping import organisation_scope

        return Q(community__in=Organisation.objects.filter(organisation_scope(user)).values("pk"))


class PatrolAssignment(AuditedMixin, models.Model):
    """A patrol team at a kindergarten's gate for a window (F-FORCE-6)."""

    team = models.ForeignKey(PatrolTeam, verbose_name=_("team"), on_delete=models.CASCADE,
                             related_name="assignments")
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="patrol_assignments")
    window = models.ForeignKey("timetable.TimetableWindow", verbose_name=_("window"), on_delete=models.CASCADE,
                               related_name="+")
    weekdays = models.CharField(_("weekdays"), max_length=7, default="12345")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol assignment")
        verbose_name_plural = _("patrol assignments")
        ordering = ["unit", "window__start", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "window"], name="patrol_once_per_window")]

    def __str__(self) -> str:
        return f"{self.team} {self.window}"


class PoliceRoomLocation(models.TextChoices):
    DUTY_ROOM = "duty_room", _("Duty room")
    GUARD_ROOM = "guard_room", _("Guard room")
    OTHER = "other", _("Other")


class PoliceRoom(AuditedMixin, models.Model):
    """The campus police room (校园警务室), set up in the duty room or the guard room."""

    unit = models.OneToOneField("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                                related_name="police_room")
    set_up = models.BooleanField(_("set up"), default=False)
    location = models.CharField(_("where"), max_length=12, choices=PoliceRoomLocation.choices, blank=True)
    set_up_on = models.DateField(_("set up on"), null=True, blank=True)
    officer = models.ForeignKey(PoliceAssignment, verbose_name=_("linked officer"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campus police room")
        verbose_name_plural = _("campus police rooms")
        constraints = [
            models.CheckConstraint(condition=Q(set_up=False) | ~Q(location=""), name="police_room_has_location"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.location}"


class PointKind(models.TextChoices):
    GATE = "gate", _("Campus gate")
    ROAD_POST = "road_post", _("Police-car post on a key road section")


def _token() -> str:
    return secrets.token_urlsafe(16)


class CheckInPoint(AuditedMixin, models.Model):
    """Where people check in: a unit's gate (its QR code on the wall) or a police-car post (重要路段)."""

    subdistrict = models.ForeignKey("core.Organisation", verbose_name=_("sub-district"), on_delete=models.CASCADE,
                                    related_name="+")
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="checkin_points")
    kind = models.CharField(_("kind"), max_length=12, choices=PointKind.choices, default=PointKind.GATE)
    name = models.CharField(_("name"), max_length=60)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    # What the QR code carries. Replacing it (a leaked photo of the code) makes the old code worthless.
    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)

    objects = ScopedQuerySet.as_manager()
    audit_mask_fields = ("token",)  # a replaced code is logged as replaced, never with its value

    class Meta:
        verbose_name = _("check-in point")
        verbose_name_plural = _("check-in points")
        ordering = ["unit", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind="road_post") | Q(unit__isnull=False), name="gate_point_has_unit"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        """A gate point is seen with its unit; a road post by the sub-district and the police."""
        from huxiao.core.models import SUBDISTRICT_WIDE_ROLES, Role
        from huxiao.core.scoping import unit_scope

        road = Q(pk__in=[])
        if user.is_authenticated and user.role in SUBDISTRICT_WIDE_ROLES | {Role.POLICE}:
            road = Q(unit__isnull=True, subdistrict_id=user.organisation.subdistrict_id)
        return unit_scope(user, "unit") | road


class CheckInRole(models.TextChoices):
    POLICE = "police", _("Police")
    GUARD = "guard", _("Guard")
    STAFF = "staff", _("Staff escort")
    PATROL = "patrol", _("Patrol volunteer")


class CheckInMethod(models.TextChoices):
    QR = "qr", _("QR code")
    TAP = "tap", _("Tap in the app")


class CheckIn(AuditedMixin, models.Model):
    """Someone was at the gate in an arrival or dismissal window (F-FORCE-2). One per person per window."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="checkins")
    point = models.ForeignKey(CheckInPoint, verbose_name=_("point"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="checkins")
    user = models.ForeignKey("core.User", verbose_name=_("who"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("as"), max_length=8, choices=CheckInRole.choices)
    person_name = models.CharField(_("name"), max_length=60)
    at = models.DateTimeField(_("at"))
    method = models.CharField(_("method"), max_length=4, choices=CheckInMethod.choices)
    window = models.ForeignKey("timetable.TimetableWindow", verbose_name=_("window"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    window_kind = models.CharField(_("window"), max_length=12, blank=True,
                                   choices=[("arrival", _("Arrival")), ("dismissal", _("Dismissal"))])
    day = models.DateField(_("date"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["unit", "day", "role"], name="checkin_unit_day_role"),
            models.Index(fields=["day", "role"], name="checkin_day_role"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["window", "day", "user"], condition=Q(window__isnull=False),
                                    name="checkin_once_per_window"),
            models.CheckConstraint(condition=Q(role__in=CheckInRole.values), name="checkin_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        from huxiao.core.models import SUBDISTRICT_WIDE_ROLES, Role
        from huxiao.core.scoping import unit_scope

        road = Q(pk__in=[])
        if user.is_authenticated and user.role in SUBDISTRICT_WIDE_ROLES | {Role.POLICE}:
            road = Q(unit__isnull=True, point__subdistrict_id=user.organisation.subdistrict_id)
        return unit_scope(user, "unit") | road
