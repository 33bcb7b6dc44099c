"""Validators for personal data (F-PRIV, F-GATE-1)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.core.fields import normalize_id_number, normalize_phone

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def resident_id_check_digit(first17: str) -> str:
    """GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def resident_id_birth_date(value: str) -> date | None:
    value = normalize_id_number(value)
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def validate_resident_id(value: str) -> str:
    """Accept an 18-character resident ID with a valid birth date and check digit; return it normalised."""
    value = normalize_id_number(value)
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("A resident ID has 17 digits followed by a digit or X."), code="id_format")
    born = resident_id_birth_date(value)
    if born is None or born.year < 1900 or born > timezone.localdate():
        raise ValidationError(_("The birth date inside this resident ID is not a real date."), code="id_birth_date")
    if resident_id_check_digit(value[:17]) != value[17]:
        raise ValidationError(
            _("The check digit of this resident ID is wrong: please check the number."), code="id_check_digit"
        )
    return value


def validate_phone(value: str) -> str:
    value = normalize_phone(value)
    digits = value.lstrip("+")
    if not digits.isdigit() or not 7 <= len(digits) <= 15:
        raise ValidationError(_("Enter a phone number of 7 to 15 digits."), code="phone_format")
    return value


def mask_resident_id(value: str | None) -> str:
    """First 6 and last 4 kept: 110101********1234."""
    if not value:
        return ""
    value = normalize_id_number(value)
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """First 3 and last 4 kept: 138****5678."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
