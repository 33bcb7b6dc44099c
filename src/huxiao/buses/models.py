"""F-BUS-1 school buses (校车): a unit's buses and their pre-trip checks, drivers and their training
records, routes with ordered stops, and trips with the attendant's boarding count.

A bus or a driver may be *grounded* (停运): the bus's inspection or insurance expired or its last pre-trip
check failed; the driver outside the age band, untrained for too long or with an expired licence. The
reasons are pure functions of the rows (``bus_grounds``, ``driver_grounds``), shared by the services, which
refuse a trip with them, and by the rules, which flag them.

No ID number is stored: a Chinese driving licence's number *is* its holder's resident ID number, so a
driver is recorded by the licence's file number (档案编号) instead.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from huxiao.core.audit import AuditedMixin
from huxiao.core.dates import age_on
from huxiao.core.scoping import NOTHING, ScopedQuerySet, unit_scope
from huxiao.core.validators import phone_validator

# GB 24407-2012: a kindergarten bus seats at most 45 children, other school buses at most 56.
KINDERGARTEN_BUS_MAX_SEATS = 45
SCHOOL_BUS_MAX_SEATS = 56
# A count above this is a typing slip, not a load: no school bus holds it.
MAX_BOARDING = 150

plate_validator = RegexValidator(
    r"^[\u4e00-\u9fff][A-Z]·?[A-Z0-9]{5,6}$",
    _("Enter a plate such as 浙A·12345 (province, letter, five or six letters and digits)."), code="plate_format")
licence_file_validator = RegexValidator(r"^\d{12}$", _("Enter the licence's 12-digit file number (档案编号)."),
                                        code="licence_file_format")


def normal_plate(plate: str) -> str:
    """``浙a 12345`` → ``浙A·12345``: one spelling, so a plate is found once per unit."""
    text = "".join(str(plate).split()).upper().replace("•", "·").replace(".", "·")
    if len(text) > 2 and text[2] != "·":
        text = f"{text[:2]}·{text[2:]}"
    return text


def bus_scope(user: Any, path: str = "unit") -> Q:
    """A unit's buses are seen by its staff (its bus attendants included), its police station and its
    sub-district; not by guardians or patrol volunteers."""
    from huxiao.core.models import Role

    if user is not None and getattr(user, "role", None) in {Role.GUARDIAN, Role.PATROL}:
        return NOTHING
    return unit_scope(user, path)


class BusKind(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("Kindergarten bus")
    PRIMARY = "primary", _("Primary-school bus")
    SCHOOL = "school", _("School bus")


def max_seats(kind: str) -> int:
    return KINDERGARTEN_BUS_MAX_SEATS if kind == BusKind.KINDERGARTEN else SCHOOL_BUS_MAX_SEATS


class Bus(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="buses")
    plate = models.CharField(_("plate"), max_length=12, validators=[plate_validator])
    kind = models.CharField(_("kind"), max_length=12, choices=BusKind.choices)
    seats = models.PositiveSmallIntegerField(_("seats"), validators=[MinValueValidator(1)],
                                             help_text=_("Kindergarten buses at most 45, other school buses 56."))
    inspection_expires = models.DateField(_("inspection valid until"))
    insurance_expires = models.DateField(_("insurance valid until"))
    active = models.BooleanField(_("in service"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("school bus")
        verbose_name_plural = _("school buses")
        ordering = ["unit_id", "plate"]
        indexes = [models.Index(fields=["unit", "active"], name="bus_unit_active"),
                   models.Index(fields=["inspection_expires"], name="bus_inspection_expires")]
        constraints = [
            models.UniqueConstraint(fields=["unit", "plate"], name="bus_plate_once_per_unit"),
            models.CheckConstraint(condition=Q(kind__in=BusKind.values), name="bus_kind_valid"),
            models.CheckConstraint(
                condition=Q(seats__gte=1) & (
                    Q(kind=BusKind.KINDERGARTEN, seats__lte=KINDERGARTEN_BUS_MAX_SEATS)
                    | (~Q(kind=BusKind.KINDERGARTEN) & Q(seats__lte=SCHOOL_BUS_MAX_SEATS))),
                name="bus_seats_within_kind_limit"),
        ]

    def __str__(self) -> str:
        return self.plate

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return bus_scope(user)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[Any]] = {}
        if self.kind and self.seats and self.seats > max_seats(self.kind):
            errors["seats"] = [_("A %(kind)s seats at most %(n)s.") % {"kind": self.get_kind_display(),
                                                                       "n": max_seats(self.kind)}]
        unit = getattr(self, "unit", None) if self.unit_id else None
        if unit is not None and unit.kind == "kindergarten" and self.kind and self.kind != BusKind.KINDERGARTEN:
            errors["kind"] = [_("A kindergarten's bus is a kindergarten bus (幼儿专用校车).")]
        if errors:
            raise ValidationError(errors)


class BusCheck(AuditedMixin, models.Model):
    """A pre-trip condition check (brakes, lights, tyres, doors, extinguisher, hammer). The latest one
    counts: a failed check grounds the bus until one passes."""

    bus = models.ForeignKey(Bus, verbose_name=_("bus"), on_delete=models.CASCADE, related_name="checks")
    date = models.DateField(_("date"))
    ok = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    checked_by = models.ForeignKey("core.User", verbose_name=_("checked by"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pre-trip check")
        verbose_name_plural = _("pre-trip checks")
        ordering = ["bus_id", "-date", "-id"]
        indexes = [models.Index(fields=["bus", "-date", "-id"], name="buscheck_bus_latest")]
        constraints = [models.CheckConstraint(condition=Q(ok=True) | ~Q(note=""), name="buscheck_failure_noted")]

    def __str__(self) -> str:
        return f"{self.bus_id} {self.date:%Y-%m-%d}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return bus_scope(user, "bus__unit")


class LicenceClass(models.TextChoices):
    """Licence classes that may drive a school bus (校车安全管理条例 Art. 23)."""

    A1 = "A1", "A1"
    A3 = "A3", "A3"
    B1 = "B1", "B1"


class Driver(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="bus_drivers")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    birth_date = models.DateField(_("date of birth"))
    licence_class = models.CharField(_("licence class"), max_length=2, choices=LicenceClass.choices)
    licence_file_no = models.CharField(_("licence file number"), max_length=12, validators=[licence_file_validator],
                                       help_text=_("档案编号: the licence number itself is the ID number and is not "
                                                   "stored."))
    licence_expires = models.DateField(_("licence valid until"))
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bus driver")
        verbose_name_plural = _("bus drivers")
        ordering = ["unit_id", "name", "id"]
        indexes = [models.Index(fields=["unit", "active"], name="busdriver_unit_active")]
        constraints = [
            models.UniqueConstraint(fields=["unit", "licence_file_no"], name="busdriver_licence_once_per_unit"),
            models.CheckConstraint(condition=Q(licence_class__in=LicenceClass.values),
                                   name="busdriver_licence_class_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return bus_scope(user)


class DriverTraining(AuditedMixin, models.Model):
    """One safety training a driver attended (校车驾驶人安全教育培训)."""

    driver = models.ForeignKey(Driver, verbose_name=_("driver"), on_delete=models.CASCADE, related_name="trainings")
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=100)
    hours = models.PositiveSmallIntegerField(_("hours"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    provider = models.CharField(_("provider"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("driver training")
        verbose_name_plural = _("driver trainings")
        ordering = ["driver_id", "-date", "-id"]
        indexes = [models.Index(fields=["driver", "-date"], name="drivertraining_latest")]
        constraints = [models.CheckConstraint(condition=Q(hours__gte=1), name="drivertraining_has_hours")]

    def __str__(self) -> str:
        return f"{self.topic} {self.date:%Y-%m-%d}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return bus_scope(user, "driver__unit")


class Route(AuditedMixin, models.Model):
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="bus_routes")
    name = models.CharField(_("name"), max_length=60)
    active = models.BooleanField(_("in use"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bus route")
        verbose_name_plural = _("bus routes")
        ordering = ["unit_id", "name"]
        indexes = [models.Index(fields=["unit", "active"], name="busroute_unit_active")]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="busroute_name_once_per_unit")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return bus_scope(user)


class Stop(AuditedMixin, models.Model):
    route = models.ForeignKey(Route, verbose_name=_("route"), on_delete=models.CASCADE, related_name="stops")
    order = models.PositiveSmallIntegerField(_("order"), validators=[MinValueValidator(1), MaxValueValidator(99)])
    name = models.CharField(_("name"), max_length=60)
    lat = models.FloatField(_("latitude"), null=True, blank=True,
                            validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lng = models.FloatField(_("longitude"), null=True, blank=True,
                            validators=[MinValueValidator(-180), MaxValueValidator(180)])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bus stop")
        verbose_name_plural = _("bus stops")
        ordering = ["route_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["route", "order"], name="busstop_order_once_per_route"),
            models.CheckConstraint(condition=Q(order__gte=1), name="busstop_order_positive"),
            models.CheckConstraint(condition=Q(lat__isnull=True, lng__isnull=True)
                                   | Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                                   name="busstop_position_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return bus_scope(user, "route__unit")

    def clean(self) -> None:
        super().clean()
        if (self.lat is None) != (self.lng is None):
            raise ValidationError({"lng" if self.lng is None else "lat": [
                _("Give both the latitude and the longitude, or neither.")]})


class Direction(models.TextChoices):
    TO_SCHOOL = "to_school", _("To school")
    FROM_SCHOOL = "from_school", _("From school")


class TripStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DEPARTED = "departed", _("On the road")
    ARRIVED = "arrived", _("Arrived")
    CANCELLED = "cancelled", _("Cancelled")


class Trip(AuditedMixin, models.Model):
    """One run of a route by a bus, its driver and its attendant (照管人员). The attendant taps in the
    boarding count as the bus sets off: a count above the bus's seats is kept as counted, the trip is
    marked overloaded, and the unit's admins and police hear of it at once."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="bus_trips")
    bus = models.ForeignKey(Bus, verbose_name=_("bus"), on_delete=models.PROTECT, related_name="trips")
    driver = models.ForeignKey(Driver, verbose_name=_("driver"), on_delete=models.PROTECT, related_name="trips")
    attendant = models.ForeignKey("core.User", verbose_name=_("attendant"), on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="bus_trips")
    route = models.ForeignKey(Route, verbose_name=_("route"), on_delete=models.PROTECT, related_name="trips")
    date = models.DateField(_("date"))
    direction = models.CharField(_("direction"), max_length=12, choices=Direction.choices)
    departs_at = models.TimeField(_("departs at"))
    status = models.CharField(_("status"), max_length=10, choices=TripStatus.choices, default=TripStatus.SCHEDULED)
    boarded = models.PositiveSmallIntegerField(_("children on board"), null=True, blank=True,
                                               validators=[MaxValueValidator(MAX_BOARDING)])
    boarded_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    boarded_by = models.ForeignKey("core.User", verbose_name=_("counted by"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    overloaded = models.BooleanField(_("overloaded"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bus trip")
        verbose_name_plural = _("bus trips")
        ordering = ["unit_id", "-date", "departs_at", "id"]
        indexes = [models.Index(fields=["unit", "date"], name="bustrip_unit_date"),
                   models.Index(fields=["attendant", "date"], name="bustrip_attendant_date"),
                   models.Index(fields=["driver", "date"], name="bustrip_driver_date"),
                   models.Index(fields=["unit", "overloaded", "date"], name="bustrip_unit_overloaded")]
        constraints = [
            models.UniqueConstraint(fields=["bus", "date", "departs_at"], name="bustrip_bus_once_at_a_time"),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="bustrip_direction_valid"),
            models.CheckConstraint(condition=Q(status__in=TripStatus.values), name="bustrip_status_valid"),
            models.CheckConstraint(condition=Q(boarded__isnull=True) | Q(boarded__lte=MAX_BOARDING),
                                   name="bustrip_boarded_plausible"),
            models.CheckConstraint(condition=Q(overloaded=False) | Q(boarded__isnull=False),
                                   name="bustrip_overload_counted"),
            models.CheckConstraint(condition=Q(status__in=[TripStatus.SCHEDULED, TripStatus.CANCELLED])
                                   | Q(boarded__isnull=False), name="bustrip_departed_counted"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.departs_at:%H:%M} {self.get_direction_display()}"

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        return bus_scope(user)

    def clean(self) -> None:
        """The bus, the driver, the route and the attendant are the trip's unit's; the attendant is one of
        its bus attendants."""
        from huxiao.core.models import Role

        super().clean()
        errors: dict[str, list[Any]] = {}
        for name in ("bus", "driver", "route"):
            related = getattr(self, name) if getattr(self, f"{name}_id") else None
            if related is not None and related.unit_id != self.unit_id:
                errors[name] = [_("Choose one of the unit's own.")]
        attendant = self.attendant if self.attendant_id else None
        if attendant is not None and (attendant.organisation_id != self.unit_id
                                      or attendant.role != Role.BUS_ATTENDANT or not attendant.is_active):
            errors["attendant"] = [_("Choose one of the unit's bus attendants.")]
        if errors:
            raise ValidationError(errors)


# --- grounded (停运): the reasons, as untranslated msgids with their arguments -----------------------

def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    import calendar

    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def bus_grounds(*, inspection_expires: date, insurance_expires: date, last_check_ok: bool | None,
                active: bool, day: date) -> list[dict[str, Any]]:
    """Why the bus may not run on ``day`` (nothing: it may)."""
    from huxiao.compliance.registry import msg

    out = []
    if not active:
        out.append(msg(gettext_noop("The bus is out of service.")))
    if inspection_expires < day:
        out.append(msg(gettext_noop("Its inspection expired on %(date)s."), date=inspection_expires))
    if insurance_expires < day:
        out.append(msg(gettext_noop("Its insurance expired on %(date)s."), date=insurance_expires))
    if last_check_ok is False:
        out.append(msg(gettext_noop("Its last pre-trip check failed.")))
    return out


def driver_grounds(*, birth_date: date, licence_expires: date, last_trained: date | None, active: bool, day: date,
                   min_age: int, max_age: int, training_months: int) -> list[dict[str, Any]]:
    """Why the driver may not drive a school bus on ``day``."""
    from huxiao.compliance.registry import msg

    out = []
    if not active:
        out.append(msg(gettext_noop("The driver is no longer active.")))
    age = age_on(birth_date, day)
    if not min_age <= age <= max_age:
        out.append(msg(gettext_noop("Aged %(age)s on %(date)s: school bus drivers are %(min)s to %(max)s."),
                       age=age, date=day, min=min_age, max=max_age))
    if licence_expires < day:
        out.append(msg(gettext_noop("The driving licence expired on %(date)s."), date=licence_expires))
    if last_trained is None:
        out.append(msg(gettext_noop("No safety training is recorded.")))
    elif add_months(last_trained, training_months) < day:
        out.append(msg(gettext_noop("Last trained on %(date)s: training is due every %(months)s months."),
                       date=last_trained, months=training_months))
    return out
