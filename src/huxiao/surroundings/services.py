"""F-SURR writes: premises near campuses (their nearest unit and distance computed here, ``geo``), clean-up
campaigns and records, traffic and illegal-taxi reports (each opens a hazard, ``hazards.services.hazard_report``).
Every write re-checks the compliance of the units it touches inside its transaction."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.compliance.engine import refresh
from huxiao.core.models import Organisation, OrgType, Unit, User
from huxiao.core.permissions import require
from huxiao.hazards.services import hazard_report
from huxiao.surroundings import geo
from huxiao.surroundings.models import (
    CLEARING_ACTIONS,
    Campaign,
    CleanupRecord,
    Premises,
    TrafficKind,
    TrafficReport,
)
from huxiao.surroundings.selectors import campuses

PREMISES_FIELDS = {"name", "kind", "address", "lat", "lng", "licence_no", "operator"}
LEAD_OFFICE_TYPES = {OrgType.SUBDISTRICT, OrgType.GOVERNANCE_OFFICE, OrgType.EDUCATION_OFFICE,
                     OrgType.SUPERVISION_OFFICE, OrgType.POLICE_STATION}
# Touting for fares at a school gate is a danger to pupils: rectified within the high priority's deadline.
TRAFFIC_PRIORITY = {TrafficKind.ILLEGAL_TAXI: "high", TrafficKind.GATE_DISORDER: "medium", TrafficKind.OTHER: "medium"}


def _refresh_units(unit_ids: set[int | None]) -> None:
    ids = {pk for pk in unit_ids if pk is not None}
    if ids:
        refresh(Unit.objects.filter(pk__in=ids))


def _locate(premises: Premises, around: list[geo.Campus]) -> None:
    found = geo.nearest((premises.lat, premises.lng), around)
    premises.nearest_unit_id, premises.distance_m = found if found is not None else (None, None)


def _subdistrict_id(actor: User) -> int:
    """The actor's sub-district; an account outside any (none is) may write nothing here."""
    subdistrict_id = actor.organisation.subdistrict_id
    if subdistrict_id is None:
        raise PermissionDenied
    return subdistrict_id


def _check_own_area(actor: User, premises: Premises) -> None:
    """A police officer files and moves premises around the units of their own station (``premises_scope``):
    one nearest another station's unit would be that station's, and gone from their lists."""
    premises.nearest_unit = (None if premises.nearest_unit_id is None
                             else Unit.objects.filter(pk=premises.nearest_unit_id).first())
    if not actor.has_perm("surroundings.change_premises", premises):
        message = _("This place is nearest a campus your station does not cover.")
        raise ValidationError({"lat": [message], "lng": [message]})


@transaction.atomic
def premises_add(*, actor: User, name: str, kind: str, lat: float, lng: float, address: str = "",
                 licence_no: str = "", operator: str = "") -> Premises:
    """A premises of the actor's sub-district, measured against its units at once."""
    subdistrict = Organisation.objects.get(pk=_subdistrict_id(actor))
    require(actor, "surroundings.add_premises", subdistrict)
    premises = Premises(subdistrict=subdistrict, name=name.strip(), kind=kind, lat=lat, lng=lng,
                        address=address.strip(), licence_no=licence_no.strip(), operator=operator.strip())
    premises.full_clean(exclude=["nearest_unit", "distance_m"])
    _locate(premises, campuses(subdistrict.pk))
    _check_own_area(actor, premises)
    premises.save()
    _refresh_units({premises.nearest_unit_id})
    return premises


@transaction.atomic
def premises_update(*, actor: User, premises: Premises, **fields: Any) -> Premises:
    """Change what a premises is or where it is; moved, it is measured again."""
    require(actor, "surroundings.change_premises", premises)
    unknown = sorted(set(fields) - PREMISES_FIELDS)
    if unknown:
        raise ValidationError({name: _("You may not change this field.") for name in unknown})
    before = premises.nearest_unit_id
    moved = any(name in fields and fields[name] != getattr(premises, name) for name in ("lat", "lng"))
    for name, value in fields.items():
        setattr(premises, name, value.strip() if isinstance(value, str) else value)
    premises.full_clean(exclude=["nearest_unit", "distance_m"])
    if moved:
        _locate(premises, campuses(premises.subdistrict_id))
        _check_own_area(actor, premises)
    premises.save()
    _refresh_units({before, premises.nearest_unit_id})
    return premises


@transaction.atomic
def premises_relocate(*, unit_id: int) -> list[Premises]:
    """A unit was created or changed (``core.signals.unit_changed``): its point or boundary may have moved, it
    may have closed. Premises nearest it are measured against every unit again; the others only against it
    (two queries and the arithmetic, then one UPDATE per premises whose answer changed, each audited)."""
    subdistrict_id = Unit.objects.filter(pk=unit_id).values_list("subdistrict_id", flat=True).first()
    if subdistrict_id is None:
        return []
    around = campuses(subdistrict_id)
    changed_unit = next((c for c in around if c.id == unit_id), None)
    located = {c.id for c in around}
    changed: list[Premises] = []
    touched: set[int | None] = {unit_id}
    for premises in Premises.objects.filter(subdistrict_id=subdistrict_id).order_by("pk"):
        old = (premises.nearest_unit_id, premises.distance_m)
        p = (premises.lat, premises.lng)
        if old[0] is None or old[0] == unit_id or old[0] not in located or old[1] is None:
            found = geo.nearest(p, around)
        else:
            found = (old[0], old[1])
            if changed_unit is not None:
                distance = geo.to_campus_m(p, boundary=changed_unit.boundary, point=changed_unit.point)
                if distance is not None and distance < old[1]:  # a tie keeps the unit it had
                    found = (unit_id, distance)
        new = found if found is not None else (None, None)
        if new[0] == old[0] and (new[1] is None) == (old[1] is None) and abs((new[1] or 0) - (old[1] or 0)) < 0.01:
            continue
        premises.nearest_unit_id, premises.distance_m = new
        premises.save(update_fields=["nearest_unit", "distance_m"])
        touched |= {old[0], new[0]}
        changed.append(premises)
    if changed:
        _refresh_units(touched)
    return changed


@transaction.atomic
def campaign_add(*, actor: User, title: str, lead_office: Organisation, starts_on: date, ends_on: date | None = None,
                 description: str = "") -> Campaign:
    """A clean-up campaign (专项整治) of the actor's sub-district."""
    campaign = Campaign(subdistrict_id=_subdistrict_id(actor), title=title.strip(), lead_office=lead_office,
                        starts_on=starts_on, ends_on=ends_on, description=description.strip())
    require(actor, "surroundings.add_campaign", campaign)
    if lead_office.subdistrict_id != campaign.subdistrict_id or lead_office.type not in LEAD_OFFICE_TYPES:
        raise ValidationError({"lead_office": [_("Choose an office or the police station of your sub-district.")]})
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def cleanup_record(*, actor: User, premises: Premises, action: str, date: date, note: str = "",
                   campaign: Campaign | None = None) -> CleanupRecord:
    """What was done about a premises. Closed or relocated, it is cleared: no longer a violation."""
    require(actor, "surroundings.record_cleanup", premises)
    errors: dict[str, list[str]] = {}
    if date > timezone.localdate():
        errors["date"] = [_("A clean-up is recorded after it took place.")]
    if campaign is not None:
        if campaign.subdistrict_id != premises.subdistrict_id:
            errors["campaign"] = [_("Choose a campaign of the premises' sub-district.")]
        elif date < campaign.starts_on or (campaign.ends_on is not None and date > campaign.ends_on):
            errors["date"] = [_("The date is outside the campaign.")]
    if action in CLEARING_ACTIONS and premises.cleared:
        errors["action"] = [_("The premises has already been closed or relocated.")]
    if errors:
        raise ValidationError(errors)
    record = CleanupRecord(premises=premises, campaign=campaign, date=date, action=action, note=note.strip(),
                           recorded_by=actor)
    record.full_clean()
    record.save()
    if action in CLEARING_ACTIONS:
        premises.status, premises.cleared_on = CLEARING_ACTIONS[action], date  # type: ignore[index]
        premises.full_clean(exclude=["nearest_unit", "distance_m"])
        premises.save(update_fields=["status", "cleared_on"])
        _refresh_units({premises.nearest_unit_id})
    return record


@transaction.atomic
def traffic_report(*, actor: User, unit: Unit, kind: str, place: str, observed_at: datetime,
                   description: str = "", lat: float | None = None, lng: float | None = None) -> TrafficReport:
    """Disorder at a gate or illegal taxis touting near it (F-SURR-2), and the hazard that rectifies it (F-PREV-2),
    in one transaction: the report names its hazard, the hazard its report (``source_ref``)."""
    require(actor, "surroundings.report_traffic", unit)
    if observed_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"observed_at": [_("A report is of what has been seen.")]})
    report = TrafficReport(unit=unit, kind=kind, place=place.strip(), lat=lat, lng=lng, observed_at=observed_at,
                           description=description.strip(), reported_by=actor)
    report.full_clean(exclude=["hazard"])
    report.save()
    label = TrafficKind(kind).label
    report.hazard = hazard_report(actor=actor, unit=unit, title=_("%(kind)s: %(place)s") % {
        "kind": label, "place": report.place}, description=report.description,
        priority=TRAFFIC_PRIORITY.get(TrafficKind(kind), "medium"), source="traffic", location=report.place,
        source_ref=f"traffic:{report.pk}")
    report.save(update_fields=["hazard"])
    return report
