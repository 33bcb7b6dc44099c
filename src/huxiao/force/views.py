"""Pages of the security force: a unit's force (F-FORCE-1…7), its forms, QR check-in and visibility."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from huxiao.compliance.models import Result
from huxiao.compliance.registry import render_all
from huxiao.core.dates import age_on
from huxiao.core.errors import Conflict
from huxiao.core.models import Unit
from huxiao.core.validators import mask_resident_id
from huxiao.core.views import AuthenticatedHttpRequest, ScopedMixin, add_errors
from huxiao.force import selectors, services
from huxiao.force.forms import ACTIONS, GuardForm
from huxiao.force.models import CheckIn, CheckInMethod, CheckInPoint, Guard, PointKind


class UnitForceView(ScopedMixin, DetailView):
    """Everything that guards one campus, with the unit's verdicts beside it."""

    model = Unit
    template_name = "force/unit_force.html"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("parent", "police_station")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from huxiao.compliance.engine import rules

        context = super().get_context_data(**kwargs)
        unit: Unit = self.object
        user = self.request.user
        today = timezone.localdate()
        guards = list(unit.guards.all())
        for g in guards:
            g.age = age_on(g.birth_date, today)  # type: ignore[attr-defined]
            g.id_masked = mask_resident_id(g.id_number)  # type: ignore[attr-defined]
        results = {r.rule: r for r in Result.objects.filter(unit=unit)}
        registry = rules()
        context.update({
            "today": today,
            "police": list(unit.police_assignments.all()),
            "lvps": list(unit.legal_vice_principals.all()),
            "lectures": list(unit.lectures.filter(date__year=today.year)),
            "lecture_hours": unit.lectures.filter(date__year=today.year).aggregate(
                h=Sum("class_hours"))["h"] or 0,
            "guards": guards,
            "equipment": list(unit.equipment.all()),
            "staff": list(unit.staff_members.prefetch_related("duties__window")),
            "patrols": list(unit.patrol_assignments.select_related("team", "window")),
            "room": getattr(unit, "police_room", None),
            "points": list(unit.checkin_points.all()),
            "checkins": list(CheckIn.objects.filter(unit=unit).order_by("-at")[:10]),
            "verdicts": [
                {"rule": registry[code], "result": r, "lines": render_all(r.evidence)}
                for code, r in sorted(results.items()) if code in registry and registry[code].feature.startswith(
                    "F-FORCE")
            ],
            "can": {name.replace("-", "_"): user.has_perm(form.permission, unit) for name, form in ACTIONS.items()},
            "can_check_in": user.has_perm("force.check_in", unit),
            "can_manage_points": user.has_perm("force.manage_points", unit),
            "can_manage_patrols": unit.parent is not None and user.has_perm("force.manage_patrols", unit.parent),
        })
        return context


class ForceActionView(LoginRequiredMixin, View):
    """One form of the force page (``action`` names it in ``forms.ACTIONS``): GET shows it, POST saves it
    through its service and returns to the force page at the section it changed."""

    scope_model = Unit  # the object the URL's pk names (tenancy matrix)
    action = ""

    def setup_form(self, request: HttpRequest, pk: int) -> tuple[Unit, Any]:
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
        form_class = ACTIONS[self.action]
        if not request.user.has_perm(form_class.permission, unit):
            raise PermissionDenied
        return unit, form_class

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        unit, form_class = self.setup_form(request, pk)
        return self.show(request, unit, form_class(unit=unit))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        unit, form_class = self.setup_form(request, pk)
        form = form_class(request.POST, unit=unit)
        if _saved(request, form):
            return redirect(reverse("unit-force", args=[unit.pk]) + f"#{form.anchor}")
        return self.show(request, unit, form, status=400)

    def show(self, request: HttpRequest, unit: Unit, form: Any, status: int = 200) -> HttpResponse:
        return render(request, "force/action_form.html", {"unit": unit, "form": form, "title": form.title},
                      status=status)


def _saved(request: HttpRequest, form: Any) -> bool:
    """Validate and save a form through its service; its errors (the form's or the service's) stay on it."""
    if not form.is_valid():
        return False
    try:
        form.save(request.user)
    except ValidationError as exc:
        add_errors(form, exc)
        return False
    messages.success(request, _("Saved."))
    return True


class GuardEditView(LoginRequiredMixin, View):
    scope_model = Guard

    def get_guard(self, request: HttpRequest, pk: int) -> Guard:
        guard = get_object_or_404(Guard.objects.visible_to(request.user).select_related("unit"), pk=pk)
        if not request.user.has_perm("force.manage_guards", guard.unit):
            raise PermissionDenied
        return guard

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        guard = self.get_guard(request, pk)
        form = GuardForm(unit=guard.unit, instance=guard)
        return render(request, "force/action_form.html", {"unit": guard.unit, "form": form, "title": guard.name})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        guard = self.get_guard(request, pk)
        form = GuardForm(request.POST, unit=guard.unit, instance=guard)
        if _saved(request, form):
            return redirect(reverse("unit-force", args=[guard.unit_id]) + "#guards")
        return render(request, "force/action_form.html", {"unit": guard.unit, "form": form, "title": guard.name},
                      status=400)


class TapCheckInView(LoginRequiredMixin, View):
    """"I am at the gate": a tap on the force page."""

    scope_model = Unit

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
        _check_in(request, unit=unit)
        return redirect(reverse("unit-force", args=[unit.pk]) + "#checkins")


def _attempt_check_in(user: Any, **where: Any) -> tuple[CheckIn | None, str, str]:
    """A check-in, as (check-in, outcome, what to tell the user): ``done``, ``already`` (409: one per window)
    or ``refused`` (outside a window, not here)."""
    try:
        checkin = services.checkin_record(actor=user, **where)
    except Conflict as exc:
        return None, "already", str(exc.detail)
    except ValidationError as exc:
        return None, "refused", " ".join(exc.messages)
    return checkin, "done", _("Checked in at %(time)s.") % {"time": timezone.localtime(checkin.at).strftime("%H:%M")}


def _check_in(request: AuthenticatedHttpRequest, **where: Any) -> CheckIn | None:
    checkin, outcome, text = _attempt_check_in(request.user, **where)
    {"done": messages.success, "already": messages.warning, "refused": messages.error}[outcome](request, text)
    return checkin


class QrCheckInView(LoginRequiredMixin, View):
    """Where a gate's QR code leads: a phone's camera opens it, the officer taps once."""

    def get_point(self, request: AuthenticatedHttpRequest, token: str) -> CheckInPoint:
        """Only someone who may check in there learns where a code belongs; anyone else sees 404."""
        point = get_object_or_404(CheckInPoint.objects.select_related("unit"), token=token)
        user = request.user
        allowed = (user.has_perm("force.check_in", point.unit) if point.unit is not None else
                   user.role == "police" and user.organisation.subdistrict_id == point.subdistrict_id)
        if not allowed:
            raise Http404
        return point

    def get(self, request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
        point = self.get_point(request, token)
        return render(request, "force/checkin.html", {"point": point})

    def post(self, request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
        point = self.get_point(request, token)
        checkin = _check_in(request, point=point, method=CheckInMethod.QR)
        return render(request, "force/checkin.html", {"point": point, "checkin": checkin})


class CheckInCodesView(LoginRequiredMixin, View):
    """The printable QR codes of a unit's gates; managers add a gate or replace a leaked code."""

    scope_model = Unit

    def get_unit(self, request: HttpRequest, pk: int) -> Unit:
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
        if not request.user.has_perm("force.manage_points", unit):
            raise PermissionDenied
        return unit

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        unit = self.get_unit(request, pk)
        codes = []
        for point in unit.checkin_points.all():
            url = request.build_absolute_uri(reverse("checkin", args=[point.token]))
            svg = segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff", omitsize=True)
            codes.append({"point": point, "url": url, "svg": mark_safe(svg)})
        return render(request, "force/checkin_codes.html", {"unit": unit, "codes": codes})

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        unit = self.get_unit(request, pk)
        rotate = request.POST.get("rotate", "")
        if rotate.isdigit():
            point = get_object_or_404(CheckInPoint.objects.filter(unit=unit), pk=int(rotate))
            services.point_rotate(actor=request.user, point=point)
            messages.success(request, _("A new code was made: print it and replace the old one."))
        else:
            name = (request.POST.get("name") or "").strip()[:60] or _("Main gate")
            services.point_create(actor=request.user, subdistrict=unit.subdistrict, unit=unit,  # type: ignore[arg-type]
                                  kind=PointKind.GATE, name=name)
            messages.success(request, _("Gate added."))
        return redirect("checkin-codes", pk=unit.pk)


class VisibilityPageView(LoginRequiredMixin, View):
    """见警率 per unit and officer for a week, and the weekly trend as a chart."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            day = date.fromisoformat(request.GET.get("week", ""))
        except ValueError:
            day = timezone.localdate()
        units = Unit.objects.visible_to(request.user).filter(active=True)
        report = selectors.visibility_report(units, day)
        chart = {"weeks": [t["week"] for t in report["trend"]], "rates": [t["rate"] for t in report["trend"]]}
        first = report["first"]
        return render(request, "force/visibility.html", {
            "report": report, "chart": chart, "day": day, "prev_week": first - timedelta(days=7),
            "next_week": first + timedelta(days=7) if first + timedelta(days=7) <= timezone.localdate() else None})


class PatrolTeamsView(LoginRequiredMixin, View):
    """F-FORCE-6: the communities' patrol teams (夕阳红) and the kindergarten gates they cover. The
    sub-district admin and the governance office add teams and assign them to a gate's window."""

    def context(self, request: AuthenticatedHttpRequest, team_form: Any = None,
                assign_form: Any = None) -> dict[str, Any]:
        from huxiao.force.forms import PatrolAssignForm, PatrolTeamForm
        from huxiao.force.models import PatrolTeam

        teams = PatrolTeam.objects.visible_to(request.user).select_related("community").prefetch_related(
            "assignments__unit", "assignments__window").order_by("community__code", "name")
        user = request.user
        may = user.has_perm("force.manage_patrols", user.organisation.subdistrict)
        return {"teams": teams, "may_manage": may,
                "team_form": team_form or (PatrolTeamForm(user=user) if may else None),
                "assign_form": assign_form or (PatrolAssignForm(user=user) if may else None)}

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        return render(request, "force/patrol_teams.html", self.context(request))

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        from huxiao.force.forms import PatrolAssignForm, PatrolTeamForm

        form: Any
        if request.POST.get("form") == "assign":
            form = PatrolAssignForm(request.POST, user=request.user)
            forms_ = {"assign_form": form}
        else:
            form = PatrolTeamForm(request.POST, user=request.user)
            forms_ = {"team_form": form}
        if _saved(request, form):
            return redirect("patrol-teams")
        return render(request, "force/patrol_teams.html", self.context(request, **forms_), status=400)


class GateCheckInView(LoginRequiredMixin, View):
    """"I am at the gate" (F-FORCE-2) from the gate screen's tile (``{% checkin_tile %}``): one tap,
    answered on the tile itself. The unit is the user's own."""

    def post(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        unit = Unit.objects.visible_to(user).filter(pk=user.organisation_id).first()
        if unit is None:
            raise PermissionDenied
        try:
            checkin, outcome, text = _attempt_check_in(user, unit=unit)
        except PermissionDenied:
            checkin, outcome, text = None, "refused", _("You cannot check in here.")
        text = text or _("You cannot check in here.")
        context: dict[str, Any] = {"unit": unit, "checkin": checkin, "checkin_outcome": outcome,
                                   "checkin_detail": text}
        if outcome == "already":
            context["checkin"] = selectors.gate_tile(user, unit)["checkin"]
        if getattr(request, "htmx", False):
            return render(request, "force/_gate_checkin.html", context)
        (messages.success if outcome == "done" else messages.warning)(request, text)
        return redirect("gate-home")
