"""The alarm console (F-TECH-3) for the police and the sub-district duty desk: live alarms, each with its
unit and response steps. The page is rendered on the server; ``static/js/console.js`` adds what the stream
pushes, and plays a sound once the user has clicked on the page (browsers allow sound only after that)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from rest_framework.exceptions import APIException

from huxiao.alarms import selectors, services
from huxiao.alarms.models import STEP_LABELS, STEPS, Alarm, Severity
from huxiao.core.validators import id_param
from huxiao.core.views import AuthenticatedHttpRequest
from huxiao.emergency.selectors import current_plans
from huxiao.force.selectors import duty_officer
from huxiao.gate.selectors import on_duty


class ConsoleView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        alarms, closed = selectors.console(request.user)
        # The alarm just acted on stays in the panel (a closed one too: its review is written there).
        focus = id_param(request.GET.get("alarm"))
        chosen = next((a for a in alarms + closed if a.pk == focus), None) or (alarms[0] if alarms else None)
        return render(request, "alarms/console.html", {"alarms": alarms, "closed": closed, "chosen": chosen,
                                                       "steps": STEPS,
                                                       "step_labels": {k: str(v) for k, v in STEP_LABELS.items()}})


class PanelView(LoginRequiredMixin, View):
    """What the officer needs about an alarm's unit, beside the list: where it is (map, address), whom to
    call (the duty officer, the unit), who is at the gate now, and the response so far."""

    scope_model = Alarm

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        alarm = selectors.alarm_for(request.user, pk)
        unit, now = alarm.unit, timezone.now()
        timeline = [(STEP_LABELS["raised"], alarm.raised_at)] + [
            (STEP_LABELS[step], getattr(alarm, f"{step}_at")) for step in STEPS]
        return render(request, "alarms/_panel.html", {
            "alarm": alarm, "unit": unit, "officer": duty_officer(request.user, unit, timezone.localdate()),
            "plans": current_plans(request.user, unit), "on_duty": on_duty(request.user, unit, now),
            "timeline": timeline,
            "map_tiles": settings.MAP_TILES, "severities": Severity.choices,
            "response_seconds": int((alarm.acknowledged_at - alarm.raised_at).total_seconds())
            if alarm.acknowledged_at else None,
        })


class StepView(LoginRequiredMixin, View):
    scope_model = Alarm

    def post(self, request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
        alarm = selectors.alarm_for(request.user, pk)
        try:
            services.alarm_step(actor=request.user, alarm=alarm, step=step)
        except APIException as exc:  # already recorded (409): who was first, and when
            messages.warning(request, str(exc.detail))
        except ValidationError as exc:  # not a step of the response
            messages.warning(request, " ".join(exc.messages))
        return redirect(f"{reverse('alarm-console')}?alarm={alarm.pk}")


class IncidentView(LoginRequiredMixin, View):
    """F-EMRG-3 from the console's panel: severity, place, description; the review once closed."""

    scope_model = Alarm

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        alarm = selectors.alarm_for(request.user, pk)
        fields = {name: request.POST[name].strip() for name in ("place", "description", "review")
                  if name in request.POST}
        if request.POST.get("severity") in Severity.values:
            fields["severity"] = request.POST["severity"]
        try:
            services.incident_describe(actor=request.user, alarm=alarm, **fields)
            messages.success(request, _("Incident record saved."))
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
        return redirect(f"{reverse('alarm-console')}?alarm={alarm.pk}")
