"""F-GATE-3 pages: the timetable editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from huxiao.core.models import Unit
from huxiao.core.views import AuthenticatedHttpRequest
from huxiao.timetable import services
from huxiao.timetable.models import WindowKind

WEEKDAY_CHOICES = [
    ("1", gettext_lazy("Mon")), ("2", gettext_lazy("Tue")), ("3", gettext_lazy("Wed")),
    ("4", gettext_lazy("Thu")), ("5", gettext_lazy("Fri")), ("6", gettext_lazy("Sat")), ("7", gettext_lazy("Sun")),
]


class WindowForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[("", "—"), *WindowKind.choices], required=False,
                             widget=forms.Select(attrs={"class": "form-select"}))
    weekdays = forms.MultipleChoiceField(label=gettext_lazy("Weekdays"), choices=WEEKDAY_CHOICES,
                                         widget=forms.CheckboxSelectMultiple, required=False)
    start = forms.TimeField(label=gettext_lazy("Start"), required=False,
                            widget=forms.TimeInput(format="%H:%M", attrs={"type": "time", "class": "form-control"}))
    end = forms.TimeField(label=gettext_lazy("End"), required=False,
                          widget=forms.TimeInput(format="%H:%M", attrs={"type": "time", "class": "form-control"}))
    label = forms.CharField(label=gettext_lazy("Label"), max_length=40, required=False,
                            widget=forms.TextInput(attrs={"class": "form-control"}))

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("kind") or data.get("start") or data.get("end"))

    def clean(self) -> dict[str, Any]:
        """An untouched spare row is skipped; a row that was started must be complete."""
        data = super().clean() or {}
        if not (data.get("kind") or data.get("start") or data.get("end")):
            return data
        for name in ("kind", "start", "end", "weekdays"):
            if not data.get(name):
                self.add_error(name, _("This field is required."))
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise ValidationError(_("A window must end after it starts."))
        return data


class HolidayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), required=False,
                           widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("date")) != bool(data.get("name")):
            raise ValidationError(_("A holiday needs a date and a name."))
        return data


WindowFormSet = forms.formset_factory(WindowForm, extra=2, can_delete=True)
HolidayFormSet = forms.formset_factory(HolidayForm, extra=2, can_delete=True)


class TimetableEditView(LoginRequiredMixin, View):
    scope_model = Unit  # the object the URL's pk names (tenancy matrix)

    def get_unit(self, request: HttpRequest, pk: int) -> Unit:
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
        if not request.user.has_perm("timetable.change_timetable", unit):
            raise PermissionDenied
        return unit

    def render_page(self, request: HttpRequest, unit: Unit, windows: Any, holidays: Any, status: int = 200
                    ) -> HttpResponse:
        return render(request, "timetable/timetable_form.html",
                      {"unit": unit, "windows": windows, "holidays": holidays}, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        unit = self.get_unit(request, pk)
        windows = WindowFormSet(prefix="w", initial=[
            {"kind": w.kind, "weekdays": list(w.weekdays), "start": w.start, "end": w.end, "label": w.label}
            for w in unit.timetable_windows.all()
        ])
        holidays = HolidayFormSet(prefix="h", initial=[{"date": h.date, "name": h.name} for h in unit.holidays.all()])
        return self.render_page(request, unit, windows, holidays)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        unit = self.get_unit(request, pk)
        windows = WindowFormSet(request.POST, prefix="w")
        holidays = HolidayFormSet(request.POST, prefix="h")
        if windows.is_valid() and holidays.is_valid():
            window_rows = [
                {**f.cleaned_data, "weekdays": "".join(f.cleaned_data["weekdays"])}
                for f in windows.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE") and not f.is_blank()
            ]
            holiday_rows = [
                {"date": f.cleaned_data["date"], "name": f.cleaned_data["name"]}
                for f in holidays.forms
                if f.cleaned_data.get("date") and not f.cleaned_data.get("DELETE")
            ]
            for row in window_rows:
                row.pop("DELETE", None)
            try:
                services.timetable_replace(actor=request.user, unit=unit,
                                           windows=window_rows, holidays=holiday_rows)  # type: ignore[arg-type]
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return self.render_page(request, unit, windows, holidays, status=400)
            messages.success(request, _("Timetable saved."))
            return redirect("unit-detail", pk=unit.pk)
        return self.render_page(request, unit, windows, holidays, status=400)
