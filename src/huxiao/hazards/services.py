"""F-PREV-2: the hazard loop, one service per transition. Each is a conditional UPDATE on the status it
starts from (``core.audit.update_where``), so two people acting at once cannot both move it, and each leaves
a ``HazardEvent`` and an audit entry in the same transaction. ``TRANSITIONS`` is the whole state machine."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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
from huxiao.core.models import Role, Unit, User
from huxiao.core.permissions import require
from huxiao.core.validators import validate_photo
from huxiao.hazards.models import Action, Hazard, HazardEvent, HazardStatus, Priority, Source
from huxiao.notify.models import Level
from huxiao.notify.services import notify, recipients


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    perm: str


S = HazardStatus
TRANSITIONS: dict[str, Transition] = {
    "assign": Transition(Action.ASSIGN, frozenset({S.REPORTED, S.ASSIGNED}), S.ASSIGNED, "hazards.assign_hazard"),
    "rectify": Transition(Action.RECTIFY, frozenset({S.ASSIGNED}), S.RECTIFIED, "hazards.rectify_hazard"),
    "close": Transition(Action.CLOSE, frozenset({S.RECTIFIED}), S.CLOSED, "hazards.verify_hazard"),
    "send_back": Transition(Action.SEND_BACK, frozenset({S.RECTIFIED}), S.ASSIGNED, "hazards.verify_hazard"),
}


def allowed_actions(status: str) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if status in t.sources]


def actions_for(user: Any, hazard: Hazard) -> list[str]:
    """What ``user`` may do next with ``hazard`` (the buttons a page shows)."""
    return [name for name in allowed_actions(hazard.status) if user.has_perm(TRANSITIONS[name].perm, hazard)]


def deadline_days(subdistrict_id: int | None, priority: str) -> int:
    """Days to rectify by priority: the sub-district's parameters ``hazards.<priority>_days``."""
    from huxiao.compliance.models import RuleParameter
    from huxiao.hazards.rules import DEADLINE_DAYS

    spec = DEADLINE_DAYS[priority]
    value = RuleParameter.objects.filter(subdistrict_id=subdistrict_id, key=spec.key).values_list(
        "value", flat=True).first()
    return int(value if value is not None else spec.default)


def _photo(photo: Any) -> str | None:
    """The photo's kind, or a 400 on the ``photo`` field."""
    try:
        return validate_photo(photo)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc


def _event(hazard: Hazard, *, action: str, before: str, actor: User | None, note: str = "", photo: Any = None,
           at: datetime | None = None) -> HazardEvent:
    event = HazardEvent(hazard=hazard, action=action, from_status=before, to_status=hazard.status, actor=actor,
                        at=at or timezone.now(), note=note.strip())
    if photo is not None:
        photo.name = f"{uuid.uuid4().hex}.{_photo(photo)}"  # never the name the browser sent
        event.photo = photo
    event.full_clean()
    event.save()
    return event


def _offices(unit: Unit, roles: list[str]) -> list[User]:
    """The active accounts of the unit's sub-district in ``roles``, whichever office they sit in."""
    return list(User.objects.filter(organisation__subdistrict_id=unit.subdistrict_id, role__in=roles,
                                    is_active=True).order_by("pk"))


def _url(hazard: Hazard) -> str:
    return reverse("hazard-detail", args=[hazard.pk])


def _move(hazard: Hazard, name: str, *, actor: User, **changes: Any) -> str:
    """The transition ``name`` from the hazard's status as the database holds it, or a 409 naming what may
    come next. Returns the status it moved from."""
    transition = TRANSITIONS[name]
    require(actor, transition.perm, hazard)
    before = Hazard.objects.filter(pk=hazard.pk).values_list("status", flat=True).first() or hazard.status
    if before not in transition.sources or not update_where(
            hazard, where=Q(status=before), status=transition.target, **changes):
        current = Hazard.objects.filter(pk=hazard.pk).values_list("status", flat=True).first() or before
        hazard.status = current
        raise Conflict(_("This hazard is “%(status)s”: it cannot be %(action)s now.") % {
            "status": HazardStatus(current).label, "action": Action(transition.action).label.lower()},
            code="invalid_transition", status=current, allowed=allowed_actions(current))
    return before


@transaction.atomic
def hazard_report(*, actor: User, unit: Unit, title: str, description: str = "", priority: str = Priority.MEDIUM,
                  source: str = Source.REPORT, location: str = "", source_ref: str = "",
                  photo: Any = None) -> Hazard:
    """A hazard found at ``unit`` (by an inspection, a patrol, the surroundings, a report…): status
    "reported", for the unit's admin to assign. ``source_ref`` names what opened it, once."""
    require(actor, "hazards.report_hazard", unit)
    _photo(photo)
    if source_ref and (existing := Hazard.objects.filter(source_ref=source_ref).first()) is not None:
        return existing
    hazard = Hazard(unit=unit, title=title.strip(), description=description.strip(), priority=priority,
                    source=source, location=location.strip(), source_ref=source_ref, reported_by=actor,
                    reported_at=timezone.now())
    hazard.full_clean()
    hazard.save()
    _event(hazard, action=Action.REPORT, before="", actor=actor, note=description, photo=photo)
    admins = [u for u in recipients(unit, police=False) if u.pk != actor.pk]
    title_ = hazard.title
    notify(users=admins, kind="hazard", unit=unit, url=_url(hazard), ref=f"hazard:{hazard.pk}",
           level=Level.WARNING if priority == Priority.HIGH else Level.INFO,
           title=lambda: _("Hazard reported: %(title)s") % {"title": title_})
    refresh_unit(unit.pk)
    return hazard


@transaction.atomic
def hazard_assign(*, actor: User, hazard: Hazard, responsible: str, deadline: date | None = None,
                  priority: str | None = None, note: str = "") -> Hazard:
    """Someone answers for the repair by a date (by default the priority's number of days from today)."""
    priority = priority or hazard.priority
    if priority not in Priority.values:
        raise ValidationError({"priority": [_("Choose high, medium or low.")]})
    today = timezone.localdate()
    if not responsible.strip():
        raise ValidationError({"responsible": [_("Name the person responsible for the repair.")]})
    if deadline is None:
        deadline = today + timedelta(days=deadline_days(hazard.unit.subdistrict_id, priority))
    elif deadline < today:
        raise ValidationError({"deadline": [_("The deadline cannot be in the past.")]})
    if len(responsible.strip()) > 60:
        raise ValidationError({"responsible": [_("At most 60 characters.")]})
    before = _move(hazard, "assign", actor=actor, responsible=responsible.strip(), deadline=deadline,
                   priority=priority, assigned_at=timezone.now(), escalated_at=None)
    _event(hazard, action=Action.ASSIGN, before=before, actor=actor,
           note=note or _("%(who)s, by %(date)s") % {"who": responsible.strip(), "date": deadline.isoformat()})
    refresh_unit(hazard.unit_id)
    return hazard


@transaction.atomic
def hazard_rectify(*, actor: User, hazard: Hazard, rectification: str, photo: Any = None) -> Hazard:
    """The unit's repair, with its evidence (what was done, and a photo), for the offices to verify."""
    if not rectification.strip():
        raise ValidationError({"rectification": [_("Say what was done.")]})
    _photo(photo)
    before = _move(hazard, "rectify", actor=actor, rectification=rectification.strip(), rectified_at=timezone.now())
    _event(hazard, action=Action.RECTIFY, before=before, actor=actor, note=rectification, photo=photo)
    unit = hazard.unit
    streets = hazard.source in {Source.SURROUNDINGS, Source.TRAFFIC}
    verifiers = (recipients(unit, admins=False) if streets
                 else _offices(unit, [Role.EDUCATION, Role.GOVERNANCE]))
    title_ = hazard.title
    notify(users=verifiers, kind="hazard", unit=unit, url=_url(hazard), ref=f"hazard:{hazard.pk}",
           title=lambda: _("Rectified, to verify: %(title)s") % {"title": title_})
    refresh_unit(hazard.unit_id)
    return hazard


@transaction.atomic
def hazard_close(*, actor: User, hazard: Hazard, note: str = "") -> Hazard:
    """Verified on site: the loop is closed."""
    before = _move(hazard, "close", actor=actor, closed_at=timezone.now(), closed_by=actor)
    _event(hazard, action=Action.CLOSE, before=before, actor=actor, note=note)
    from huxiao.notify.services import notifications_resolve

    notifications_resolve(ref=f"hazard:{hazard.pk}")
    refresh_unit(hazard.unit_id)
    return hazard


@transaction.atomic
def hazard_send_back(*, actor: User, hazard: Hazard, note: str, deadline: date | None = None) -> Hazard:
    """Not repaired well enough: back to the unit, with the reason (and, if given, a new deadline)."""
    if not note.strip():
        raise ValidationError({"note": [_("Say why it goes back.")]})
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError({"deadline": [_("The deadline cannot be in the past.")]})
    changes: dict[str, Any] = {"rectified_at": None, "rectification": ""}
    if deadline is not None:
        changes["deadline"] = deadline
    before = _move(hazard, "send_back", actor=actor, **changes)
    _event(hazard, action=Action.SEND_BACK, before=before, actor=actor, note=note)
    unit = hazard.unit
    title_ = hazard.title
    notify(users=recipients(unit, police=False), kind="hazard", unit=unit, url=_url(hazard),
           ref=f"hazard:{hazard.pk}", level=Level.WARNING,
           title=lambda: _("Sent back: %(title)s") % {"title": title_})
    refresh_unit(hazard.unit_id)
    return hazard


def hazards_escalate(*, today: date | None = None) -> int:
    """Assigned hazards past their deadline go up to the sub-district, once each (huey, hourly)."""
    today = today or timezone.localdate()
    late = (Hazard.objects.select_related("unit")
            .filter(status=HazardStatus.ASSIGNED, deadline__lt=today, escalated_at__isnull=True).order_by("pk"))
    return sum(_escalate(hazard) for hazard in late)


@transaction.atomic
def _escalate(hazard: Hazard) -> bool:
    if not update_where(hazard, where=Q(status=HazardStatus.ASSIGNED, escalated_at__isnull=True),
                        escalated_at=timezone.now()):
        return False  # someone moved it meanwhile
    _event(hazard, action=Action.ESCALATE, before=hazard.status, actor=None,
           note=_("Past its deadline of %(date)s.") % {"date": hazard.deadline})
    unit = hazard.unit
    title_, unit_name, due = hazard.title, unit.name, hazard.deadline
    notify(users=[*recipients(unit, police=False), *_offices(unit, [Role.SUBDISTRICT_ADMIN, Role.EDUCATION,
                                                                     Role.GOVERNANCE])],
           kind="hazard_overdue", unit=unit, url=_url(hazard), ref=f"hazard:{hazard.pk}", level=Level.ALERT,
           title=lambda: _("Hazard overdue at %(unit)s: %(title)s") % {"unit": unit_name, "title": title_},
           body=lambda: _("It was due on %(date)s.") % {"date": due})
    return True
