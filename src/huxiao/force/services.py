"""Writes of the security force (STYLE habit 2): keyword-only, one transaction each, permission checked,
and the unit's compliance verdicts refreshed before the commit, so the matrix never lags the records."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.compliance.engine import refresh_unit
from huxiao.core.dates import age_on
from huxiao.core.errors import Conflict
from huxiao.core.models import Organisation, OrgType, Role, Unit, User
from huxiao.core.permissions import require
from huxiao.core.validators import resident_id_birth_date, validate_phone, validate_resident_id
from huxiao.force.models import (
    CheckIn,
    CheckInMethod,
    CheckInPoint,
    CheckInRole,
    Equipment,
    EscortDuty,
    Guard,
    Lecture,
    LegalVicePrincipal,
    PatrolAssignment,
    PatrolTeam,
    PointKind,
    PoliceAssignment,
    PoliceRoom,
    StaffMember,
)
from huxiao.force.permissions import is_police_of


def _create_once(model: Any, errors: dict[str, str], **fields: Any) -> Any:
    """Create a row whose uniqueness the database keeps; a duplicate is the user's error, said as such."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        raise ValidationError(errors) from None


def _apply(instance: Any, data: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: _("You may not change this field.") for name in unknown})
    for name, value in data.items():
        setattr(instance, name, value)


# --- F-FORCE-1: duty officers ------------------------------------------------------------------------

def _end_current(model: Any, unit: Unit, start_date: date, message: str) -> None:
    """End the unit's current row of ``model`` the day before ``start_date``. The row is locked, so two
    people appointing at once cannot both end the same one; the partial unique index keeps one current."""
    previous = model.objects.select_for_update().filter(unit=unit, end_date__isnull=True).first()
    if previous is None:
        return
    if start_date <= previous.start_date:
        raise ValidationError({"start_date": message % {"date": previous.start_date.isoformat()}})
    previous.end_date = start_date - timedelta(days=1)
    previous.save(update_fields=["end_date"])


@transaction.atomic
def police_assign(*, actor: User, unit: Unit, officer_name: str, badge_no: str, phone: str, start_date: date,
                  officer: User | None = None, end_date: date | None = None) -> PoliceAssignment:
    """Make this officer the unit's duty officer from ``start_date``; the current one's assignment ends the
    day before. History is kept: nothing is overwritten."""
    require(actor, "force.assign_police", unit)
    phone = validate_phone(phone)
    if officer is not None and not is_police_of(officer, unit):
        raise ValidationError({"officer": _("Choose a police officer's account of this sub-district.")})
    if end_date is not None:
        raise ValidationError({"end_date": _("A new assignment is open-ended; end it with its own action.")})
    _end_current(PoliceAssignment, unit, start_date, _("Must be after the current officer's start (%(date)s)."))
    assignment = PoliceAssignment(unit=unit, officer_name=officer_name.strip(), badge_no=badge_no.strip(),
                                  phone=phone, start_date=start_date, officer=officer,
                                  station=unit.police_station)
    assignment.full_clean()
    assignment.save()
    refresh_unit(unit.pk)
    return assignment


@transaction.atomic
def police_assignment_end(*, actor: User, assignment: PoliceAssignment, end_date: date) -> PoliceAssignment:
    require(actor, "force.assign_police", assignment.unit)
    from django.db.models import Q

    from huxiao.core.audit import update_where

    if not update_where(assignment, where=Q(end_date__isnull=True, start_date__lte=end_date), end_date=end_date):
        assignment.refresh_from_db()
        if assignment.end_date is not None:
            raise ValidationError({"end_date": _("This assignment has already ended.")})
        raise ValidationError({"end_date": _("Cannot end before it started (%(date)s).") % {
            "date": assignment.start_date.isoformat()}})
    refresh_unit(assignment.unit_id)
    return assignment


# --- F-FORCE-3: legal vice-principals and lectures --------------------------------------------------

@transaction.atomic
def lvp_appoint(*, actor: User, unit: Unit, name: str, start_date: date, employer: str = "",
                phone: str = "") -> LegalVicePrincipal:
    require(actor, "force.appoint_lvp", unit)
    if phone:
        phone = validate_phone(phone)
    _end_current(LegalVicePrincipal, unit, start_date,
                 _("Must be after the current appointment's start (%(date)s)."))
    lvp = LegalVicePrincipal(unit=unit, name=name.strip(), employer=employer, phone=phone, start_date=start_date)
    lvp.full_clean()
    lvp.save()
    refresh_unit(unit.pk)
    return lvp


@transaction.atomic
def lecture_record(*, actor: User, unit: Unit, date: date, class_name: str, topic: str, class_hours: Any,
                   audience: int = 0, lecturer: LegalVicePrincipal | None = None) -> Lecture:
    require(actor, "force.record_lecture", unit)
    if date > timezone.localdate():
        raise ValidationError({"date": _("A lecture is recorded after it was given.")})
    if lecturer is not None and lecturer.unit_id != unit.pk:
        raise ValidationError({"lecturer": _("Choose this unit's legal vice-principal.")})
    if lecturer is None:
        lecturer = LegalVicePrincipal.objects.filter(unit=unit, start_date__lte=date).filter(
            end_date__isnull=True).first()
    lecture = Lecture(unit=unit, lecturer=lecturer, date=date, class_name=class_name, topic=topic,
                      class_hours=class_hours, audience=audience)
    lecture.full_clean()
    lecture.save()
    refresh_unit(unit.pk)
    return lecture


# --- F-FORCE-4: guards and equipment ----------------------------------------------------------------

GUARD_FIELDS = {"name", "id_number", "birth_date", "phone", "certificate_no", "employer", "hire_date", "active"}


def _clean_guard(guard: Guard, *, id_number_given: bool, birth_date_given: bool) -> None:
    """A resident ID carries the birth date: it fills the birth date, or must agree with one given with it."""
    errors: dict[str, str] = {}
    if id_number_given and guard.id_number:
        try:
            guard.id_number = validate_resident_id(guard.id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
        else:
            born = resident_id_birth_date(guard.id_number)
            if guard.birth_date is None or not birth_date_given:
                guard.birth_date = born  # type: ignore[assignment]
            elif born != guard.birth_date:
                errors["birth_date"] = _("Does not match the birth date in the ID number (%(date)s).") % {
                    "date": born.isoformat() if born else "?"}
    if guard.birth_date is None and "id_number" not in errors:
        errors["birth_date"] = _("Give the birth date or a resident ID number.")
    elif guard.birth_date is not None and age_on(guard.birth_date, timezone.localdate()) < 18:
        errors["birth_date"] = _("A guard must be an adult (18 or older).")
    if guard.phone:
        try:
            guard.phone = validate_phone(guard.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    if guard.hire_date and guard.hire_date > timezone.localdate() + timedelta(days=60):
        errors["hire_date"] = _("The hire date is too far in the future.")
    if errors:
        raise ValidationError(errors)
    guard.name = guard.name.strip()
    guard.certificate_no = guard.certificate_no.strip()
    guard.full_clean()


@transaction.atomic
def guard_create(*, actor: User, unit: Unit, **data: Any) -> Guard:
    require(actor, "force.manage_guards", unit)
    guard = Guard(unit=unit)
    _apply(guard, data, GUARD_FIELDS)
    _clean_guard(guard, id_number_given="id_number" in data, birth_date_given="birth_date" in data)
    guard.save()
    refresh_unit(unit.pk)
    return guard


@transaction.atomic
def guard_update(*, actor: User, guard: Guard, **data: Any) -> Guard:
    require(actor, "force.manage_guards", guard.unit)
    _apply(guard, data, GUARD_FIELDS)
    _clean_guard(guard, id_number_given="id_number" in data, birth_date_given="birth_date" in data)
    guard.save()
    refresh_unit(guard.unit_id)
    return guard


@transaction.atomic
def guard_delete(*, actor: User, guard: Guard) -> None:
    require(actor, "force.manage_guards", guard.unit)
    unit_id = guard.unit_id
    guard.delete()
    refresh_unit(unit_id)


@transaction.atomic
def equipment_add(*, actor: User, unit: Unit, kind: str, quantity: int, note: str = "") -> Equipment:
    """One row per kind: adding a kind the unit already holds is a validation error naming the row."""
    require(actor, "force.manage_guards", unit)
    if kind != "other":
        existing = Equipment.objects.filter(unit=unit, kind=kind).first()
        if existing is not None:
            raise ValidationError({"kind": _("This unit already has a row for this kind (id %(id)s): change its "
                                             "quantity instead.") % {"id": existing.pk}})
    item = Equipment(unit=unit, kind=kind, quantity=quantity, note=note)
    item.full_clean()
    item.save()
    refresh_unit(unit.pk)
    return item


@transaction.atomic
def equipment_set(*, actor: User, unit: Unit, quantities: dict[str, int]) -> None:
    """Set the quantity of each kind at once (the equipment form); row by row so each change is audited."""
    require(actor, "force.manage_guards", unit)
    held = {e.kind: e for e in Equipment.objects.select_for_update().filter(unit=unit).exclude(kind="other")}
    for kind, quantity in quantities.items():
        if kind not in held:
            if quantity:
                Equipment.objects.create(unit=unit, kind=kind, quantity=quantity)
        elif held[kind].quantity != quantity:
            held[kind].quantity = quantity
            held[kind].save(update_fields=["quantity"])
    refresh_unit(unit.pk)


@transaction.atomic
def equipment_update(*, actor: User, item: Equipment, **data: Any) -> Equipment:
    require(actor, "force.manage_guards", item.unit)
    _apply(item, data, {"quantity", "note"})
    item.full_clean()
    item.save()
    refresh_unit(item.unit_id)
    return item


@transaction.atomic
def equipment_delete(*, actor: User, item: Equipment) -> None:
    require(actor, "force.manage_guards", item.unit)
    unit_id = item.unit_id
    item.delete()
    refresh_unit(unit_id)


# --- F-FORCE-5: staff security team ------------------------------------------------------------------

@transaction.atomic
def staff_member_add(*, actor: User, unit: Unit, name: str, position: str = "", phone: str = "",
                     user: User | None = None, active: bool = True) -> StaffMember:
    require(actor, "force.manage_team", unit)
    if phone:
        phone = validate_phone(phone)
    if user is not None and user.organisation_id != unit.pk:
        raise ValidationError({"user": _("Choose an account of this unit.")})
    member = StaffMember(unit=unit, name=name.strip(), position=position, phone=phone, user=user, active=active)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def staff_member_update(*, actor: User, member: StaffMember, **data: Any) -> StaffMember:
    require(actor, "force.manage_team", member.unit)
    _apply(member, data, {"name", "position", "phone", "active"})
    if member.phone:
        member.phone = validate_phone(member.phone)
    member.full_clean()
    member.save()
    return member


def _check_window(unit: Unit, window: Any, weekdays: str) -> str:
    if window.unit_id != unit.pk or window.kind not in {"arrival", "dismissal"}:
        raise ValidationError({"window": _("Choose an arrival or dismissal window of this unit.")})
    if not weekdays or any(ch not in "1234567" for ch in weekdays) or len(set(weekdays)) != len(weekdays):
        raise ValidationError({"weekdays": _("Weekdays are digits 1 (Monday) to 7 (Sunday), each at most once.")})
    return "".join(sorted(weekdays))


@transaction.atomic
def escort_duty_add(*, actor: User, member: StaffMember, window: Any, weekdays: str = "12345") -> EscortDuty:
    require(actor, "force.manage_team", member.unit)
    weekdays = _check_window(member.unit, window, weekdays)
    return _create_once(EscortDuty, {"window": _("This member is already on the rota for this window.")},
                        unit=member.unit, member=member, window=window, weekdays=weekdays)


# --- F-FORCE-6: community patrols --------------------------------------------------------------------

@transaction.atomic
def patrol_team_add(*, actor: User, community: Organisation, name: str, leader: str = "", phone: str = "",
                    members: int = 0) -> PatrolTeam:
    if community.type != OrgType.COMMUNITY:
        raise ValidationError({"community": _("Choose a community.")})
    require(actor, "force.manage_patrols", community)
    if phone:
        phone = validate_phone(phone)
    team = PatrolTeam(community=community, name=name.strip(), leader=leader, phone=phone, members=members)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def patrol_assign(*, actor: User, team: PatrolTeam, window: Any, weekdays: str = "12345") -> PatrolAssignment:
    require(actor, "force.manage_patrols", team.community)
    unit = window.unit
    if unit.subdistrict_id != team.community.subdistrict_id:
        raise ValidationError({"window": _("Choose a window of a unit in this sub-district.")})
    weekdays = _check_window(unit, window, weekdays)
    return _create_once(PatrolAssignment, {"window": _("This team is already assigned to this window.")},
                        team=team, unit=unit, window=window, weekdays=weekdays)


# --- F-FORCE-7: campus police room -------------------------------------------------------------------

@transaction.atomic
def police_room_set(*, actor: User, unit: Unit, set_up: bool, location: str = "", set_up_on: date | None = None,
                    officer: PoliceAssignment | None = None, note: str = "") -> PoliceRoom:
    require(actor, "force.change_police_room", unit)
    if set_up and not location:
        raise ValidationError({"location": _("Say where the police room is.")})
    if officer is not None and officer.unit_id != unit.pk:
        raise ValidationError({"officer": _("Choose one of this unit's duty officers.")})
    room = PoliceRoom.objects.select_for_update().filter(unit=unit).first() or PoliceRoom(unit=unit)
    room.set_up, room.location, room.set_up_on, room.officer, room.note = set_up, location, set_up_on, officer, note
    room.full_clean(validate_unique=False)
    room.save()
    refresh_unit(unit.pk)
    return room


# --- F-FORCE-2: check-ins ----------------------------------------------------------------------------

ROLE_OF_USER: dict[str, str] = {
    Role.POLICE: CheckInRole.POLICE,
    Role.GUARD: CheckInRole.GUARD,
    Role.UNIT_ADMIN: CheckInRole.STAFF,
    Role.TEACHER: CheckInRole.STAFF,
    Role.PATROL: CheckInRole.PATROL,
}


class OutsideWindow(ValidationError):
    pass


@transaction.atomic
def checkin_record(*, actor: User, unit: Unit | None = None, point: CheckInPoint | None = None,
                   method: str = CheckInMethod.TAP, at: datetime | None = None) -> CheckIn:
    """Record that ``actor`` is at the gate now. At a unit's gate it must be inside an arrival or dismissal
    window (that is what visibility counts); checking in twice in a window is a 409, not a second row."""
    from huxiao.timetable.selectors import windows_on

    at = timezone.localtime(at or timezone.now())
    if point is not None:
        unit = point.unit
    role = ROLE_OF_USER.get(actor.role)
    if role is None:
        raise PermissionDenied
    if unit is None:
        if point is None or point.kind != PointKind.ROAD_POST or role != CheckInRole.POLICE:
            raise PermissionDenied
        if point.subdistrict_id != actor.organisation.subdistrict_id:
            raise PermissionDenied
        checkin = CheckIn.objects.create(point=point, user=actor, role=role, person_name=_person(actor), at=at,
                                         method=method, day=at.date())
        return checkin
    require(actor, "force.check_in", unit)
    window = next((w for w in windows_on(unit, at.date())
                   if w.kind in {"arrival", "dismissal"} and w.start <= at.time() < w.end), None)
    if window is None:
        raise OutsideWindow({"at": _("There is no arrival or dismissal window at %(unit)s now: check-ins count "
                                     "only within one.") % {"unit": unit.name}}, code="outside_window")
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(unit=unit, point=point, user=actor, role=role,
                                             person_name=_person(actor), at=at, method=method, window=window,
                                             window_kind=window.kind, day=at.date())
    except IntegrityError:
        first = CheckIn.objects.get(window=window, day=at.date(), user=actor)
        raise Conflict(_("You already checked in for this window, at %(time)s.") % {
            "time": timezone.localtime(first.at).strftime("%H:%M")}, code="already_checked_in",
            checked_in_at=first.at.isoformat()) from None
    if role == CheckInRole.POLICE:
        refresh_unit(unit.pk)
    return checkin


def _person(user: User) -> str:
    return user.full_name or user.username


@transaction.atomic
def point_create(*, actor: User, subdistrict: Organisation, name: str, unit: Unit | None = None,
                 kind: str = PointKind.GATE, lat: float | None = None, lng: float | None = None) -> CheckInPoint:
    if unit is not None:
        require(actor, "force.manage_points", unit)
        kind = PointKind.GATE
    else:
        require(actor, "force.manage_road_points", subdistrict)
    point = CheckInPoint(subdistrict=subdistrict, unit=unit, kind=kind, name=name, lat=lat, lng=lng)
    point.full_clean()
    point.save()
    return point


@transaction.atomic
def point_rotate(*, actor: User, point: CheckInPoint) -> CheckInPoint:
    """A new code for the point: a photo of the old QR code no longer checks anyone in."""
    from huxiao.force.models import _token

    if point.unit is not None:
        require(actor, "force.manage_points", point.unit)
    else:
        require(actor, "force.manage_road_points", point.subdistrict)
    point.token = _token()
    point.save(update_fields=["token"])
    return point
