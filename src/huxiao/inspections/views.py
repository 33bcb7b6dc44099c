"""F-PREV-1 pages: the sub-district's overview (which units are due), a unit's schedules and records, the
checklist to fill in on a tablet (pass / fail / not applicable per item, a note and a photo), a record with
the hazards its failures opened, and the checklists' editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from huxiao.core.audit import audit_read
from huxiao.core.models import Role, Unit
from huxiao.core.views import AuthenticatedHttpRequest
from huxiao.inspections import selectors, services
from huxiao.inspections.models import Inspection, ItemResult, Result, Template


class ScheduleForm(forms.Form):
    template = forms.ModelChoiceField(queryset=Template.objects.none(), label=gettext_lazy("Checklist"))
    every_days = forms.IntegerField(min_value=1, max_value=366, initial=30, label=gettext_lazy("Every (days)"))
    next_due = forms.DateField(required=False, label=gettext_lazy("Next due"),
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = selectors.checklists(user)  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


class InspectionListView(LoginRequiredMixin, View):
    """``inspections/``: a unit's staff go to their unit; the offices see every unit's schedules."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if user.role == Role.UNIT_ADMIN:
            return redirect("inspection-unit", pk=user.organisation_id)
        today = timezone.localdate()
        return render(request, "inspections/list.html", {
            "rows": selectors.due_by_unit(request.user, today=today),
            "units": Unit.objects.visible_to(request.user).order_by("code"),
            "may_edit": user.has_perm("inspections.change_template", user.organisation.subdistrict),
        })


class UnitInspectionsView(LoginRequiredMixin, View):
    scope_model = Unit

    def _unit(self, request: HttpRequest, pk: int) -> Unit:
        return get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)

    def _page(self, request: HttpRequest, unit: Unit, form: ScheduleForm | None = None,
              status: int = 200) -> HttpResponse:
        user: Any = request.user
        schedules = {s.template_id: s for s in selectors.schedules_of(request.user, unit)}
        return render(request, "inspections/unit.html", {
            "unit": unit, "rows": [{"t": t, "s": schedules.get(t.pk)} for t in selectors.checklists(request.user)],
            "inspections": selectors.inspections_of(request.user, unit)[:50],
            "today": timezone.localdate(),
            "may_record": user.has_perm("inspections.record_inspection", unit),
            "may_schedule": user.has_perm("inspections.schedule_inspection", unit),
            "form": form or ScheduleForm(user=request.user),
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, self._unit(request, pk))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        unit = self._unit(request, pk)
        form = ScheduleForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.schedule_set(actor=request.user, unit=unit, **form.cleaned_data)
                messages.success(request, _("Schedule saved."))
                return redirect("inspection-unit", pk=unit.pk)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
        return self._page(request, unit, form=form, status=400)


class InspectionNewView(LoginRequiredMixin, View):
    """``units/<pk>/inspections/new/?checklist=<id>``: the checklist, item by item."""

    scope_model = Unit

    def _context(self, request: HttpRequest, pk: int) -> tuple[Unit, Template]:
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
        template = get_object_or_404(selectors.checklists(request.user), pk=request.GET.get("checklist") or 0)
        return unit, template

    def _page(self, request: HttpRequest, unit: Unit, template: Template, *, errors: list[str] | None = None,
              values: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
        values = values or {}
        items = [{"item": item, "result": values.get(f"result-{item.pk}", ""),
                  "note": values.get(f"note-{item.pk}", "")} for item in template.items.all()]
        return render(request, "inspections/new.html", {
            "unit": unit, "template": template, "items": items, "errors": errors or [],
            "choices": ItemResult.choices, "date": values.get("date") or timezone.localdate().isoformat(),
            "notes": values.get("notes", ""),
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        unit, template = self._context(request, pk)
        return self._page(request, unit, template)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        unit, template = self._context(request, pk)
        try:
            day = forms.DateField().clean(request.POST.get("date"))
        except ValidationError as exc:
            return self._page(request, unit, template, errors=exc.messages, values=request.POST.dict(), status=400)
        results = [{"item": item.pk, "result": request.POST.get(f"result-{item.pk}", ""),
                    "note": request.POST.get(f"note-{item.pk}", "")[:500],
                    "photo": request.FILES.get(f"photo-{item.pk}")} for item in template.items.all()]
        try:
            inspection = services.inspection_record(actor=request.user, unit=unit, template=template, date=day,
                                                    results=results, notes=request.POST.get("notes", "")[:4000])
        except ValidationError as exc:
            return self._page(request, unit, template, errors=exc.messages, values=request.POST.dict(), status=400)
        failed = sum(1 for r in results if r["result"] == ItemResult.FAIL)
        messages.success(request, _("Inspection recorded.") + (" " + _("%(n)s hazards opened.") % {"n": failed}
                                                              if failed else ""))
        return redirect("inspection-detail", pk=inspection.pk)


class InspectionDetailView(LoginRequiredMixin, View):
    scope_model = Inspection

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = get_object_or_404(Inspection.objects.visible_to(request.user).select_related(
            "unit", "template", "inspector"), pk=pk)
        return render(request, "inspections/detail.html", {
            "inspection": inspection, "results": selectors.results_of(request.user, inspection)})


class ResultPhotoView(LoginRequiredMixin, View):
    scope_model = Inspection

    def get(self, request: HttpRequest, pk: int, result: int) -> FileResponse:
        row = get_object_or_404(Result.objects.visible_to(request.user).exclude(photo=""), inspection_id=pk, pk=result)
        audit_read(row)
        ext = (row.photo.name or "").rsplit(".", 1)[-1].lower()
        content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "heic": "image/heic"}.get(
            ext, "application/octet-stream")
        response = FileResponse(row.photo.open("rb"), content_type=content_type)
        response["Cache-Control"] = "private, max-age=3600"
        return response


class ChecklistEditView(LoginRequiredMixin, View):
    """A checklist's items, one per line, in Chinese and in English (the English line beside its Chinese one)."""

    scope_model = Template

    def _template(self, request: HttpRequest, pk: int) -> Template:
        return get_object_or_404(selectors.checklists(request.user), pk=pk)

    def _page(self, request: HttpRequest, template: Template, *, errors: list[str] | None = None,
              values: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
        items = list(template.items.all())
        user: Any = request.user
        return render(request, "inspections/checklist.html", {
            "template": template, "errors": errors or [],
            "may_edit": user.has_perm("inspections.change_template", template.subdistrict),
            "name": (values or {}).get("name", template.name),
            "name_en": (values or {}).get("name_en", template.name_en),
            "items_zh": (values or {}).get("items_zh", "\n".join(i.text for i in items)),
            "items_en": (values or {}).get("items_en", "\n".join(i.text_en for i in items)),
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, self._template(request, pk))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        template = self._template(request, pk)
        zh = request.POST.get("items_zh", "").splitlines()
        en = request.POST.get("items_en", "").splitlines()
        items = [(line, en[i] if i < len(en) else "") for i, line in enumerate(zh)]
        try:
            services.template_update(actor=request.user, template=template, name=request.POST.get("name", ""),
                                     name_en=request.POST.get("name_en", ""), items=items)
        except ValidationError as exc:
            return self._page(request, template, errors=exc.messages, values=request.POST.dict(), status=400)
        messages.success(request, _("Checklist saved."))
        return redirect("inspection-checklist", pk=template.pk)
