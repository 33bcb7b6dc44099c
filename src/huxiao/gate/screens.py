"""The gate screen (F-GATE-1, F-GATE-2): what a guard uses at a crowded gate, at the speed of a dismissal.

Large touch targets, Chinese first; a scan field that a USB scanner types into (or the tablet's camera
fills: ``static/huxiao/scanner.js``), search by a child's name, one tap to release. Results come back as
htmx partials; every action goes through the same services as the API.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from huxiao.core.errors import Conflict, Refused
from huxiao.core.fields import lookup_hash
from huxiao.core.models import Role, Unit, User
from huxiao.core.validators import id_param, mask_resident_id
from huxiao.core.views import AuthenticatedHttpRequest
from huxiao.gate import selectors
from huxiao.gate.models import (
    CREDENTIAL_PREFIX,
    Child,
    Delegation,
    IdType,
    PickupPerson,
    RefusedPickup,
    Release,
    SchoolClass,
    Visit,
    VisitStatus,
)
from huxiao.gate.services import pickup as pickup_services
from huxiao.gate.services import visits as visit_services
from huxiao.timetable.selectors import dismissal_open, gate_mode

GATE_ROLES = {Role.GUARD, Role.UNIT_ADMIN, Role.TEACHER}


class GateMixin(LoginRequiredMixin):
    """The gate screens are for the staff of one unit; the unit is theirs."""

    request: HttpRequest

    def unit(self) -> Unit:
        user: Any = self.request.user
        if user.role not in GATE_ROLES:
            raise PermissionDenied
        return Unit.objects.get(pk=user.organisation_id)


class GateHomeView(GateMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        unit = self.unit()
        return render(request, "gate/home.html", {
            "unit": unit, "mode": gate_mode(unit),
            **selectors.home_counts(request.user, unit, timezone.localdate()),
        })


# --- pick-up ---------------------------------------------------------------------------------------------

def _persons(children: Any) -> Any:
    return children.prefetch_related(Prefetch("pickup_persons", queryset=PickupPerson.objects.filter(
        revoked_at__isnull=True).order_by("name"))).select_related("school_class")


class PickupScreenView(GateMixin, View):
    """The pick-up screen. A search sent as a plain form (``?q=``: a card scanned before the page's script
    was ready, or a browser without it) is answered on the page itself."""

    def get(self, request: HttpRequest) -> HttpResponse:
        unit = self.unit()
        return render(request, "gate/pickup.html", {**_lookup(unit, request.GET.get("q")), "mode": gate_mode(unit),
                                                    "card_prefix": CREDENTIAL_PREFIX})


class PickupLookupView(GateMixin, View):
    """A scanned card (its text starts with the card prefix) or a name typed in."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "gate/pickup.html#lookup", _lookup(self.unit(), request.GET.get("q")))


def _lookup(unit: Unit, raw: str | None) -> dict[str, Any]:
    """What the scan field found: a card (its text starts with the card prefix), a delegation code (six
    digits, today's and unused), or children by name or class. Each with whether the child has gone
    already, so the guard sees "already picked up by … at …" before any release button."""
    q = (raw or "").strip()[:80]
    context: dict[str, Any] = {"unit": unit, "q": q}
    if q.startswith(CREDENTIAL_PREFIX):
        person = PickupPerson.objects.filter(
            unit=unit, credential_hash=lookup_hash(PickupPerson, "credential", q)).select_related(
            "child__school_class").first()
        context.update({"card": person, "credential": q, "card_unknown": person is None})
        if person is not None:
            _mark_released([person.child], unit)
    elif q.isdigit() and len(q) == 6:
        delegations = list(Delegation.objects.filter(
            unit=unit, date=timezone.localdate(), code_hash=lookup_hash(Delegation, "code", q)).select_related(
            "child__school_class").defer("id_number", "code").order_by("child__name"))
        _mark_released([d.child for d in delegations], unit)
        context.update({"delegations": delegations, "delegation_code": q})
    elif q:
        today_delegations = Delegation.objects.filter(date=timezone.localdate(), used_at__isnull=True).defer(
            "id_number", "code").order_by("name")
        children = Child.objects.filter(unit=unit, active=True).filter(
            Q(name__icontains=q) | Q(school_class__name__icontains=q)).order_by(
            "school_class__name", "name").prefetch_related(
            Prefetch("delegations", to_attr="delegations_today", queryset=today_delegations))
        context["children"] = list(_persons(children)[:20])
        _mark_released(context["children"], unit)
    return context


def _mark_released(children: list[Child], unit: Unit) -> None:
    """Tell the guard at once which of these children have gone today (one query)."""
    now = timezone.localtime()
    slot = pickup_services.dismissal_slot(unit.pk, now)
    released = {r.child_id: r for r in Release.objects.filter(unit=unit, day=now.date(), slot=slot,
                                                              child__in=[c.pk for c in children])}
    for child in children:
        child.release = released.get(child.pk)  # type: ignore[attr-defined]


# What the release form may carry: one way of proving the right to take the child.
RELEASE_FIELDS = ("child", "credential", "person", "delegation_code", "id_number")


class PickupReleaseView(GateMixin, View):
    """One tap: release the child to the person (or to the card scanned for this child, or to the holder
    of a delegation code who shows the ID it names). Outside a dismissal window the guard is asked first,
    and the release is recorded as an early pick-up."""

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        unit = self.unit()
        child = get_object_or_404(Child.objects.filter(unit=unit).select_related("school_class"),
                                  pk=_pk(request.POST.get("child")))
        kwargs: dict[str, Any] = {}
        if request.POST.get("credential"):
            kwargs["credential"] = request.POST["credential"]
        elif request.POST.get("person"):
            kwargs["person"] = get_object_or_404(PickupPerson.objects.filter(unit=unit),
                                                 pk=_pk(request.POST.get("person")))
        elif request.POST.get("delegation_code") or request.POST.get("id_number"):
            kwargs.update(delegation_code=request.POST.get("delegation_code", ""),
                          id_number=request.POST.get("id_number", ""))
        context: dict[str, Any] = {"child": child}
        if kwargs and not request.POST.get("confirm_early") and not dismissal_open(unit.pk, timezone.now()):
            context.update(outcome="confirm_early", fields={k: v for k, v in request.POST.items()
                                                            if k in RELEASE_FIELDS})
            return render(request, "gate/pickup.html#outcome", context)
        try:
            release = pickup_services.pickup_release(actor=request.user, child=child, **kwargs)
        except Conflict as exc:
            context.update(outcome="already", detail=str(exc.detail), extra=exc.extra)
        except Refused as exc:
            context.update(outcome="refused", detail=str(exc.detail))
        except ValidationError as exc:
            context.update(outcome="invalid", detail=" ".join(exc.messages))
        else:
            context.update(outcome="released", release=release)
        return render(request, "gate/pickup.html#outcome", context)


def _pk(value: Any) -> int:
    """An id from a form or the query string (``core.views.id_param``); 0, which matches nothing, if none."""
    return id_param(value) or 0


class BoardView(GateMixin, View):
    """The live dismissal board of a class: who has gone, with whom, and who is still waiting."""

    def get(self, request: HttpRequest) -> HttpResponse:
        unit = self.unit()
        classes = SchoolClass.objects.filter(unit=unit).order_by("name")
        user: Any = request.user
        default = classes.filter(teacher=user).first() if user.role == Role.TEACHER else classes.first()
        chosen = classes.filter(pk=_pk(request.GET.get("class"))).first() or default
        children = list(Child.objects.filter(school_class=chosen, active=True).order_by("name")) if chosen else []
        _mark_released(children, unit)
        waiting = [c for c in children if c.release is None]  # type: ignore[attr-defined]
        context = {"unit": unit, "classes": classes, "chosen": chosen, "children": children, "waiting": waiting,
                   "mode": gate_mode(unit)}
        if getattr(request, "htmx", False) and request.GET.get("partial"):
            return render(request, "gate/board.html#board", context)
        return render(request, "gate/board.html", context)


# --- visitors ------------------------------------------------------------------------------------------

class VisitorScreenView(GateMixin, View):
    def context(self, unit: Unit, **extra: Any) -> dict[str, Any]:
        today = timezone.localdate()
        visits = Visit.objects.filter(unit=unit, day=today).select_related("host")
        return {"unit": unit, "mode": gate_mode(unit), "id_types": IdType.choices,
                "hosts": User.objects.filter(organisation=unit, role__in=[Role.TEACHER, Role.UNIT_ADMIN],
                                             is_active=True).order_by("full_name", "username"),
                "inside": visits.filter(status=VisitStatus.ADMITTED).order_by("arrived_at"),
                "waiting": visits.filter(status=VisitStatus.AWAITING_HOST).order_by("arrived_at"),
                "recent": visits.order_by("-arrived_at")[:8], **extra}

    def get(self, request: HttpRequest) -> HttpResponse:
        unit = self.unit()
        if getattr(request, "htmx", False) and request.GET.get("partial"):
            return render(request, "gate/visitors.html#lists", self.context(unit))
        return render(request, "gate/visitors.html", self.context(unit))

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        unit = self.unit()
        data = request.POST
        host = User.objects.filter(organisation=unit, pk=_pk(data.get("host"))).first() if data.get("host") else None
        try:
            visit = visit_services.visit_register(
                actor=request.user, unit=unit, id_type=data.get("id_type", "resident_id"),
                id_number=data.get("id_number", ""), name=data.get("name", ""), phone=data.get("phone", ""),
                purpose=data.get("purpose", ""), host=host)
        except ValidationError as exc:
            return render(request, "gate/visitors.html", self.context(unit, errors=exc.message_dict, form=data),
                          status=400)
        return render(request, "gate/visitors.html", self.context(unit, decided=visit))


class VisitCheckoutView(GateMixin, View):
    scope_model = Visit

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        visit = get_object_or_404(Visit.objects.visible_to(request.user), pk=pk)
        try:
            visit_services.visit_checkout(actor=request.user, visit=visit)
        except (Conflict, PermissionDenied):
            messages.warning(request, _("This visitor is not inside."))
        else:
            messages.success(request, _("%(name)s has left.") % {"name": visit.name})
        return redirect("gate-visitors")


class VisitAnswerView(LoginRequiredMixin, View):
    """Where the host's notification leads: approve or refuse a waiting visitor."""

    scope_model = Visit

    def get_visit(self, request: HttpRequest, pk: int) -> Visit:
        return get_object_or_404(Visit.objects.visible_to(request.user).select_related("unit"), pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = self.get_visit(request, pk)
        return render(request, "gate/visit_answer.html", {"visit": visit,
                                                          "id_masked": mask_resident_id(visit.id_number)})

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        visit = self.get_visit(request, pk)
        try:
            visit = visit_services.visit_answer(actor=request.user, visit=visit,
                                                approve=request.POST.get("approve") == "1")
        except Conflict as exc:
            messages.warning(request, str(exc.detail))
        return render(request, "gate/visit_answer.html", {"visit": visit,
                                                          "id_masked": mask_resident_id(visit.id_number)})


# --- the unit admin's records -------------------------------------------------------------------------

class UnitPickupsView(LoginRequiredMixin, View):
    """Today's releases and refused attempts at a unit (where a refusal alert leads)."""

    scope_model = Unit

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
        user: Any = request.user
        # The unit's staff; the police of the station, who were alerted (refused attempts only).
        own_staff = user.organisation_id == unit.pk and user.role in GATE_ROLES
        if not own_staff and user.role != Role.POLICE:
            raise PermissionDenied
        today = timezone.localdate()
        refused = (RefusedPickup.objects.visible_to(user).filter(unit=unit, at__date=today)
                   .select_related("child", "guard"))
        releases = (Release.objects.visible_to(user).filter(unit=unit, day=today)
                    .select_related("child__school_class", "guard"))
        from huxiao.gate.models import DismissalClosed

        closed = (DismissalClosed.objects.filter(unit=unit, day=today).select_related("window")
                  if own_staff else DismissalClosed.objects.none())
        return render(request, "gate/unit_pickups.html", {"unit": unit, "refused": refused, "releases": releases,
                                                          "closed": closed})


class UnitVisitsView(LoginRequiredMixin, View):
    scope_model = Unit

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
        scoped = Visit.objects.visible_to(request.user).filter(unit=unit)
        visits = scoped.filter(day=timezone.localdate()).select_related("host")
        # Admitted and never checked out, today or before: who may still be on the campus.
        inside = scoped.filter(status=VisitStatus.ADMITTED).order_by("arrived_at")
        return render(request, "gate/unit_visits.html", {"unit": unit, "visits": visits, "inside": inside})


# --- children, pick-up persons, cards, delegations (the unit admin and the class teachers) -------------

class ChildrenView(GateMixin, View):
    """Children by class, the adults authorised to take each, their cards; add, revoke, delegate."""

    def context(self, unit: Unit, **extra: Any) -> dict[str, Any]:
        user: Any = self.request.user
        classes = SchoolClass.objects.filter(unit=unit).select_related("teacher").order_by("name").prefetch_related(
            Prefetch("children", queryset=_persons(Child.objects.filter(active=True).order_by("name"))))
        return {"unit": unit, "classes": classes, "may_edit": user.role in {Role.UNIT_ADMIN, Role.TEACHER},
                "today": timezone.localdate(), **extra}

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "gate/children.html", self.context(self.unit()))

    def post(self, request: HttpRequest) -> HttpResponse:
        unit = self.unit()
        data = request.POST
        actor: Any = request.user
        try:
            if data.get("action") == "add_child":
                klass = get_object_or_404(SchoolClass.objects.filter(unit=unit), pk=_pk(data.get("school_class")))
                pickup_services.child_add(actor=actor, school_class=klass, name=data.get("name", ""))
            elif data.get("action") == "add_person":
                child = get_object_or_404(Child.objects.filter(unit=unit), pk=_pk(data.get("child")))
                pickup_services.pickup_person_add(actor=actor, child=child, name=data.get("name", ""),
                                                  relation=data.get("relation", ""),
                                                  id_number=data.get("id_number", ""), phone=data.get("phone", ""))
            elif data.get("action") == "revoke":
                person = get_object_or_404(PickupPerson.objects.filter(unit=unit), pk=_pk(data.get("person")))
                pickup_services.pickup_person_revoke(actor=actor, person=person)
            elif data.get("action") == "delegate":
                child = get_object_or_404(Child.objects.filter(unit=unit).select_related("school_class"),
                                          pk=_pk(data.get("child")))
                from datetime import date as date_

                try:
                    day = date_.fromisoformat(data.get("date", ""))
                except ValueError:
                    raise ValidationError({"date": [_("Enter a valid date.")]}) from None
                delegation, code = pickup_services.delegation_create(
                    actor=actor, child=child, name=data.get("name", ""), id_number=data.get("id_number", ""),
                    date=day, requested_by=data.get("requested_by", ""))
                return render(request, "gate/children.html", self.context(unit, delegation=delegation, code=code))
            else:
                raise ValidationError({"action": [_("Unknown action.")]})
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            return render(request, "gate/children.html", self.context(unit, errors=errors, failed=data), status=400)
        messages.success(request, _("Saved."))
        return redirect("gate-children")


class CardView(GateMixin, View):
    """A printable pick-up card: the QR code the guard scans, the child, the adult."""

    scope_model = PickupPerson

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        import segno
        from django.utils.safestring import mark_safe

        person = get_object_or_404(PickupPerson.objects.visible_to(request.user).select_related(
            "child__school_class", "unit"), pk=pk)
        if person.revoked_at is not None:
            raise PermissionDenied
        svg = segno.make(person.credential, error="m").svg_inline(scale=5, dark="#000", light="#fff", omitsize=True)
        return render(request, "gate/card.html", {"person": person, "qr": mark_safe(svg),
                                                  "id_masked": mask_resident_id(person.id_number)})


# --- guard duty: patrol rounds, checkpoints, shifts, handovers (F-GATE-4) ------------------------------

class PatrolScreenView(GateMixin, View):
    """The guard's round: scan each checkpoint's code in order; the screen shows what is left."""

    def context(self, unit: Unit, **extra: Any) -> dict[str, Any]:
        from huxiao.gate.models import Checkpoint, PatrolRound, RoundStatus

        user: Any = self.request.user
        current = PatrolRound.objects.filter(guard=user, status=RoundStatus.IN_PROGRESS).first()
        scanned = {s.checkpoint_id: s for s in current.scans.all()} if current else {}
        checkpoints = [{"cp": c, "scan": scanned.get(c.pk)} for c in Checkpoint.objects.filter(unit=unit, active=True)]
        today = PatrolRound.objects.filter(unit=unit, day=timezone.localdate()).exclude(
            status=RoundStatus.IN_PROGRESS).order_by("-started_at")
        guards = User.objects.filter(organisation=unit, role=Role.GUARD, is_active=True).exclude(pk=user.pk)
        return {"unit": unit, "current": current, "checkpoints": checkpoints, "today": today, "guards": guards,
                **extra}

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "gate/patrol.html", self.context(self.unit()))

    def post(self, request: HttpRequest) -> HttpResponse:
        from huxiao.gate.services import duty

        unit = self.unit()
        actor: Any = request.user
        try:
            if request.POST.get("action") == "finish":
                duty.round_finish(actor=actor)
            elif request.POST.get("action") == "handover":
                to_guard = get_object_or_404(User.objects.filter(organisation=unit), pk=_pk(request.POST.get("to")))
                duty.handover_record(actor=actor, unit=unit, to_guard=to_guard,
                                     equipment_ok=request.POST.get("equipment_ok") == "on",
                                     notes=request.POST.get("notes", ""))
                messages.success(request, _("Handover recorded."))
            else:
                duty.checkpoint_scan(actor=actor, token=request.POST.get("token", ""))
        except ValidationError as exc:
            return render(request, "gate/patrol.html", self.context(unit, error=" ".join(exc.messages)), status=400)
        except Conflict as exc:
            return render(request, "gate/patrol.html", self.context(unit, error=str(exc.detail)), status=409)
        return redirect("gate-patrol")


class UnitPatrolView(LoginRequiredMixin, View):
    """A unit's guard duty: the last week's rounds (what ``patrol.rounds`` judges), its checkpoints and their
    printable codes, the shift rota and the handover log."""

    scope_model = Unit

    def get_unit(self, request: HttpRequest, pk: int) -> Unit:
        return get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        import segno
        from django.utils.safestring import mark_safe

        from huxiao.gate.models import Checkpoint, Handover, PatrolRound, Shift

        unit = self.get_unit(request, pk)
        user: Any = request.user
        is_admin = user.role == Role.UNIT_ADMIN and user.organisation_id == unit.pk
        since = timezone.localdate() - timedelta(days=6)
        rounds = PatrolRound.objects.filter(unit=unit, day__gte=since).select_related("guard").order_by("-started_at")
        checkpoints = list(Checkpoint.objects.filter(unit=unit, active=True))
        codes = [{"cp": c, "svg": mark_safe(segno.make(c.token, error="m").svg_inline(scale=4, omitsize=True))}
                 for c in checkpoints] if is_admin else []
        now = timezone.now()
        return render(request, "gate/unit_patrol.html", {
            "unit": unit, "rounds": rounds[:100], "checkpoints": checkpoints, "codes": codes, "is_admin": is_admin,
            "shifts": Shift.objects.filter(unit=unit, end__gte=now - timedelta(days=1)).select_related("guard")[:50],
            "handovers": Handover.objects.filter(unit=unit).select_related("from_guard", "to_guard")[:20],
            "guards": User.objects.filter(organisation=unit, role=Role.GUARD, is_active=True) if is_admin else [],
        })

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from datetime import datetime as datetime_

        from huxiao.gate.services import duty

        unit = self.get_unit(request, pk)
        actor: Any = request.user
        try:
            if request.POST.get("action") == "checkpoint":
                duty.checkpoint_add(actor=actor, unit=unit, name=request.POST.get("name", ""))
            elif request.POST.get("action") == "shift":
                guard = get_object_or_404(User.objects.filter(organisation=unit), pk=_pk(request.POST.get("guard")))
                try:
                    start = timezone.make_aware(datetime_.fromisoformat(request.POST.get("start", "")))
                    end = timezone.make_aware(datetime_.fromisoformat(request.POST.get("end", "")))
                except ValueError:
                    raise ValidationError({"start": [_("Enter a valid date and time.")]}) from None
                duty.shift_add(actor=actor, unit=unit, guard=guard, start=start, end=end)
            else:
                raise ValidationError({"action": [_("Unknown action.")]})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect("gate-patrol-report", pk=unit.pk)
