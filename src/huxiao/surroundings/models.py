"""F-SURR-1 premises near campuses (网吧、电游室、录像厅、歌舞厅、出租房…), clean-up campaigns (专项整治) and their
records; F-SURR-2 traffic and illegal-taxi (黑出租) reports, each rectified as a hazard (``hazards``).

A premises belongs to a sub-district. Its nearest unit and the distance to that unit's campus (its drawn
boundary, else its point; ``geo``) are stored on the row and recomputed when the premises moves or a unit
moves (``services.premises_relocate``), so lists and rules read columns, never compute.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huxiao.core.audit import AuditedMixin
from huxiao.core.scoping import NOTHING, ScopedQuerySet, unit_staff_police_subdistrict


class PremisesKind(models.TextChoices):
    RENTAL_HOUSE = "rental_house", _("Rental house")
    INTERNET_CAFE = "internet_cafe", _("Internet café")
    GAME_HALL = "game_hall", _("Game hall")
    VIDEO_HALL = "video_hall", _("Video hall")
    DANCE_HALL = "dance_hall", _("Dance hall or KTV")
    BAR = "bar", _("Bar")
    OTHER = "other", _("Other")


class PremisesStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    CLOSED = "closed", pgettext_lazy("premises", "Closed")
    RELOCATED = "relocated", _("Relocated")


def _lat() -> list[Any]:
    return [MinValueValidator(-90), MaxValueValidator(90)]


def _lng() -> list[Any]:
    return [MinValueValidator(-180), MaxValueValidator(180)]


def premises_scope(user: Any, path: str = "") -> Q:
    """Who sees a premises (``path`` leads to it from another model):

    - the sub-district's roles: every premises of their sub-district;
    - the police: premises whose nearest unit their station covers (a station answers for the streets
      around its own campuses; those of another station are that station's);
    - a unit's admin, guards and teachers: the premises nearest their own unit, to read;
    - parents, bus attendants and patrols: none.
    """
    from huxiao.core.models import SUBDISTRICT_WIDE_ROLES, Role

    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    prefix = f"{path}__" if path else ""
    if user.role in SUBDISTRICT_WIDE_ROLES:
        return Q(**{f"{prefix}subdistrict_id": user.organisation.subdistrict_id})
    if user.role == Role.POLICE:
        return Q(**{f"{prefix}nearest_unit__police_station_id": user.organisation_id})
    if user.role in {Role.UNIT_ADMIN, Role.GUARD, Role.TEACHER}:
        return Q(**{f"{prefix}nearest_unit_id": user.organisation_id})
    return NOTHING


class Premises(AuditedMixin, models.Model):
    subdistrict = models.ForeignKey("core.Organisation", verbose_name=_("sub-district"), on_delete=models.PROTECT,
                                    related_name="premises")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=PremisesKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), validators=_lat())
    lng = models.FloatField(_("longitude"), validators=_lng())
    licence_no = models.CharField(_("licence number"), max_length=60, blank=True)
    operator = models.CharField(_("operator"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PremisesStatus.choices,
                              default=PremisesStatus.OPERATING)
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)
    # Derived (``geo``): recomputed when the premises or a unit of its sub-district moves.
    nearest_unit = models.ForeignKey("core.Unit", verbose_name=_("nearest unit"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="nearby_premises", editable=False)
    distance_m = models.FloatField(_("distance (m)"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("premises")
        verbose_name_plural = _("premises")
        ordering = ["distance_m", "name", "id"]
        indexes = [models.Index(fields=["subdistrict", "kind"], name="premises_subdistrict_kind"),
                   models.Index(fields=["nearest_unit", "distance_m"], name="premises_nearest_unit")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PremisesKind.values), name="premises_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=PremisesStatus.values), name="premises_status_valid"),
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                                   name="premises_coordinates_valid"),
            models.CheckConstraint(condition=Q(distance_m__isnull=True) | Q(distance_m__gte=0),
                                   name="premises_distance_not_negative"),
            models.CheckConstraint(condition=Q(status="operating") | Q(cleared_on__isnull=False),
                                   name="premises_cleared_has_date"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return premises_scope(user)

    @property
    def cleared(self) -> bool:
        return self.status != PremisesStatus.OPERATING


def campaign_scope(user: Any) -> Q:
    """The sub-district's roles see its campaigns; the police those their own station leads and those an
    office of their sub-district leads (not another station's); nobody else."""
    from huxiao.core.models import SUBDISTRICT_WIDE_ROLES, OrgType, Role

    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.role in SUBDISTRICT_WIDE_ROLES:
        return Q(subdistrict_id=user.organisation.subdistrict_id)
    if user.role == Role.POLICE:
        return Q(subdistrict_id=user.organisation.subdistrict_id) & (
            Q(lead_office_id=user.organisation_id) | ~Q(lead_office__type=OrgType.POLICE_STATION))
    return NOTHING


class Campaign(AuditedMixin, models.Model):
    """A clean-up campaign (专项整治) of a sub-district, led by one of its offices or its police station."""

    subdistrict = models.ForeignKey("core.Organisation", verbose_name=_("sub-district"), on_delete=models.PROTECT,
                                    related_name="campaigns")
    title = models.CharField(_("title"), max_length=120)
    lead_office = models.ForeignKey("core.Organisation", verbose_name=_("lead office"), on_delete=models.PROTECT,
                                    related_name="led_campaigns")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("clean-up campaign")
        verbose_name_plural = _("clean-up campaigns")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["subdistrict", "-starts_on"], name="campaign_subdistrict_recent")]
        constraints = [models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                              name="campaign_ends_after_start")]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return campaign_scope(user)


class CleanupAction(models.TextChoices):
    INSPECTED = "inspected", _("Inspected")
    RECTIFIED = "rectified", _("Rectified")
    CLOSED = "closed", pgettext_lazy("premises", "Closed")
    RELOCATED = "relocated", _("Relocated")


# A premises closed or relocated is cleared: it no longer counts against the campus.
CLEARING_ACTIONS = {CleanupAction.CLOSED: PremisesStatus.CLOSED, CleanupAction.RELOCATED: PremisesStatus.RELOCATED}


class CleanupRecord(AuditedMixin, models.Model):
    """What was done about one premises on one day, in a campaign or on a routine round."""

    premises = models.ForeignKey(Premises, verbose_name=_("premises"), on_delete=models.CASCADE,
                                 related_name="records")
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="records")
    date = models.DateField(_("date"))
    action = models.CharField(_("action taken"), max_length=12, choices=CleanupAction.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("clean-up record")
        verbose_name_plural = _("clean-up records")
        ordering = ["premises_id", "-date", "-id"]
        indexes = [models.Index(fields=["premises", "-date"], name="cleanup_premises_recent")]
        constraints = [models.CheckConstraint(condition=Q(action__in=CleanupAction.values),
                                              name="cleanup_action_valid")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.date:%Y-%m-%d}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return premises_scope(user, "premises")

    def get_additional_data(self) -> dict[str, Any]:
        return {"subdistrict": Premises.objects.filter(pk=self.premises_id).values_list(
            "subdistrict_id", flat=True).first()}


class TrafficKind(models.TextChoices):
    GATE_DISORDER = "gate_disorder", _("Traffic disorder at the gate")
    ILLEGAL_TAXI = "illegal_taxi", _("Illegal taxi touting")
    OTHER = "other", _("Other")


class TrafficReport(AuditedMixin, models.Model):
    """Disorder at a unit's gate or illegal taxis (黑出租) touting near it (F-SURR-2), rectified as a hazard."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="traffic_reports")
    kind = models.CharField(_("kind"), max_length=16, choices=TrafficKind.choices)
    place = models.CharField(_("place"), max_length=120)
    lat = models.FloatField(_("latitude"), null=True, blank=True, validators=_lat())
    lng = models.FloatField(_("longitude"), null=True, blank=True, validators=_lng())
    observed_at = models.DateTimeField(_("observed at"))
    description = models.TextField(_("description"), blank=True, max_length=2000)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"),
                                    on_delete=models.PROTECT, related_name="+")
    hazard = models.ForeignKey("hazards.Hazard", verbose_name=_("hazard"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="traffic_reports", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("traffic report")
        verbose_name_plural = _("traffic reports")
        ordering = ["-observed_at", "-id"]
        indexes = [models.Index(fields=["unit", "-observed_at"], name="traffic_unit_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TrafficKind.values), name="traffic_kind_valid"),
            models.CheckConstraint(condition=Q(lat__isnull=True, lng__isnull=True)
                                   | Q(lat__isnull=False, lng__isnull=False), name="traffic_point_whole"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.place}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return unit_staff_police_subdistrict(user)
