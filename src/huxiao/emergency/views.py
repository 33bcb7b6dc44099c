"""A unit's emergency page (F-EMRG-1, F-EMRG-2): its current plans with their versions, its drills, and —
for its admin — forms to approve a new plan version and record a drill."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from huxiao.core.models import Role, Unit
from huxiao.core.views import AuthenticatedHttpRequest, add_errors
from huxiao.emergency import services
from huxiao.emergency.models import Drill, Plan


class StyledModelForm(forms.ModelForm):
    """Bootstrap's classes on every widget, as the other forms have them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class PlanForm(StyledModelForm):
    class Meta:
        model = Plan
        fields = ["type", "title", "approved_on", "body", "response_force"]
        widgets = {"approved_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "body": forms.Textarea(attrs={"rows": 4}), "response_force": forms.Textarea(attrs={"rows": 2})}


class DrillForm(StyledModelForm):
    class Meta:
        model = Drill
        fields = ["scenario", "date", "participants", "duration_minutes", "evaluation", "issues_found"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "evaluation": forms.Textarea(attrs={"rows": 2}), "issues_found": forms.Textarea(attrs={"rows": 2})}


class UnitEmergencyView(LoginRequiredMixin, View):
    scope_model = Unit

    def _unit(self, request: HttpRequest, pk: int) -> Unit:
        return get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)

    def _page(self, request: HttpRequest, unit: Unit, plan_form: PlanForm | None = None,
              drill_form: DrillForm | None = None, status: int = 200) -> HttpResponse:
        plans = list(Plan.objects.visible_to(request.user).filter(unit=unit).order_by("type", "-version"))
        current: dict[str, Any] = {}
        for plan in plans:
            current.setdefault(plan.type, {"plan": plan, "versions": 0})["versions"] += 1
        user: Any = request.user
        return render(request, "emergency/unit.html", {
            "unit": unit, "current": list(current.values()),
            "drills": Drill.objects.visible_to(request.user).filter(unit=unit).order_by("-date", "-id")[:50],
            "can_edit": user.role == Role.UNIT_ADMIN and user.organisation_id == unit.pk,
            "plan_form": plan_form or PlanForm(), "drill_form": drill_form or DrillForm(),
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, self._unit(request, pk))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        unit = self._unit(request, pk)
        which = request.POST.get("form")
        form: Any = PlanForm(request.POST) if which == "plan" else DrillForm(request.POST)
        if form.is_valid():
            try:
                if which == "plan":
                    plan = services.plan_add(actor=request.user, unit=unit, **form.cleaned_data)
                    messages.success(request, _("Plan approved: %(plan)s.") % {"plan": plan})
                else:
                    services.drill_record(actor=request.user, unit=unit, **form.cleaned_data)
                    messages.success(request, _("Drill recorded."))
                return redirect("unit-emergency", pk=unit.pk)
            except ValidationError as exc:
                add_errors(form, exc)
        return self._page(request, unit, plan_form=form if which == "plan" else None,
                          drill_form=form if which != "plan" else None, status=400)
