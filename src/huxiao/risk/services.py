"""F-RISK-1/2 writes: register a person, assess, follow up, close; the gate's sightings; disputes, their
parties, mediations and end. Each is keyword-only, checks ``risk.*`` first and is atomic; a change to a
person's level or follow-ups re-evaluates ``risk.followup`` for the campus in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.compliance.engine import refresh_unit
from huxiao.core.audit import update_where
from huxiao.core.errors import Conflict
from huxiao.core.fields import lookup_hash
from huxiao.core.models import Role, Unit, User
from huxiao.core.permissions import require
from huxiao.core.validators import too_long, validate_phone, validate_resident_id
from huxiao.notify.models import Level as NotifyLevel
from huxiao.notify.services import notify
from huxiao.risk.models import (
    Assessment,
    Dispute,
    DisputeStatus,
    FollowUp,
    GateSighting,
    Mediation,
    Party,
    PersonStatus,
    RiskPerson,
)
from huxiao.risk.permissions import may_be_responsible

PERSON_FIELDS = {"name", "phone", "address", "category", "officer", "community_contact", "community_phone"}


def _required(errors: dict[str, list[str]], **values: Any) -> None:
    for name, value in values.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            errors.setdefault(name, []).append(_("This field is required."))


def _check_officer(errors: dict[str, list[str]], officer: User | None, unit: Unit) -> None:
    if officer is not None and not may_be_responsible(officer, unit):
        errors["officer"] = [_("Choose an officer of the police station covering this campus.")]


def _clean(instance: Any, errors: dict[str, list[str]]) -> None:
    try:
        instance.full_clean(exclude=list(errors))
    except ValidationError as exc:
        for k, v in exc.message_dict.items():
            errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def person_register(*, actor: User, unit: Unit, name: str, id_number: str, category: str, level: str,
                    officer: User | None, community_contact: str, basis: str, phone: str = "", address: str = "",
                    community_phone: str = "", on: date | None = None) -> RiskPerson:
    """A new person in the ledger, with their first assessment (the level and why)."""
    require(actor, "risk.keep_person", unit)
    errors: dict[str, list[str]] = {}
    try:
        id_number = validate_resident_id(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    for field, value in (("phone", phone), ("community_phone", community_phone)):
        if value:
            try:
                value = validate_phone(value)
            except ValidationError as exc:
                errors[field] = exc.messages
        if field == "phone":
            phone = value
        else:
            community_phone = value
    _required(errors, name=name, basis=basis, community_contact=community_contact, officer=officer)
    _check_officer(errors, officer, unit)
    errors.update(too_long(RiskPerson, name=name.strip(), address=address.strip()))
    on = on or timezone.localdate()
    if "id_number" not in errors and RiskPerson.objects.filter(
            unit=unit, id_number_hash=lookup_hash(RiskPerson, "id_number", id_number)).exists():
        errors["id_number"] = [_("This person is already in the ledger for this campus.")]
    person = RiskPerson(unit=unit, name=name.strip(), id_number=id_number, phone=phone, address=address.strip(),
                        category=category, level=level, officer=officer, community_contact=community_contact.strip(),
                        community_phone=community_phone, registered_on=on)
    _clean(person, errors)
    person.save()
    assessment = Assessment(person=person, assessed_on=on, level=level, basis=basis.strip(), assessor=actor)
    assessment.full_clean()
    assessment.save()
    refresh_unit(unit.pk)
    return person


@transaction.atomic
def person_update(*, actor: User, person: RiskPerson, **fields: Any) -> RiskPerson:
    """Contact details, category and the people responsible; the level changes only by an assessment."""
    require(actor, "risk.keep_person", person)
    unknown = sorted(set(fields) - PERSON_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in unknown})
    errors: dict[str, list[str]] = {}
    for field in ("phone", "community_phone"):
        if fields.get(field):
            try:
                fields[field] = validate_phone(fields[field])
            except ValidationError as exc:
                errors[field] = exc.messages
    if "officer" in fields:
        _required(errors, officer=fields["officer"])
        _check_officer(errors, fields["officer"], person.unit)
    for name, value in fields.items():
        setattr(person, name, value.strip() if isinstance(value, str) else value)
    _clean(person, errors)
    person.save()
    return person


@transaction.atomic
def assessment_add(*, actor: User, person: RiskPerson, level: str, basis: str,
                   on: date | None = None) -> Assessment:
    require(actor, "risk.keep_person", person)
    on = on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _required(errors, basis=basis)
    if on > timezone.localdate():
        errors["assessed_on"] = [_("An assessment cannot be dated in the future.")]
    assessment = Assessment(person=person, assessed_on=on, level=level, basis=(basis or "").strip(), assessor=actor)
    _clean(assessment, errors)
    assessment.save()
    latest = Assessment.objects.filter(person=person).order_by("-assessed_on", "-id").values_list(
        "level", flat=True).first()
    if latest and latest != person.level:
        update_where(person, level=latest)
    refresh_unit(person.unit_id)
    return assessment


@transaction.atomic
def followup_add(*, actor: User, person: RiskPerson, kind: str, note: str, on: date | None = None) -> FollowUp:
    require(actor, "risk.keep_person", person)
    on = on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _required(errors, note=note)
    if on > timezone.localdate():
        errors["on"] = [_("A follow-up cannot be dated in the future.")]
    if person.status != PersonStatus.ACTIVE:
        raise Conflict(_("This person's record is closed."), code="person_closed")
    followup = FollowUp(person=person, kind=kind, on=on, note=(note or "").strip(), by=actor)
    _clean(followup, errors)
    followup.save()
    # The latest follow-up, whichever order they were typed in.
    update_where(person, where=Q(last_followup_on__isnull=True) | Q(last_followup_on__lt=on), last_followup_on=on)
    refresh_unit(person.unit_id)
    return followup


@transaction.atomic
def person_close(*, actor: User, person: RiskPerson, reason: str) -> RiskPerson:
    """Take a person off active management (moved away, risk resolved); the record stays."""
    require(actor, "risk.keep_person", person)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("This field is required.")]})
    if not update_where(person, where=Q(status=PersonStatus.ACTIVE), status=PersonStatus.CLOSED,
                        closed_on=timezone.localdate(), close_reason=reason.strip()[:200]):
        raise Conflict(_("This person's record is already closed."), code="person_closed")
    refresh_unit(person.unit_id)
    return person


def watch_list_match(*, unit: Unit, id_number: str) -> RiskPerson | None:
    """The active ledger person with this ID number concerning ``unit`` or any campus of its sub-district
    (a person entered against the school next door is no less a risk at this one)."""
    digest = lookup_hash(RiskPerson, "id_number", id_number)
    found = list(RiskPerson.objects.filter(id_number_hash=digest, status=PersonStatus.ACTIVE,
                                           unit__subdistrict_id=unit.subdistrict_id).select_related("unit")
                 .order_by("id"))
    return min(found, key=lambda p: p.unit_id != unit.pk) if found else None


@transaction.atomic
def sighting_record(*, guard: User, person: RiskPerson, unit: Unit, at: datetime) -> GateSighting:
    """A ledger person was refused at ``unit``'s gate: recorded on the person, and the police covering the
    campus and its sub-district's governance officers are alerted with a link to the person. The guard
    is told nothing about the ledger (the gate's own refusal says "do not admit, police informed")."""
    sighting = GateSighting.objects.create(person=person, unit=unit, at=at, guard=guard)
    readers = User.objects.filter(
        Q(role=Role.POLICE, organisation_id__in={unit.police_station_id, person.unit.police_station_id} - {None})
        | Q(role=Role.GOVERNANCE, organisation__subdistrict_id=unit.subdistrict_id), is_active=True)
    unit_name, name, when = unit.name, person.name, timezone.localtime(at).strftime("%H:%M")
    notify(users=readers, kind="risk.sighting", level=NotifyLevel.ALERT, unit=unit,
           url=reverse("risk-person", args=[person.pk]), ref=f"risk-sighting:{sighting.pk}",
           title=lambda: _("High-risk person at the gate of %(unit)s") % {"unit": unit_name},
           body=lambda: _("%(name)s (ledger) tried to enter at %(time)s and was refused.") % {
               "name": name, "time": when})
    return sighting


@transaction.atomic
def dispute_register(*, actor: User, unit: Unit, title: str, kind: str, level: str, description: str,
                     parties: Iterable[dict[str, str]], on: date | None = None) -> Dispute:
    require(actor, "risk.keep_dispute", unit)
    errors: dict[str, list[str]] = {}
    _required(errors, title=title, description=description)
    rows = [p for p in parties if any((v or "").strip() for v in p.values())]
    if len(rows) < 1:
        errors["parties"] = [_("Name at least one party.")]
    party_rows = []
    for i, p in enumerate(rows, start=1):
        phone = (p.get("phone") or "").strip()
        if phone:
            try:
                phone = validate_phone(phone)
            except ValidationError as exc:
                errors.setdefault("parties", []).extend(f"{i}: {m}" for m in exc.messages)
        if not (p.get("name") or "").strip() or not (p.get("side") or "").strip():
            errors.setdefault("parties", []).append(_("%(i)d: give the party's name and who they are.") % {"i": i})
        party_rows.append(Party(name=(p.get("name") or "").strip()[:60], side=(p.get("side") or "").strip()[:60],
                                phone=phone))
    dispute = Dispute(unit=unit, title=(title or "").strip(), kind=kind, level=level,
                      description=(description or "").strip(), reported_on=on or timezone.localdate(),
                      recorded_by=actor)
    _clean(dispute, errors)
    dispute.save()
    for party in party_rows:
        party.dispute = dispute
        party.save()
    return dispute


@transaction.atomic
def mediation_add(*, actor: User, dispute: Dispute, mediator: str, note: str, on: date | None = None) -> Mediation:
    require(actor, "risk.keep_dispute", dispute)
    if dispute.status != DisputeStatus.OPEN:
        raise Conflict(_("This dispute has ended."), code="dispute_ended")
    errors: dict[str, list[str]] = {}
    _required(errors, mediator=mediator, note=note)
    mediation = Mediation(dispute=dispute, on=on or timezone.localdate(), mediator=(mediator or "").strip(),
                          note=(note or "").strip(), by=actor)
    _clean(mediation, errors)
    mediation.save()
    return mediation


@transaction.atomic
def dispute_end(*, actor: User, dispute: Dispute, status: str, outcome: str) -> Dispute:
    """Resolved (化解) or referred on (移交), with the outcome; the first ending wins."""
    require(actor, "risk.keep_dispute", dispute)
    if status not in {DisputeStatus.RESOLVED, DisputeStatus.REFERRED}:
        raise ValidationError({"status": [_("Choose resolved or referred on.")]})
    if not (outcome or "").strip():
        raise ValidationError({"outcome": [_("This field is required.")]})
    if not update_where(dispute, where=Q(status=DisputeStatus.OPEN), status=status, outcome=outcome.strip()[:1000],
                        ended_on=timezone.localdate()):
        raise Conflict(_("This dispute has ended."), code="dispute_ended")
    return dispute


