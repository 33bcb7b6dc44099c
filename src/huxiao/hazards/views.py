"""F-PREV-2 pages: the hazards list (everything the user sees, or one unit's), a hazard with its history and
the forms for what the user may do next, and its evidence photos (served only to whoever sees the hazard)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views import View

from huxiao.core.audit import audit_read
from huxiao.core.errors import Conflict
from huxiao.core.models import Unit
from huxiao.core.views import AuthenticatedHttpRequest, add_errors
from huxiao.hazards import selectors, services
from huxiao.hazards.models import Hazard, HazardEvent, HazardStatus, Priority, Source


def _styled(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)
    return form


class ReportForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("Unit"))
    title = forms.CharField(max_length=200, label=gettext_lazy("Hazard"))
    location = forms.CharField(max_length=120, required=False, label=gettext_lazy("Where"))
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.MEDIUM, label=gettext_lazy("Priority"))
    source = forms.ChoiceField(choices=[(s.value, s.label) for s in (Source.REPORT, Source.PATROL, Source.SUPERVISION)],
                               initial=Source.REPORT, label=gettext_lazy("Source"))
    description = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  label=gettext_lazy("Description"))
    photo = forms.FileField(required=False, label=gettext_lazy("Photo"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))

    def __init__(self, *args: Any, user: Any, unit: Unit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(user).order_by("code")
        self.fields["unit"].queryset = units.filter(pk=unit.pk) if unit else units  # type: ignore[attr-defined]
        if unit is not None:
            self.fields["unit"].initial = unit.pk
        _styled(self)


class AssignForm(forms.Form):
    responsible = forms.CharField(max_length=60, label=gettext_lazy("Responsible person"))
    priority = forms.ChoiceField(choices=Priority.choices, label=gettext_lazy("Priority"))
    deadline = forms.DateField(required=False, label=gettext_lazy("Deadline"),
                               help_text=gettext_lazy("Empty: by priority (high 3 days, medium 15, low 30)."),
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(max_length=4000, required=False, label=gettext_lazy("Note"))


class RectifyForm(forms.Form):
    rectification = forms.CharField(max_length=4000, label=gettext_lazy("What was done"),
                                    widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(required=False, label=gettext_lazy("Photo of the repair"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))


class CloseForm(forms.Form):
    note = forms.CharField(max_length=4000, required=False, label=gettext_lazy("Verification note"))


class SendBackForm(forms.Form):
    note = forms.CharField(max_length=4000, label=gettext_lazy("Why it goes back"),
                           widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(required=False, label=gettext_lazy("New deadline"),
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


ACTION_FORMS: dict[str, tuple[type[forms.Form], Any]] = {
    "assign": (AssignForm, services.hazard_assign),
    "rectify": (RectifyForm, services.hazard_rectify),
    "close": (CloseForm, services.hazard_close),
    "send_back": (SendBackForm, services.hazard_send_back),
}
ACTION_LABELS = {"assign": gettext_lazy("Assign"), "rectify": gettext_lazy("Record the rectification"),
                 "close": gettext_lazy("Verify and close"), "send_back": gettext_lazy("Send back")}


class HazardListView(LoginRequiredMixin, View):
    """``hazards/`` (everything the user sees) or ``units/<pk>/hazards/`` (one unit's)."""

    scope_model = Unit

    def _unit(self, request: HttpRequest, pk: int | None) -> Unit | None:
        return get_object_or_404(Unit.objects.visible_to(request.user), pk=pk) if pk else None

    def _page(self, request: HttpRequest, unit: Unit | None, form: ReportForm | None = None,
              status: int = 200) -> HttpResponse:
        tab = request.GET.get("status", "open")
        hazards = selectors.hazards_for(request.user, unit=unit, status=tab if tab in HazardStatus.values else "",
                                        open_only=tab == "open")
        user: Any = request.user
        may_report = (unit is not None and user.has_perm("hazards.report_hazard", unit)) or (
            unit is None and any(user.has_perm("hazards.report_hazard", u)
                                 for u in Unit.objects.visible_to(user).order_by("pk")[:1]))
        counts = selectors.counts(request.user, unit=unit)
        counts["open"] = sum(n for key, n in counts.items() if key != HazardStatus.CLOSED)
        tabs = [("open", pgettext("hazard", "Open"), counts["open"]),
                *[(s.value, s.label, counts[s.value]) for s in HazardStatus], ("all", _("All"), None)]
        return render(request, "hazards/list.html", {
            "unit": unit, "hazards": hazards[:200], "tab": tab, "tabs": tabs,
            "today": timezone.localdate(), "may_report": may_report,
            "form": form or ReportForm(user=request.user, unit=unit),
        }, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        return self._page(request, self._unit(request, pk))

    def post(self, request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
        unit = self._unit(request, pk)
        form = ReportForm(request.POST, request.FILES, user=request.user, unit=unit)
        if form.is_valid():
            try:
                hazard = services.hazard_report(actor=request.user, **form.cleaned_data)
                messages.success(request, _("Hazard reported: %(title)s.") % {"title": hazard.title})
                return redirect("hazard-detail", pk=hazard.pk)
            except ValidationError as exc:
                add_errors(form, exc)
        return self._page(request, unit, form=form, status=400)


class HazardDetailView(LoginRequiredMixin, View):
    scope_model = Hazard

    def _hazard(self, request: HttpRequest, pk: int) -> Hazard:
        return get_object_or_404(Hazard.objects.visible_to(request.user).select_related("unit", "reported_by"), pk=pk)

    def _page(self, request: HttpRequest, hazard: Hazard, bound: tuple[str, forms.Form] | None = None,
              status: int = 200) -> HttpResponse:
        actions = []
        for name in services.actions_for(request.user, hazard):
            form_class, _service = ACTION_FORMS[name]
            initial = {"priority": hazard.priority, "responsible": hazard.responsible} if name == "assign" else {}
            form = bound[1] if bound and bound[0] == name else form_class(initial=initial, prefix=name)
            actions.append({"name": name, "label": ACTION_LABELS[name], "form": _styled(form),
                            "open": bool(bound and bound[0] == name)})
        return render(request, "hazards/detail.html", {
            "hazard": hazard, "history": selectors.history(request.user, hazard), "actions": actions,
            "overdue": bool(hazard.deadline and hazard.status == HazardStatus.ASSIGNED
                            and hazard.deadline < timezone.localdate()),
            "steps": list(HazardStatus),
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, self._hazard(request, pk))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        hazard = self._hazard(request, pk)
        name = request.POST.get("action", "")
        if name not in ACTION_FORMS:
            raise Http404
        form_class, service = ACTION_FORMS[name]
        form = form_class(request.POST, request.FILES, prefix=name)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if not (k in {"deadline", "photo"} and v is None)}
            try:
                service(actor=request.user, hazard=hazard, **values)
                messages.success(request, _("Saved: %(action)s.") % {"action": ACTION_LABELS[name]})
                return redirect("hazard-detail", pk=hazard.pk)
            except ValidationError as exc:
                add_errors(form, exc)
            except Conflict as exc:
                messages.error(request, str(exc.detail))
                return redirect("hazard-detail", pk=hazard.pk)
        return self._page(request, hazard, bound=(name, form), status=400)


class HazardPhotoView(LoginRequiredMixin, View):
    """An evidence photo, to whoever sees the hazard (never a public media URL); each view is audited."""

    scope_model = Hazard

    def get(self, request: HttpRequest, pk: int, event: int) -> FileResponse:
        row = get_object_or_404(HazardEvent.objects.visible_to(request.user).exclude(photo=""), hazard_id=pk,
                                pk=event)
        audit_read(row)
        response = FileResponse(row.photo.open("rb"), content_type=_content_type(row.photo.name or ""))
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


def _content_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
            "heic": "image/heic"}.get(ext, "application/octet-stream")
