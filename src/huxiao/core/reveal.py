"""F-PRIV reveal: a full ID number or phone, shown to a role that may see it, for a stated reason.

Screens and API responses carry masked values only. A permitted reader asks for one field of one record
with a reason ("checking the visitor against a court order"); the reason, the field, the reader, the
time and the address are written to the audit log (an ``access`` entry) before the value is returned,
in the same transaction, so there is no reveal without its trace. The value itself is never logged.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from huxiao.core.audit import subdistrict_of
from huxiao.core.fields import EncryptedCharField
from huxiao.core.permissions import require

REASON_MIN, REASON_MAX = 4, 200


@transaction.atomic
def reveal(*, actor: Any, instance: models.Model, field: str, reason: str, perm: str,
           fields: frozenset[str] = frozenset({"id_number", "phone"})) -> str:
    """The plaintext of ``instance.<field>``, after ``perm`` on ``instance`` and an audited reason."""
    require(actor, perm, instance)
    if field not in fields or not isinstance(instance._meta.get_field(field), EncryptedCharField):
        raise ValidationError({"field": [_("Choose what to reveal: %(fields)s.") % {
            "fields": ", ".join(sorted(fields))}]})
    reason = " ".join(str(reason).split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise ValidationError({"reason": [_("Say why you need to see it (%(min)d to %(max)d characters).") % {
            "min": REASON_MIN, "max": REASON_MAX}]})
    LogEntry.objects.log_create(
        instance, force_log=True, action=LogEntry.Action.ACCESS, changes={"revealed": [field, reason]},
        additional_data={"subdistrict": subdistrict_of(instance), "revealed": field, "reason": reason})
    return str(getattr(instance, field) or "")
