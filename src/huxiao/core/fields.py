"""F-PRIV model fields: encrypted at rest, with a keyed-hash column for exact lookups.

    id_number = EncryptedCharField(max_length=32, normalize=normalize_id_number)
    id_number_hash = LookupHashField(source="id_number")

``Model.objects.filter(id_number_hash=lookup_hash(Model, "id_number", "110101..."))`` finds a row
without decrypting anything. The audit log masks both columns (see ``core.audit``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import models

from huxiao.core import crypto


def normalize_id_number(value: str) -> str:
    return "".join(value.split()).upper()


def normalize_phone(value: str) -> str:
    value = value.strip()
    digits = "".join(ch for ch in value if ch.isdigit())
    return ("+" + digits) if value.startswith("+") else digits


class EncryptedCharField(models.TextField):  # type: ignore[type-arg]  # no type arguments at runtime
    """Holds text encrypted with AES-GCM. ``max_length`` bounds the plaintext, not the column."""

    encrypted = True

    def __init__(self, *args: Any, normalize: Callable[[str], str] | None = None, **kwargs: Any):
        self.plain_max_length = kwargs.pop("max_length", None)
        self.normalize = normalize
        super().__init__(*args, **kwargs)
        if self.plain_max_length is not None:
            # The bound of the plaintext, where forms, serializers (DRF reads ``max_length``) and
            # ``full_clean`` look for it; the column itself stays an unbounded text.
            self.max_length = self.plain_max_length
            self.validators.append(MaxLengthValidator(self.plain_max_length))

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.plain_max_length is not None:
            kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def crypto_context(self) -> str:
        """The associated data every value of this column is encrypted with: a ciphertext copied to
        another column does not decrypt there (``huxiao rotate-keys`` re-encrypts under it)."""
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, context=self.crypto_context())

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return value
        value = str(value)
        if self.normalize:
            value = self.normalize(value)
        return crypto.encrypt(value, context=self.crypto_context())

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.CharField(max_length=self.plain_max_length, required=not self.blank, **kwargs)

    def get_lookup(self, lookup_name: str) -> Any:
        # Ciphertext is randomised: only "is null" makes sense. Equality goes through the hash column.
        if lookup_name not in {"isnull"}:
            return None
        return super().get_lookup(lookup_name)


class LookupHashField(models.CharField):  # type: ignore[type-arg]
    """HMAC of a sibling encrypted field, kept in step on every save."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key in ("max_length", "editable", "blank"):
            kwargs.pop(key, None)
        if kwargs.get("db_index") is True:
            kwargs.pop("db_index")
        else:
            kwargs["db_index"] = False
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        plain = getattr(model_instance, self.source)
        value = lookup_hash(type(model_instance), self.source, plain) if plain else ""
        setattr(model_instance, self.attname, value)
        return value


def lookup_hash(model: type[models.Model], field_name: str, plaintext: str) -> str:
    """The value of the hash column for ``plaintext``: use it to filter."""
    field = model._meta.get_field(field_name)
    normalize = getattr(field, "normalize", None)
    normalized = normalize(plaintext) if normalize else plaintext
    return crypto.blind_index(normalized, purpose=f"{model._meta.label_lower}.{field_name}")


def encrypted_field_names(model: type[models.Model]) -> list[str]:
    return [
        f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField | LookupHashField)
    ]
