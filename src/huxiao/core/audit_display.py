"""F-AUDIT, read side: audit entries as a sub-district admin reads them.

An entry's diff is stored as django-auditlog writes it: field names, ids of related objects, choice
values, ``True``/``False``, datetimes in UTC without an offset. Here each change becomes the field's
verbose name (in the reader's language), the related object's name, the choice's label, yes or no, and the
time on the sub-district's clock (``TIME_ZONE``). The related objects of a whole page are fetched with
one query per related model, never one per row.

Masked values stay masked: an encrypted field or its lookup hash, a field the audit registry masks, or a
stored ``[redacted]`` reads as "hidden", and nothing here ever decrypts anything.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.dateformat import format as date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from huxiao.core.audit import REDACTED
from huxiao.core.fields import EncryptedCharField, LookupHashField

# auditlog's own labels of its actions have no Chinese translation.
ACTIONS = {
    LogEntry.Action.CREATE: pgettext_lazy("audit action", "created"),
    LogEntry.Action.UPDATE: pgettext_lazy("audit action", "changed"),
    LogEntry.Action.DELETE: pgettext_lazy("audit action", "deleted"),
    LogEntry.Action.ACCESS: pgettext_lazy("audit action", "read"),
}
TIME_FORMAT = "Y-m-d H:i:s"
# What auditlog writes for "no value": ``str(None)``, or JSON's null for a JSON field.
EMPTY = {"", "None", "null"}


@dataclass(frozen=True, slots=True)
class Change:
    field: str  # the model's field name: stable, for scripts
    label: str  # its verbose name, in the reader's language
    old: str  # "" for no value
    new: str


@dataclass(frozen=True, slots=True)
class AuditRow:
    entry: LogEntry
    when: str
    actor: str
    action: str
    record_type: str
    record: str
    changes: list[Change]


def audit_rows(entries: Iterable[LogEntry]) -> list[AuditRow]:
    """The audit viewer's rows for ``entries`` (a page of ``audit_visible_to``, with ``actor`` and
    ``content_type`` selected): one query per model the diffs point to."""
    entries = list(entries)
    changes = audit_changes(entries)
    zone = ZoneInfo(settings.TIME_ZONE)
    rows = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        rows.append(AuditRow(
            entry=entry,
            when=date_format(entry.timestamp.astimezone(zone), TIME_FORMAT),
            actor=_actor(entry),
            action=str(ACTIONS.get(entry.action, entry.action)),
            record_type=capfirst(str(model._meta.verbose_name)) if model else entry.content_type.model,
            record=entry.object_repr,
            changes=changes[entry.pk],
        ))
    return rows


def audit_changes(entries: Iterable[LogEntry]) -> dict[int, list[Change]]:
    """Each entry's changes, readable (see the module's docstring), by entry id."""
    entries = list(entries)
    parsed: list[tuple[LogEntry, type[models.Model] | None, list[tuple[str, Any, str, str]]]] = []
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        items = []
        for name, values in (entry.changes_dict or {}).items():
            field = _field(model, name)
            if field is not None and not _is_value(field):
                continue  # a reverse relation, the primary key, a parent link: auditlog's noise, not a change
            if not isinstance(values, list | tuple):  # not an [old, new] pair (auditlog's m2m form): as stored
                values = ["", json.dumps(values, ensure_ascii=False)]
            old, new = (_text(v) for v in [*values, "", ""][:2])
            if old == new:
                continue
            items.append((name, field, old, new))
            if isinstance(field, models.ForeignKey | models.OneToOneField) and not _masked(model, field, old, new):
                for value in (old, new):
                    pk = _pk(field, value)
                    if pk is not None:
                        wanted[field.related_model].add(pk)
        parsed.append((entry, model, items))
    names = _names(wanted)
    zone = ZoneInfo(settings.TIME_ZONE)
    result: dict[int, list[Change]] = {}
    for entry, model, items in parsed:
        result[entry.pk] = [
            Change(field=name, label=capfirst(str(field.verbose_name)) if field is not None else name,
                   old=_display(model, field, old, names, zone, other=new),
                   new=_display(model, field, new, names, zone, other=old))
            for name, field, old, new in items
        ]
    return result


def _actor(entry: LogEntry) -> str:
    user = entry.actor
    if user is None:
        return entry.actor_email or _("system")
    full_name = getattr(user, "full_name", "")
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


def _field(model: type[models.Model] | None, name: str) -> Any:
    """The model's field ``name``, or None when the model no longer has it (its raw name is shown)."""
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _is_value(field: Any) -> bool:
    """A column of the record's own: not its id, the link to its parent table, a reverse relation, or the
    lookup hash that follows an encrypted field (that field's own row says it changed)."""
    if not getattr(field, "concrete", False) or field.primary_key or isinstance(field, LookupHashField):
        return False
    return not getattr(getattr(field, "remote_field", None), "parent_link", False)


def _text(value: Any) -> str:
    text = "" if value is None else str(value)
    return "" if text in EMPTY else text


def _masked(model: type[models.Model] | None, field: models.Field[Any, Any] | None, *values: str) -> bool:
    if REDACTED in values:
        return True
    if field is None or model is None:
        return False
    if isinstance(field, EncryptedCharField | LookupHashField):
        return True
    if auditlog.contains(model):
        return field.name in auditlog.get_model_fields(model)["mask_fields"]
    return False


def _pk(field: models.Field[Any, Any], value: str) -> Any:
    if not value:
        return None
    try:
        return field.related_model._meta.pk.to_python(value)  # type: ignore[union-attr]
    except ValidationError:
        return None


def _names(wanted: dict[type[models.Model], set[Any]]) -> dict[type[models.Model], dict[Any, str]]:
    """The name of every related object the diffs point to: one query per related model (with what the
    names are made of joined in)."""
    names: dict[type[models.Model], dict[Any, str]] = {}
    for related, pks in wanted.items():
        objects = related._base_manager.select_related().filter(pk__in=pks)
        names[related] = {obj.pk: str(obj) for obj in objects}
    return names


def _display(model: type[models.Model] | None, field: models.Field[Any, Any] | None, value: str,
             names: dict[type[models.Model], dict[Any, str]], zone: ZoneInfo, *, other: str) -> str:
    if not value:
        return ""
    if _masked(model, field, value, other):
        return _("hidden")
    if field is None:
        return value
    if isinstance(field, models.ForeignKey | models.OneToOneField):
        related = field.related_model
        pk = _pk(field, value)
        name = names.get(related, {}).get(pk)
        if name is not None:
            return name
        return _("%(model)s #%(id)s (deleted)") % {"model": related._meta.verbose_name, "id": value}
    choices = dict(field.flatchoices) if field.choices else {}
    if choices:
        label = next((label for key, label in choices.items() if str(key) == value), None)
        return str(label) if label is not None else value
    if isinstance(field, models.BooleanField):
        return _("Yes") if value == "True" else _("No") if value == "False" else value
    if isinstance(field, models.DateTimeField):
        return _local_time(value, zone)
    if isinstance(field, models.TimeField):
        return value[:5] if len(value) >= 5 and value[5:] in {"", ":00"} else value
    if isinstance(field, models.JSONField):
        try:
            return json.dumps(json.loads(value), ensure_ascii=False)
        except ValueError:
            return value
    return value


def _local_time(value: str, zone: ZoneInfo) -> str:
    """auditlog stores an aware datetime as UTC without its offset: show it on the sub-district's clock."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return date_format(moment.astimezone(zone), TIME_FORMAT)
