"""F-DASH pages that bring every domain together: the home page and a unit's page. This app sits above the
others (docs/architecture.md): it reads their selectors; nothing imports it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.generic import DetailView, TemplateView

from huxiao.compliance.selectors import summary
from huxiao.core.models import Unit, UnitKind
from huxiao.core.views import ScopedMixin
from huxiao.devices.selectors import devices_of
from huxiao.risk.selectors import counts as risk_counts
from huxiao.timetable.selectors import gate_mode


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "dashboard/home.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A guard's day is the gate: that is their home.
        if getattr(request.user, "role", "") == "guard":
            return redirect("gate-home")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        units = Unit.objects.visible_to(self.request.user)
        context["unit_counts"] = units.aggregate(
            total=Count("pk"),
            kindergartens=Count("pk", filter=Q(kind=UnitKind.KINDERGARTEN)),
            schools=Count("pk", filter=~Q(kind=UnitKind.KINDERGARTEN)),
            pupils=Sum("pupils"),
            boarding=Count("pk", filter=Q(boarding=True)),
        )
        labels = dict(UnitKind.choices)
        rows = [{"label": str(labels.get(r["kind"], r["kind"])), "n": r["n"]}
                for r in units.values("kind").annotate(n=Count("pk")).order_by("kind")]
        context["by_kind_rows"] = rows
        context["by_kind_chart"] = {"labels": [r["label"] for r in rows], "values": [r["n"] for r in rows]}
        context["compliance"] = summary(self.request.user)
        user: Any = self.request.user
        if user.has_perm("risk.view_counts"):  # F-RISK-1: counts only, no person (education sees no more)
            context["risk_counts"] = risk_counts(user.organisation.subdistrict_id)
            context["risk_ledger"] = user.has_perm("risk.view_ledger")
        return context


class UnitDetailView(ScopedMixin, DetailView):
    model = Unit
    template_name = "dashboard/unit_detail.html"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("parent", "police_station")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        unit = self.object
        context["windows"] = unit.timetable_windows.all()
        context["holidays"] = unit.holidays.all()
        context["gate_mode"] = gate_mode(unit)
        context["devices"] = devices_of(self.request.user, unit)
        context["can_change"] = self.request.user.has_perm("core.change_unit", unit)
        return context
