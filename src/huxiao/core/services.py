"""Writes of the core (STYLE habit 2): keyword-only, typed, one transaction each."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from huxiao.core.models import ROLE_ORG_TYPES, Organisation, OrgType, Role, Unit, User
from huxiao.core.signals import unit_changed

UNIT_FIELDS = {
    "code", "name", "name_en", "kind", "pupils", "boarding", "address", "lat", "lng", "boundary",
    "phone", "principal", "parent", "police_station", "active",
}
# A unit admin keeps the unit's own details current; where it sits in the tree is the sub-district's call.
UNIT_ADMIN_FIELDS = {"name_en", "pupils", "boarding", "address", "lat", "lng", "boundary", "phone", "principal"}


def validate_boundary(boundary: Any) -> None:
    if boundary in (None, []):
        return
    ok = isinstance(boundary, list) and len(boundary) >= 3 and all(
        isinstance(p, list | tuple) and len(p) == 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in p)
        and -90 <= p[0] <= 90 and -180 <= p[1] <= 180
        for p in boundary
    )
    if not ok:
        raise ValidationError({"boundary": _("A boundary is a list of at least 3 [lat, lng] points.")})


def _check_tree(
    *, parent: Organisation | None, police_station: Organisation | None, subdistrict_id: int | None
) -> None:
    errors: dict[str, str] = {}
    if parent is None or parent.type != OrgType.COMMUNITY or parent.subdistrict_id != subdistrict_id:
        errors["parent"] = _("Choose a community of this sub-district.")
    if police_station is not None and (
        police_station.type != OrgType.POLICE_STATION or police_station.subdistrict_id != subdistrict_id
    ):
        errors["police_station"] = _("Choose a police station of this sub-district.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def unit_create(*, actor: User, **data: Any) -> Unit:
    if not actor.has_perm("core.add_unit"):
        raise PermissionDenied
    unknown = set(data) - UNIT_FIELDS
    if unknown:
        raise ValueError(f"unknown unit fields: {sorted(unknown)}")
    subdistrict_id = actor.organisation.subdistrict_id
    _check_tree(parent=data.get("parent"), police_station=data.get("police_station"), subdistrict_id=subdistrict_id)
    validate_boundary(data.get("boundary"))
    unit = Unit(type=OrgType.UNIT, subdistrict_id=subdistrict_id, **data)
    unit.full_clean()
    unit.save()
    _refresh_compliance(unit)
    return unit


@transaction.atomic
def unit_update(*, actor: User, unit: Unit, **data: Any) -> Unit:
    if not actor.has_perm("core.change_unit", unit):
        raise PermissionDenied
    allowed = UNIT_FIELDS if actor.has_perm("core.add_unit") else UNIT_ADMIN_FIELDS
    # A field sent with the value it has is no change (a GET body PATCHed back): only changes are checked.
    data = {name: value for name, value in data.items() if getattr(unit, name) != value}
    forbidden = sorted(set(data) - allowed)
    if forbidden:
        raise ValidationError({name: _("You may not change this field.") for name in forbidden})
    for name, value in data.items():
        setattr(unit, name, value)
    _check_tree(parent=unit.parent, police_station=unit.police_station, subdistrict_id=unit.subdistrict_id)
    validate_boundary(unit.boundary)
    unit.full_clean()
    unit.save()
    _refresh_compliance(unit)
    return unit


def _refresh_compliance(unit: Unit) -> None:
    """A new unit shows in the matrix at once; pupils and kind change what the rules require
    (``compliance`` listens, in this transaction)."""
    unit_changed.send(sender=Unit, unit_id=unit.pk)


@transaction.atomic
def user_create(
    *, username: str, password: str, role: str, organisation: Organisation, full_name: str = "",
    email: str = "", phone: str = "", check_password: bool = True, password_hash: str = "",
) -> User:
    """An account. ``password_hash``: the password already hashed (by ``make_password``), for many accounts
    that share one, as the demo's do."""
    if organisation.type not in ROLE_ORG_TYPES[role]:
        raise ValidationError(
            {"organisation": _("A %(role)s belongs to a %(types)s.") % {
                "role": Role(role).label, "types": ", ".join(str(OrgType(t).label) for t in ROLE_ORG_TYPES[role])}}
        )
    user = User(username=username, role=role, organisation=organisation, full_name=full_name,
                email=email, phone=phone)
    if check_password:
        validate_password(password, user)
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def subdistrict_create(*, code: str, name: str, name_en: str = "", **extra: Any) -> Organisation:
    with transaction.atomic():
        org = Organisation.objects.create(type=OrgType.SUBDISTRICT, code=code, name=name, name_en=name_en, **extra)
        org.subdistrict = org
        org.save(update_fields=["subdistrict"])
    return org


def organisation_create(*, subdistrict: Organisation, type: str, code: str, name: str, **extra: Any) -> Organisation:
    org = Organisation(type=type, code=code, name=name, parent=subdistrict, subdistrict=subdistrict, **extra)
    org.full_clean()
    org.save()
    return org


USER_WRITABLE = {"full_name", "email", "phone", "id_number", "is_active"}


@transaction.atomic
def user_add(*, actor: User, username: str, password: str, role: str, organisation: Organisation,
             full_name: str = "", email: str = "", phone: str = "", id_number: str = "",
             is_active: bool = True) -> User:
    """An admin creates an account; who may create which role where is checked here."""
    from huxiao.core.permissions import UNIT_STAFF_ROLES, is_unit_admin

    if not actor.has_perm("core.add_user"):
        raise PermissionDenied
    if is_unit_admin(actor) and (organisation.pk != actor.organisation_id or role not in UNIT_STAFF_ROLES):
        raise ValidationError({"role": _("A unit admin adds guards, class teachers and bus attendants of "
                                         "their own unit.")})
    if organisation.subdistrict_id != actor.organisation.subdistrict_id:
        raise ValidationError({"organisation": _("Choose an organisation of your sub-district.")})
    user = user_create(username=username, password=password, role=role, organisation=organisation,
                       full_name=full_name, email=email, phone=phone)
    if id_number or not is_active:
        user.id_number, user.is_active = id_number, is_active
        user.save(update_fields=["id_number", "id_number_hash", "is_active"])
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, **data: Any) -> User:
    if not actor.has_perm("core.change_user", user):
        raise PermissionDenied
    forbidden = sorted(set(data) - USER_WRITABLE)
    if forbidden:
        raise ValidationError({name: _("You may not change this field.") for name in forbidden})
    for name, value in data.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    return user
