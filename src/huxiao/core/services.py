"""Writes of the core (STYLE habit 2): keyword-only, typed, one transaction each."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from huxiao.core.models import ROLE_ORG_TYPES, Organisation, OrgType, Role, Unit, User
from huxiao.core.permissions import require
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


# --- F-AUTH: the second factor (issue #14) ---------------------------------------------------------------
# The roles in ``SECOND_FACTOR_ROLES`` confirm a password with a TOTP code (django-otp's ``TOTPDevice``) or, once
# each, a recovery code (a ``StaticDevice``). Every write below is audited by auditlog's receivers
# (``core.audit.register_second_factor``): the secret and the recovery codes are masked or never logged.

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 12  # base32 characters: 60 random bits, shown in groups of four
_RECOVERY_CODE = re.compile(rf"[a-z2-7]{{{RECOVERY_CODE_LENGTH}}}")


class SecondFactorRefused(Exception):
    """A code was not accepted. ``code``: ``otp_required`` (no authenticator set up), ``invalid_otp`` (wrong,
    used, or out of time) or ``otp_throttled`` (too many wrong codes: ``retry_after`` seconds to wait)."""

    def __init__(self, code: str, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.retry_after = code, message, retry_after


def normalise_code(code: str) -> str:
    """What the user typed, without the spaces and dashes apps and the recovery sheet print (``123 456``)."""
    return re.sub(r"[\s-]+", "", code).lower()


def recovery_digest(code: str) -> str:
    """A recovery code is stored as its SHA-256 (16 hex, the width of ``StaticToken.token``), like an API
    token: 60 random bits are not worth guessing from the digest, and a database leak is no second factor."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()[:16]


def _throttled(device: Any) -> SecondFactorRefused | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    until = (info or {}).get("locked_until")
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
    return SecondFactorRefused(
        "otp_throttled", _("Too many wrong codes. Try again in %(seconds)d seconds.") % {"seconds": seconds},
        retry_after=seconds)


def _wrong_code() -> SecondFactorRefused:
    return SecondFactorRefused("invalid_otp", _("That code is not right, or it was already used. Check the time "
                                                "on your phone and enter the newest code."))


def second_factor_enrol(*, user: User) -> TOTPDevice:
    """The authenticator the user is setting up: the unconfirmed one already shown (a reload shows the same
    secret, which the user may have scanned), else a new one. Refused once one is confirmed: replacing a
    second factor is not done with the first factor alone."""
    require(user, "core.enrol_second_factor")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()  # one at a time
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise PermissionDenied
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def second_factor_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """The first code from the app proves it holds the secret: the device is confirmed and the recovery codes
    issued, returned in clear this once (stored as digests). A wrong code counts towards the throttling."""
    require(user, "core.enrol_second_factor")
    refused: SecondFactorRefused | None = None
    codes: list[str] = []
    with transaction.atomic():  # the failure count is committed before the refusal is raised
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            raise SecondFactorRefused("otp_required", _("Set up the authenticator app first."))
        refused = _throttled(device)
        if refused is None and not device.verify_token(normalise_code(code)):
            refused = _wrong_code()
        if refused is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            codes = _recovery_codes_issue(user)
    if refused is not None:
        raise refused
    return device, codes


def _recovery_codes_issue(user: User) -> list[str]:
    """Ten new recovery codes; the old ones (their device) are withdrawn."""
    for old in StaticDevice.objects.filter(user=user):
        old.delete()  # one by one, so each withdrawal is audited
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME)
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    codes = ["".join(secrets.choice(alphabet) for _ in range(RECOVERY_CODE_LENGTH))
             for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=recovery_digest(c)) for c in codes])
    return ["-".join(c[i:i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4)) for c in codes]


def second_factor_verify(*, user: User, code: str, allow_recovery: bool = True) -> Any:
    """The device that accepts ``code`` for ``user``: six digits are checked against the authenticator app,
    a recovery code (with ``allow_recovery``) against the recovery codes, and is then used up. Each failure
    counts towards django-otp's throttling of that device (1, 2, 4 … seconds), committed before the refusal."""
    typed = normalise_code(code)
    refused: SecondFactorRefused | None = None
    with transaction.atomic():
        totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        if totp is None:
            raise SecondFactorRefused("otp_required", _("This account has no authenticator app set up yet. "
                                                        "Log in on the web page to set one up."))
        device: Any = totp
        token = typed
        if allow_recovery and _RECOVERY_CODE.fullmatch(typed):
            static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            if static is not None:
                device, token = static, recovery_digest(typed)
        refused = _throttled(device)
        if refused is None and not device.verify_token(token):
            refused = _wrong_code()
    if refused is not None:
        raise refused
    return device


def second_factor_enrol_secret(*, user: User, secret: str) -> TOTPDevice:
    """The user's authenticator set to a known base32 ``secret`` (the demo's ``HUXIAO_DEMO_TOTP_SECRET``, so
    scripts can compute codes): kept when it already has it, else it replaces the user's authenticators."""
    if not user.needs_second_factor:
        raise PermissionDenied
    try:
        raw = base64.b32decode(secret.strip().replace(" ", "").upper() + "=" * (-len(secret.strip()) % 8))
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("The TOTP secret is not valid base32.")) from exc
    if not 10 <= len(raw) <= 40:
        raise ValidationError(_("The TOTP secret must be 10 to 40 bytes (16 to 64 base32 characters)."))
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=True, key=raw.hex()).first()
        if device is not None:
            return device
        for old in TOTPDevice.objects.filter(user=user):
            old.delete()
        return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, key=raw.hex(), confirmed=True)
