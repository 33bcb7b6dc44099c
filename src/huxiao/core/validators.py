"""Validators of input: personal data (F-PRIV, F-GATE-1), phone numbers, organisation codes, lengths."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huxiao.core.fields import normalize_id_number

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


# A mainland mobile (an optional +86 in front), or a landline: area code 0XX or 0XXX, 7 or 8 digits, an
# optional extension ("0571-88886666", "057188886666", "0571-88886666-123", "(0571) 8888 6666 转 123"). The
# extension's separator is optional too: an encrypted phone is stored as its digits ("057188886666123"), and
# what was stored must validate again when the record is edited.
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_LANDLINE = re.compile(r"(0(?:[12]\d|[3-9]\d{2}))-?([2-9]\d{6,7})(?:(?:-|#|转|ext\.?|x)?(\d{1,6}))?", re.IGNORECASE)


def validate_phone(value: str) -> str:
    """Accept a mainland mobile or a landline with an optional extension; return its canonical form
    (``13912345678``, ``0571-88886666``, ``0571-88886666-123``, at most 20 characters). Model fields check
    with it through ``phone_validator``."""
    text = re.sub(r"[\s()（）]", "", str(value))
    if mobile := _MOBILE.fullmatch(text):
        return mobile.group(1)
    if landline := _LANDLINE.fullmatch(text):
        area, number, extension = landline.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    raise ValidationError(
        _("Enter a mobile number (13912345678) or a landline with its area code (0571-88886666)."),
        code="phone_format")


def phone_validator(value: str) -> None:
    """``validate_phone`` as a model field's validator: it checks and returns nothing (Django keeps what the
    service gave; the services store the canonical form ``validate_phone`` returns)."""
    validate_phone(value)


CODE_MAX_LENGTH = 32
validate_code = RegexValidator(
    r"^[A-Za-z0-9_-]+\Z", gettext_lazy("Use letters, digits, - and _ only (no spaces)."), code="code_format")


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


def too_long(model: type[Model], **values: str) -> dict[str, list[str]]:
    """The errors of the values longer than their model field holds, worded as ``full_clean`` words them:
    for services that take text from a page or a request as it came, before they build the row."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit is not None and value is not None:
            try:
                MaxLengthValidator(limit)(value)
            except ValidationError as exc:
                errors[name] = exc.messages
    return errors


def id_param(value: object) -> int | None:
    """An id from the query string: ``None`` when absent or not a number; an id beyond what the database
    stores matches nothing (0), as Django does on PostgreSQL, instead of overflowing SQLite."""
    text = str(value or "").strip()
    if not text.isdigit():
        return None
    number = int(text)
    return number if number <= 2**63 - 1 else 0


PHOTO_MAX_BYTES = 5 * 1024 * 1024
# What a phone or tablet camera saves, told by the file's first bytes (never by its name or the browser's
# word for it): JPEG, PNG, WebP, HEIC.
_PHOTO_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "jpg"), (0, b"\x89PNG\r\n\x1a\n", "png"), (8, b"WEBP", "webp"), (4, b"ftypheic", "heic"),
    (4, b"ftypheix", "heic"), (4, b"ftypmif1", "heic"),
)


def photo_kind(head: bytes) -> str | None:
    for offset, signature, kind in _PHOTO_SIGNATURES:
        if head[offset:offset + len(signature)] == signature:
            return kind
    return None


def validate_photo(upload: Any) -> str | None:
    """An uploaded photo (evidence of a rectification, an inspection item): a JPEG, PNG, WebP or HEIC image
    of at most 5 MB, by its content. Returns its kind, the extension to store it under."""
    if upload is None:
        return None
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo is larger than %(mb)s MB.") % {"mb": PHOTO_MAX_BYTES // (1024 * 1024)},
                              code="too_large")
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    kind = photo_kind(head)
    if kind is None:
        raise ValidationError(_("The file is not a photo (JPEG, PNG, WebP or HEIC)."), code="not_a_photo")
    return kind
