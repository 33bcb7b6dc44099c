"""F-GATE-1 writes: register a visitor, the host's answer, check-out; the unit's block list.

The decision at the gate: a visitor in the high-risk ledger (F-RISK-1, matched by the ID number's keyed
hash across the sub-district's campuses) or a block-list hit refuses and alerts the unit admin and the police
at once (the guard sees only "do not admit, police informed"); in class hours (the closed campus) the visitor waits for
the host's answer, and without a host is refused; otherwise the visitor is admitted. Every visit is kept,
refused ones too.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.core.audit import update_where
from huxiao.core.errors import Conflict
from huxiao.core.fields import lookup_hash, normalize_id_number
from huxiao.core.models import Unit, User
from huxiao.core.permissions import require
from huxiao.core.validators import too_long, validate_phone, validate_resident_id
from huxiao.gate.models import BlockListEntry, IdType, Visit, VisitStatus
from huxiao.gate.permissions import may_host_at
from huxiao.notify.models import Level
from huxiao.notify.services import notify, recipients
from huxiao.risk.services import sighting_record, watch_list_match


def _check_id(id_type: str, id_number: str) -> str:
    if id_type not in IdType.values:
        raise ValidationError({"id_type": [_("Choose the kind of ID shown.")]})
    if id_type == IdType.RESIDENT_ID:
        try:
            return validate_resident_id(id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from None
    value = normalize_id_number(id_number)
    if not 5 <= len(value) <= 32 or not value.replace("-", "").isalnum():
        raise ValidationError({"id_number": [_("Enter the document number: 5 to 32 letters and digits.")]})
    return value


@transaction.atomic
def visit_register(*, actor: User, unit: Unit, id_type: str, id_number: str, name: str, purpose: str,
                   phone: str = "", host: User | None = None, at: datetime | None = None) -> Visit:
    from huxiao.timetable.selectors import gate_mode

    require(actor, "gate.register_visit", unit)
    errors: dict[str, list[str]] = {}
    try:
        id_number = _check_id(id_type, id_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if host is not None and (not may_host_at(host, unit) or not host.is_active):
        errors["host"] = [_("Choose a teacher or the admin of this unit.")]
    for field, value in (("name", name), ("purpose", purpose)):
        if not value.strip():
            errors[field] = [_("This field is required.")]
    errors.update(too_long(Visit, name=name.strip(), purpose=purpose.strip()))
    if errors:
        raise ValidationError(errors)
    at = timezone.localtime(at or timezone.now())
    visit = Visit(unit=unit, id_type=id_type, id_number=id_number, name=name.strip(), phone=phone,
                  purpose=purpose.strip(), host=host, host_name=(host.full_name or host.username)[:60] if host else "",
                  guard=actor, arrived_at=at, day=at.date())
    watched = watch_list_match(unit=unit, id_number=id_number) if id_type == IdType.RESIDENT_ID else None
    if watched is not None:
        # The ledger (F-RISK-1): the guard learns nothing of it; the police and governance get the person.
        visit.status, visit.decided_at = VisitStatus.REFUSED, at
        visit.reason = _("Do not admit. The police have been informed.")
        visit.save()
        sighting_record(guard=actor, person=watched, unit=unit, at=at)
        return visit
    blocked = BlockListEntry.objects.filter(
        unit=unit, active=True, id_number_hash=lookup_hash(BlockListEntry, "id_number", id_number)).first()
    if blocked is not None:
        visit.status, visit.decided_at = VisitStatus.REFUSED, at
        visit.reason = _("Do not admit. The police have been informed.")
        visit.save()
        visitor, unit_name, why = visit.name, unit.name, blocked.reason
        notify(users=recipients(unit), kind="visit.blocked", level=Level.ALERT, unit=unit,
               url=reverse("gate-visits", args=[unit.pk]),
               title=lambda: _("Block-list visitor at the gate of %(unit)s") % {"unit": unit_name},
               body=lambda: _("%(name)s tried to enter at %(time)s. Block list: %(why)s") % {
                   "name": visitor, "time": at.strftime("%H:%M"), "why": why})
        return visit
    if gate_mode(unit, at).mode == "class_hours":
        if host is None:
            visit.status, visit.decided_at = VisitStatus.REFUSED, at
            visit.reason = _("Class hours: the campus is closed. A visitor needs a host's approval.")
            visit.save()
            return visit
        visit.status = VisitStatus.AWAITING_HOST
        visit.reason = _("Class hours: waiting for %(host)s to approve.") % {"host": visit.host_name}
        visit.save()
        visitor, purpose_ = visit.name, visit.purpose
        notify(users=[host], kind="visit.awaiting_host", level=Level.WARNING, unit=unit,
               url=reverse("visit-answer", args=[visit.pk]),
               title=lambda: _("A visitor is waiting at the gate for you"),
               body=lambda: _("%(name)s: %(purpose)s") % {"name": visitor, "purpose": purpose_})
        return visit
    visit.status, visit.decided_at = VisitStatus.ADMITTED, at
    visit.save()
    return visit


@transaction.atomic
def visit_answer(*, actor: User, visit: Visit, approve: bool) -> Visit:
    """The host (or the unit admin) answers a waiting visitor. A conditional update: the first answer wins."""
    require(actor, "gate.answer_visit", visit)
    now = timezone.now()
    status = VisitStatus.ADMITTED if approve else VisitStatus.REFUSED
    reason = _("Approved by %(host)s.") if approve else _("Refused by %(host)s.")
    if not update_where(visit, where=Q(status=VisitStatus.AWAITING_HOST), status=status, decided_at=now,
                        reason=reason % {"host": actor.full_name or actor.username}):
        visit.refresh_from_db()
        raise Conflict(_("This visit was already answered: %(status)s.") % {"status": visit.get_status_display()},
                       code="already_answered")
    return visit


@transaction.atomic
def visit_checkout(*, actor: User, visit: Visit) -> Visit:
    require(actor, "gate.checkout_visit", visit)
    if not update_where(visit, where=Q(status=VisitStatus.ADMITTED), status=VisitStatus.LEFT,
                        left_at=timezone.now()):
        visit.refresh_from_db()
        raise Conflict(_("Only an admitted visitor can check out (this visit: %(status)s).") % {
            "status": visit.get_status_display()}, code="not_inside")
    return visit


@transaction.atomic
def block_list_add(*, actor: User, unit: Unit, name: str, id_number: str, reason: str) -> BlockListEntry:
    require(actor, "gate.manage_block_list", unit)
    try:
        id_number = validate_resident_id(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    entry = BlockListEntry(unit=unit, name=name.strip(), id_number=id_number, reason=reason.strip())
    entry.full_clean()
    entry.save()
    return entry
