"""The surroundings pages (F-SURR-1/2): the map of units and premises with a list beside it (for everyone who sees
premises; one unit's on its own page), the premises register and editor with its clean-up records and campaigns
(police, governance, the sub-district admin), and the traffic and illegal-taxi reports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from huxiao.core.models import Organisation, OrgType, Unit
from huxiao.core.views import AuthenticatedHttpRequest, add_errors
from huxiao.surroundings import selectors, services
from huxiao.surroundings.models import Campaign, CleanupRecord, Premises, PremisesKind, TrafficReport


class StyledForm(forms.ModelForm):
    """Bootstrap's classes on every widget, as the other forms have them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class PremisesForm(StyledForm):
    class Meta:
        model = Premises
        fields = ["name", "kind", "address", "lat", "lng", "licence_no", "operator"]
        widgets = {"lat": forms.NumberInput(attrs={"step": "any"}), "lng": forms.NumberInput(attrs={"step": "any"})}


class CleanupForm(StyledForm):
    class Meta:
        model = CleanupRecord
        fields = ["action", "date", "campaign", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaign: Any = self.fields["campaign"]
        campaign.queryset = selectors.campaigns_for(user)
        self.fields["date"].initial = timezone.localdate()


class CampaignForm(StyledForm):
    class Meta:
        model = Campaign
        fields = ["title", "lead_office", "starts_on", "ends_on", "description"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead: Any = self.fields["lead_office"]
        lead.queryset = Organisation.objects.visible_to(user).filter(type__in=services.LEAD_OFFICE_TYPES).exclude(
            type=OrgType.UNIT)


class TrafficForm(StyledForm):
    class Meta:
        model = TrafficReport
        fields = ["unit", "kind", "place", "observed_at", "description"]
        widgets = {"observed_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit: Any = self.fields["unit"]
        unit.queryset = Unit.objects.visible_to(user).filter(active=True).order_by("code")
        if user.organisation_id and user.organisation.type == OrgType.UNIT:  # a unit's own staff: their unit
            self.fields["unit"].initial = user.organisation_id
        self.fields["observed_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def _may_add(user: Any) -> bool:
    return bool(user.has_perm("surroundings.add_premises", Organisation(pk=user.organisation.subdistrict_id,
                                                                        type=OrgType.SUBDISTRICT)))


class SurroundingsMapView(LoginRequiredMixin, View):
    """Units (points, boundaries, the restricted radius round them) and premises (by kind; violations in red),
    with a list beside the map that works without it."""

    scope_model: type[models.Model] = Premises
    template_name = "surroundings/map.html"

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        unit = None if pk is None else get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
        data = selectors.map_data(request.user, unit)
        rows = data.pop("rows")
        data["labels"] = {"violation": _("Violation"), "distance": _("%(d)s m")}
        return render(request, self.template_name, {
            "unit": unit, "rows": rows, "map_data": data, "map_tiles": settings.MAP_TILES,
            "kinds": PremisesKind.choices, "radius_m": data["radius_m"],
            "violations": sum(1 for r in rows if r.violation), "can_edit": _may_add(request.user),
        })


class UnitSurroundingsView(SurroundingsMapView):
    """One unit's surroundings (the compliance matrix links its ``premises.restricted`` verdict here)."""

    scope_model = Unit


class PremisesListView(LoginRequiredMixin, View):
    """The premises register: every premises the user sees, nearest first; for police, governance and the
    sub-district admin, forms to add a premises and start a campaign."""

    scope_model = Premises

    def _page(self, request: HttpRequest, form: PremisesForm | None = None, campaign_form: CampaignForm | None = None,
              status: int = 200) -> HttpResponse:
        rows = selectors.mark_violations(selectors.premises_for(request.user).order_by("distance_m", "name", "id"))
        return render(request, "surroundings/premises_list.html", {
            "rows": rows, "campaigns": selectors.campaigns_for(request.user)[:20], "can_edit": _may_add(request.user),
            "form": form or PremisesForm(), "campaign_form": campaign_form or CampaignForm(user=request.user),
            "picker_units": selectors.campus_outlines(request.user), "map_tiles": settings.MAP_TILES,
        }, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        if request.POST.get("form") == "campaign":
            campaign_form = CampaignForm(request.POST, user=request.user)
            if campaign_form.is_valid():
                try:
                    campaign = services.campaign_add(actor=request.user, **campaign_form.cleaned_data)
                    messages.success(request, _("Campaign started: %(title)s.") % {"title": campaign.title})
                    return redirect("surroundings-premises")
                except ValidationError as exc:
                    add_errors(campaign_form, exc)
            return self._page(request, campaign_form=campaign_form, status=400)
        form = PremisesForm(request.POST)
        if form.is_valid():
            try:
                premises = services.premises_add(actor=request.user, **form.cleaned_data)
                messages.success(request, _("Premises added: %(name)s.") % {"name": premises.name})
                return redirect("premises-edit", pk=premises.pk)
            except ValidationError as exc:
                add_errors(form, exc)
        return self._page(request, form=form, status=400)


class PremisesEditView(LoginRequiredMixin, View):
    """One premises: its details (editable by those who write premises) and its clean-up records."""

    scope_model = Premises

    def _premises(self, request: HttpRequest, pk: int) -> Premises:
        return get_object_or_404(selectors.premises_for(request.user), pk=pk)

    def _page(self, request: HttpRequest, premises: Premises, form: PremisesForm | None = None,
              record_form: CleanupForm | None = None, status: int = 200) -> HttpResponse:
        selectors.mark_violations([premises])
        return render(request, "surroundings/premises_edit.html", {
            "premises": premises, "records": selectors.records_for(request.user, premises),
            "can_edit": request.user.has_perm("surroundings.change_premises", premises),
            "form": form or PremisesForm(instance=premises),
            "record_form": record_form or CleanupForm(user=request.user),
            "picker_units": selectors.campus_outlines(request.user), "map_tiles": settings.MAP_TILES,
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, self._premises(request, pk))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        premises = self._premises(request, pk)
        if request.POST.get("form") == "record":
            record_form = CleanupForm(request.POST, user=request.user)
            if record_form.is_valid():
                try:
                    services.cleanup_record(actor=request.user, premises=premises, **record_form.cleaned_data)
                    messages.success(request, _("Clean-up recorded."))
                    return redirect("premises-edit", pk=premises.pk)
                except ValidationError as exc:
                    add_errors(record_form, exc)
            return self._page(request, premises, record_form=record_form, status=400)
        form = PremisesForm(request.POST, instance=Premises.objects.get(pk=premises.pk))
        if form.is_valid():
            try:
                services.premises_update(actor=request.user, premises=premises, **form.cleaned_data)
                messages.success(request, _("Premises saved."))
                return redirect("premises-edit", pk=premises.pk)
            except ValidationError as exc:
                add_errors(form, exc)
        return self._page(request, premises, form=form, status=400)


class TrafficView(LoginRequiredMixin, View):
    """Traffic disorder and illegal-taxi reports the user sees, each with its hazard; a form to file one."""

    scope_model = TrafficReport

    def _page(self, request: HttpRequest, form: TrafficForm | None = None, status: int = 200) -> HttpResponse:
        return render(request, "surroundings/traffic.html", {
            "reports": selectors.traffic_for(request.user)[:100],
            "form": form or TrafficForm(user=request.user),
            "can_report": any(request.user.has_perm("surroundings.report_traffic", u)
                              for u in Unit.objects.visible_to(request.user).filter(active=True)),
        }, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form = TrafficForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.traffic_report(actor=request.user, **form.cleaned_data)
                messages.success(request, _("Report filed; a hazard has been opened at the unit."))
                return redirect("surroundings-traffic")
            except ValidationError as exc:
                add_errors(form, exc)
        return self._page(request, form=form, status=400)

