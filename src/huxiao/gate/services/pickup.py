"""F-GATE-2 writes: classes, children, pick-up persons and their cards, delegations, and the release.

``pickup_release`` is the hot path of a dismissal. It does little per request: the child (scoped), the
authorisation (one indexed lookup), the dismissal slot (the day's windows), one INSERT that the unique
constraint makes exactly-once, its audit row. A refusal is recorded and alerted before the 403 goes out.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.core.audit import update_where
from huxiao.core.dates import age_on
from huxiao.core.errors import Conflict, Refused
from huxiao.core.fields import lookup_hash
from huxiao.core.models import Role, Unit, User
from huxiao.core.permissions import require
from huxiao.core.validators import resident_id_birth_date, validate_phone, validate_resident_id
from huxiao.gate.models import (
    CREDENTIAL_PREFIX,
    Child,
    Delegation,
    PickupPerson,
    RefusedPickup,
    Release,
    ReleaseMethod,
    SchoolClass,
    new_code,
    new_credential,
)
from huxiao.gate.permissions import is_teacher_at
from huxiao.notify.models import Level
from huxiao.notify.services import notify, recipients

ADULT_AGE = 18


# --- classes, children, pick-up persons -------------------------------------------------------------

@transaction.atomic
def class_add(*, actor: User, unit: Unit, name: str, teacher: User | None = None) -> SchoolClass:
    require(actor, "gate.manage_classes", unit)
    if teacher is not None and not is_teacher_at(teacher, unit):
        raise ValidationError({"teacher": _("Choose a teacher of this unit.")})
    school_class = SchoolClass(unit=unit, name=name.strip(), teacher=teacher)
    school_class.full_clean()
    school_class.save()
    return school_class


@transaction.atomic
def child_add(*, actor: User, school_class: SchoolClass, name: str, birth_date: date | None = None) -> Child:
    require(actor, "gate.manage_children", school_class)
    child = Child(unit_id=school_class.unit_id, school_class=school_class, name=name.strip(), birth_date=birth_date)
    child.full_clean()
    child.save()
    return child


def _adult_id(id_number: str, field: str = "id_number") -> tuple[str, date]:
    """A valid resident ID of an adult (FEATURES §4: pick-up persons ≥ 18), and the birth date in it."""
    try:
        value = validate_resident_id(id_number)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    born = resident_id_birth_date(value)
    assert born is not None  # validate_resident_id checked it
    if age_on(born, timezone.localdate()) < ADULT_AGE:
        raise ValidationError({field: _("Only an adult (18 or older) may take a child: this ID belongs to someone "
                                        "born on %(date)s.") % {"date": born.isoformat()}})
    return value, born


@transaction.atomic
def pickup_person_add(*, actor: User, child: Child, name: str, relation: str, id_number: str,
                      phone: str = "") -> PickupPerson:
    require(actor, "gate.manage_pickup_persons", child)
    id_number, born = _adult_id(id_number)
    if phone:
        phone = validate_phone(phone)
    person = PickupPerson(child=child, unit_id=child.unit_id, name=name.strip(), relation=relation.strip(),
                          id_number=id_number, birth_date=born, phone=phone, credential=new_credential(),
                          credential_issued_at=timezone.now())
    person.full_clean(exclude=["credential", "credential_hash"])
    person.save()
    return person


@transaction.atomic
def pickup_person_revoke(*, actor: User, person: PickupPerson) -> PickupPerson:
    """Withdraw the authorisation and its card at once (a conditional update: revoking twice is a no-op)."""
    require(actor, "gate.manage_pickup_persons", person)
    if not update_where(person, where=Q(revoked_at__isnull=True), revoked_at=timezone.now()):
        person.refresh_from_db(fields=["revoked_at"])  # revoked already: the first time stands
    return person


@transaction.atomic
def pickup_card_reissue(*, actor: User, person: PickupPerson) -> PickupPerson:
    """A new card (the old one was lost): the old QR code stops working."""
    require(actor, "gate.manage_pickup_persons", person)
    if person.revoked_at is not None:
        raise ValidationError({"person": _("This authorisation was revoked: add the person again.")})
    person.credential = new_credential()
    person.credential_issued_at = timezone.now()
    person.save(update_fields=["credential", "credential_hash", "credential_issued_at"])
    return person


@transaction.atomic
def delegation_create(*, actor: User, child: Child, name: str, id_number: str, date: date,
                      requested_by: str) -> tuple[Delegation, str]:
    """The class teacher (or the unit admin), when a guardian asks: returns the delegation and its code,
    which is shown once, to be passed on to the guardian."""
    require(actor, "gate.add_delegation", child)
    if date < timezone.localdate():
        raise ValidationError({"date": _("A delegation is for today or a later day.")})
    id_number, _born = _adult_id(id_number)
    code = new_code()
    delegation = Delegation(child=child, unit_id=child.unit_id, name=name.strip(), id_number=id_number, date=date,
                            code=code, requested_by=requested_by.strip(), created_by=actor)
    delegation.full_clean(exclude=["code", "code_hash"])
    delegation.save()
    return delegation, code


# --- the release ------------------------------------------------------------------------------------

def dismissal_slot(unit_id: int, at: datetime) -> int:
    """The dismissal a release at ``at`` belongs to: the day's dismissal window that is open or next, or
    the last one once all have closed; 0 on a day without dismissal windows."""
    from huxiao.timetable.selectors import dismissal_windows

    windows = dismissal_windows(unit_id, at.date())
    if not windows:
        return 0
    now = at.time()
    for pk, end in windows:
        if now < end:
            return pk
    return windows[-1][0]


def pickup_release(*, actor: User, child: Child, person: PickupPerson | None = None, credential: str | None = None,
                   delegation_code: str | None = None, id_number: str | None = None,
                   at: datetime | None = None) -> Release:
    """Hand ``child`` over, exactly once per dismissal. Raises ``Conflict`` (409, already released: by whom
    and when) or ``Refused`` (403, recorded and alerted first). Not one transaction on purpose: a refusal
    must stay recorded although the request fails."""
    require(actor, "gate.release_child", child)
    at = timezone.localtime(at or timezone.now())
    delegation = None
    if credential is not None:
        person = _person_by_credential(actor, child, credential)
        method, taken_by = ReleaseMethod.CREDENTIAL, f"{person.name}（{person.relation}）"
    elif person is not None:
        if person.child_id != child.pk:
            _refuse(actor, child, _("%(name)s is not authorised to take this child.") % {"name": person.name},
                    presented=person.name)
        if person.revoked_at is not None:
            _refuse(actor, child, _("The authorisation of %(name)s was revoked.") % {"name": person.name},
                    presented=person.name, code="credential_revoked")
        method, taken_by = ReleaseMethod.PERSON, f"{person.name}（{person.relation}）"
    elif delegation_code is not None and id_number is not None:
        delegation = _delegation(actor, child, delegation_code, id_number, at.date())
        method, taken_by = ReleaseMethod.DELEGATION, f"{delegation.name}（{_('delegated')}）"
    else:
        raise ValidationError({"non_field_errors": [_("Give person, credential, or delegation_code with "
                                                      "id_number.")]})
    from huxiao.timetable.selectors import dismissal_open

    slot = dismissal_slot(child.unit_id, at)
    try:
        with transaction.atomic():
            release = Release.objects.create(child=child, unit_id=child.unit_id, day=at.date(),
                                             slot=slot, person=person, delegation=delegation,
                                             taken_by=taken_by, method=method, guard=actor, released_at=at,
                                             early=not dismissal_open(child.unit_id, at))
            # One-time: a conditional update whose row count is checked (and audited).
            if delegation is not None and not update_where(delegation, where=Q(used_at__isnull=True), used_at=at):
                raise IntegrityError("delegation already used")
    except IntegrityError:
        first = Release.objects.filter(child=child, day=at.date(), slot=slot).first()
        if first is None:  # the delegation was used for another dismissal
            raise Conflict(_("This delegation has already been used."), code="delegation_used") from None
        when = timezone.localtime(first.released_at)
        raise Conflict(_("Already picked up by %(who)s at %(time)s.") % {"who": first.taken_by,
                                                                          "time": when.strftime("%H:%M")},
                       code="already_released", released_by=first.taken_by,
                       released_at=when.isoformat()) from None
    return release


def _person_by_credential(actor: User, child: Child, credential: str) -> PickupPerson:
    token = credential.strip()
    if not token.startswith(CREDENTIAL_PREFIX) or not 20 <= len(token) <= 40:
        raise ValidationError({"credential": [_("This is not a Huxiao pick-up card.")]})
    person = PickupPerson.objects.filter(credential_hash=lookup_hash(PickupPerson, "credential", token)).only(
        "id", "child_id", "unit_id", "name", "relation", "revoked_at").first()
    if person is None:
        _refuse(actor, child, _("A pick-up card that is not (or no longer) valid was shown."), presented="?")
    assert person is not None
    if person.revoked_at is not None:
        _refuse(actor, child, _("The card of %(name)s was revoked on %(date)s.") % {
            "name": person.name, "date": timezone.localtime(person.revoked_at).strftime("%Y-%m-%d")},
            presented=person.name, code="credential_revoked")
    if person.child_id != child.pk:
        _refuse(actor, child, _("%(name)s is not authorised to take this child.") % {"name": person.name},
                presented=person.name)
    return person


def _delegation(actor: User, child: Child, code: str, id_number: str, day: date) -> Delegation:
    code = code.strip()
    if not (code.isdigit() and len(code) == 6):
        raise ValidationError({"delegation_code": [_("A delegation code has six digits.")]})
    try:
        id_number = validate_resident_id(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    candidates = Delegation.objects.filter(child=child, code_hash=lookup_hash(Delegation, "code", code))
    delegation = candidates.order_by("-date").first()
    if delegation is None:
        _refuse(actor, child, _("A wrong delegation code was given."), presented=code)
    assert delegation is not None
    if delegation.id_number_hash != lookup_hash(Delegation, "id_number", id_number):
        _refuse(actor, child, _("The ID shown is not that of %(name)s, to whom the delegation was given.") % {
            "name": delegation.name}, presented=delegation.name)
    if delegation.date != day:
        _refuse(actor, child, _("The delegation to %(name)s was for %(date)s.") % {
            "name": delegation.name, "date": delegation.date.isoformat()}, presented=delegation.name,
            code="delegation_expired")
    return delegation


def _refuse(actor: User, child: Child, reason: str, *, presented: str = "", code: str = "not_authorised") -> None:
    """Record the refused attempt and alert the unit admins and the police at once, then answer 403. The
    guard sees only the decision."""
    with transaction.atomic():
        RefusedPickup.objects.create(child=child, unit_id=child.unit_id, guard=actor, reason=reason[:200],
                                     presented=presented[:120])
        unit = child.unit
        name, unit_name, klass = child.name, unit.name, child.school_class.name
        notify(users=recipients(unit), kind="pickup.refused", level=Level.ALERT, unit=unit,
               url=reverse("gate-pickups", args=[unit.pk]),
               title=lambda: _("Pick-up refused at %(unit)s") % {"unit": unit_name},
               body=lambda: _("%(class)s %(child)s: %(reason)s") % {"class": klass, "child": name,
                                                                    "reason": reason})
    raise Refused(_("Do not release this child: not authorised. The unit admin has been informed."), code=code)


def dismissals_close(*, now: datetime | None = None, within_minutes: int = 10) -> int:
    """Check the dismissal windows that closed in the last ``within_minutes``: children still waiting are
    listed and their class teachers (and the unit admin) told. Each window is checked once a day — a unique
    row claims it — so the job may run every minute, on several workers, without telling anyone twice."""
    from collections import defaultdict
    from datetime import timedelta

    from huxiao.gate.models import DismissalClosed
    from huxiao.timetable.models import Holiday, TimetableWindow

    now = timezone.localtime(now or timezone.now())
    day, clock = now.date(), now.time()
    earliest = (now - timedelta(minutes=within_minutes)).time() if now.hour or now.minute >= within_minutes else None
    windows = TimetableWindow.objects.filter(kind="dismissal", end__lte=clock, weekdays__contains=str(
        day.isoweekday())).exclude(unit__in=Holiday.objects.filter(date=day).values("unit_id")).select_related("unit")
    if earliest is not None:
        windows = windows.filter(end__gt=earliest)
    told = 0
    for window in windows:
        if window.unit.kind and not window.unit.active:
            continue
        released = Release.objects.filter(unit_id=window.unit_id, day=day, slot=window.pk).values("child_id")
        waiting = list(Child.objects.filter(unit_id=window.unit_id, active=True).exclude(pk__in=released)
                       .select_related("school_class__teacher").order_by("school_class__name", "name"))
        try:
            with transaction.atomic():
                DismissalClosed.objects.create(unit_id=window.unit_id, window=window, day=day, waiting=[
                    {"child": c.pk, "name": c.name, "class": c.school_class.name} for c in waiting])
                by_class: dict[SchoolClass, list[str]] = defaultdict(list)
                for child in waiting:
                    by_class[child.school_class].append(child.name)
                for klass, names in by_class.items():
                    if klass.teacher is not None:
                        _tell_teacher(klass, names, window)
                if waiting:
                    _tell_admins(window, len(waiting))
                told += 1
        except IntegrityError:
            continue  # another worker checked this window already
    return told


def _tell_teacher(klass: SchoolClass, names: list[str], window: Any) -> None:
    assert klass.teacher is not None
    notify(users=[klass.teacher], kind="dismissal.waiting", level=Level.WARNING, unit=window.unit,
           url=reverse("gate-board") + f"?class={klass.pk}",
           title=lambda: _("%(class)s: %(n)s children still waiting") % {"class": klass.name, "n": len(names)},
           body=lambda: "、".join(names))


def _tell_admins(window: Any, count: int) -> None:
    admins = User.objects.filter(organisation_id=window.unit_id, role=Role.UNIT_ADMIN, is_active=True)
    notify(users=admins, kind="dismissal.waiting", level=Level.WARNING, unit=window.unit,
           url=reverse("gate-pickups", args=[window.unit_id]),
           title=lambda: _("Dismissal closed: %(n)s children still waiting") % {"n": count})
