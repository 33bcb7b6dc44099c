"""The alarm console (F-TECH-3) for the police and the sub-district duty desk: live alarms, each with its
unit and response steps. The page is rendered on the server; ``static/js/console.js`` adds what the stream
pushes, and plays a sound once the user has clicked on the page (browsers allow sound only after that)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from rest_framework.exceptions import APIException

from huxiao.alarms import services
from huxiao.alarms.models import STEP_LABELS, STEPS, Alarm
from huxiao.core.views import id_param


class ConsoleView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        from django.utils import timezone

        visible = Alarm.objects.visible_to(request.user).select_related("unit").order_by("-id")
        # Live: every alarm not closed yet, however old. Closed ones leave the list for today's record.
        alarms = list(visible.filter(closed_at__isnull=True)[:100])
        closed = list(visible.filter(closed_at__isnull=False, closed_at__date=timezone.localdate())[:30])
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
        from django.conf import settings
        from django.utils import timezone

        from huxiao.force.models import PoliceAssignment
        from huxiao.gate.models import Shift

        alarm = get_object_or_404(Alarm.objects.visible_to(request.user).select_related(
            "unit", "raised_by", "acknowledged_by", "device"), pk=pk)
        unit, now = alarm.unit, timezone.now()
        today = timezone.localdate()
        officer = (PoliceAssignment.objects.filter(unit=unit, start_date__lte=today)
                   .exclude(end_date__lt=today).order_by("-start_date").first())
        on_duty = (Shift.objects.filter(unit=unit, start__lte=now, end__gt=now).select_related("guard")
                   .order_by("start"))
        from huxiao.alarms.models import Severity
        from huxiao.emergency.models import Plan

        plans: dict[str, Plan] = {}
        for plan in Plan.objects.visible_to(request.user).filter(unit=unit).order_by("type", "-version"):
            plans.setdefault(plan.type, plan)  # the current version of each type
        timeline = [(STEP_LABELS["raised"], alarm.raised_at)] + [
            (STEP_LABELS[step], getattr(alarm, f"{step}_at")) for step in STEPS]
        return render(request, "alarms/_panel.html", {
            "alarm": alarm, "unit": unit, "officer": officer, "plans": list(plans.values()), "on_duty": on_duty,
            "timeline": timeline,
            "map_tiles": settings.MAP_TILES, "severities": Severity.choices,
            "response_seconds": int((alarm.acknowledged_at - alarm.raised_at).total_seconds())
            if alarm.acknowledged_at else None,
        })


class StepView(LoginRequiredMixin, View):
    scope_model = Alarm

    def post(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        alarm = get_object_or_404(Alarm.objects.visible_to(request.user).select_related("unit"), pk=pk)
        try:
            services.alarm_step(actor=request.user, alarm=alarm, step=step)  # type: ignore[arg-type]
        except APIException as exc:  # already recorded (409): who was first, and when
            messages.warning(request, str(exc.detail))
        except ValidationError as exc:  # not a step of the response
            messages.warning(request, " ".join(exc.messages))
        return redirect(f"{reverse('alarm-console')}?alarm={alarm.pk}")


class IncidentView(LoginRequiredMixin, View):
    """F-EMRG-3 from the console's panel: severity, place, description; the review once closed."""

    scope_model = Alarm

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from huxiao.alarms.models import Severity

        alarm = get_object_or_404(Alarm.objects.visible_to(request.user).select_related("unit"), pk=pk)
        fields = {name: request.POST[name].strip() for name in ("place", "description", "review")
                  if name in request.POST}
        if request.POST.get("severity") in Severity.values:
            fields["severity"] = request.POST["severity"]
        try:
            services.incident_describe(actor=request.user, alarm=alarm, **fields)  # type: ignore[arg-type]
            messages.success(request, _("Incident record saved."))
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
        return redirect(f"{reverse('alarm-console')}?alarm={alarm.pk}")
