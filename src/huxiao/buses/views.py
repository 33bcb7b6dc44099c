"""F-BUS-1 pages: a unit's school buses (its buses, drivers, routes and trips with their rule state, and
forms for its admin), and a trip's screen, where its attendant taps in the boarding count on a tablet. An
overload is shown at once as a red alert; the unit's admins and police have been alerted in the same
request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from huxiao.buses import selectors, services
from huxiao.buses.models import (
    MAX_BOARDING,
    Bus,
    Direction,
    Driver,
    DriverTraining,
    Route,
    Trip,
    TripStatus,
    normal_plate,
)
from huxiao.compliance.registry import render_all
from huxiao.core.dates import age_on
from huxiao.core.errors import Conflict
from huxiao.core.models import Role, Unit, User
from huxiao.core.views import AuthenticatedHttpRequest, add_errors

DATE = {"type": "date"}


class StyledForm(forms.Form):
    """Bootstrap's classes on every widget, as the other forms have them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect | forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class StyledModelForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class BusForm(StyledModelForm):
    class Meta:
        model = Bus
        fields = ["plate", "kind", "seats", "inspection_expires", "insurance_expires"]
        widgets = {"inspection_expires": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                   "insurance_expires": forms.DateInput(attrs=DATE, format="%Y-%m-%d")}

    def clean_plate(self) -> str:
        return normal_plate(self.cleaned_data["plate"])


class DriverForm(StyledModelForm):
    class Meta:
        model = Driver
        fields = ["name", "phone", "birth_date", "licence_class", "licence_file_no", "licence_expires"]
        widgets = {"birth_date": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                   "licence_expires": forms.DateInput(attrs=DATE, format="%Y-%m-%d")}


class TrainingForm(StyledModelForm):
    driver = forms.ModelChoiceField(queryset=Driver.objects.none(), label=gettext_lazy("Driver"))

    class Meta:
        model = DriverTraining
        fields = ["driver", "date", "topic", "hours", "provider"]
        widgets = {"date": forms.DateInput(attrs=DATE, format="%Y-%m-%d")}

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["driver"].queryset = Driver.objects.filter(unit=unit, active=True)  # type: ignore[attr-defined]


class RouteForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Route name"), max_length=60)
    stops = forms.CharField(label=gettext_lazy("Stops, one a line, in order"), widget=forms.Textarea(attrs={"rows": 4}))

    def clean_stops(self) -> list[dict[str, Any]]:
        lines = [line.strip() for line in self.cleaned_data["stops"].splitlines() if line.strip()]
        return [{"name": line} for line in lines]


class CheckForm(StyledForm):
    bus = forms.ModelChoiceField(queryset=Bus.objects.none(), label=gettext_lazy("Bus"))
    ok = forms.TypedChoiceField(label=gettext_lazy("Result"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
                                choices=[("1", gettext_lazy("Passed")), ("0", gettext_lazy("Failed"))])
    note = forms.CharField(label=gettext_lazy("What was checked or what failed"), max_length=200, required=False)

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bus"].queryset = Bus.objects.filter(unit=unit, active=True)  # type: ignore[attr-defined]


class TripForm(StyledModelForm):
    class Meta:
        model = Trip
        fields = ["route", "direction", "date", "departs_at", "bus", "driver", "attendant"]
        widgets = {"date": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                   "departs_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.unit = unit  # the model's own checks (the unit's bus, driver, route, attendant)
        fields: Any = self.fields
        fields["route"].queryset = Route.objects.filter(unit=unit, active=True)
        fields["bus"].queryset = Bus.objects.filter(unit=unit, active=True)
        fields["driver"].queryset = Driver.objects.filter(unit=unit, active=True)
        fields["attendant"].queryset = User.objects.filter(organisation_id=unit.pk, role=Role.BUS_ATTENDANT,
                                                           is_active=True)
        fields["direction"].choices = Direction.choices


FORMS: dict[str, tuple[type[forms.BaseForm], str]] = {
    "bus": (BusForm, "buses.manage_bus"), "driver": (DriverForm, "buses.manage_driver"),
    "training": (TrainingForm, "buses.manage_driver"), "route": (RouteForm, "buses.manage_route"),
    "trip": (TripForm, "buses.schedule_trip"), "check": (CheckForm, "buses.record_check"),
}
TAKES_UNIT = {"training", "check", "trip"}
ANCHORS = {"bus": "buses", "check": "buses", "driver": "drivers", "training": "drivers", "route": "routes",
           "trip": "trips"}


def _form(which: str, unit: Unit, data: Any = None) -> Any:
    form_class = FORMS[which][0]
    kwargs: dict[str, Any] = {"unit": unit} if which in TAKES_UNIT else {}
    if which == "trip" and data is None:
        kwargs["initial"] = {"date": timezone.localdate()}
    return form_class(data, prefix=which, **kwargs)  # one page, six forms: their fields' ids stay unique


def _save(request: AuthenticatedHttpRequest, unit: Unit, which: str, data: dict[str, Any]) -> str:
    actor = request.user
    if which == "bus":
        bus = services.bus_add(actor=actor, unit=unit, **data)
        return _("Bus %(plate)s added.") % {"plate": bus.plate}
    if which == "driver":
        driver = services.driver_add(actor=actor, unit=unit, **data)
        return _("Driver %(name)s added.") % {"name": driver.name}
    if which == "training":
        driver = data.pop("driver")
        services.driver_training_record(actor=actor, driver=driver, **data)
        return _("Training recorded for %(name)s.") % {"name": driver.name}
    if which == "route":
        route = services.bus_route_add(actor=actor, unit=unit, **data)
        return _("Route %(name)s added.") % {"name": route.name}
    if which == "check":
        bus = data.pop("bus")
        check = services.bus_check_record(actor=actor, bus=bus, **data)
        return (_("Check recorded: %(plate)s passed.") if check.ok else
                _("Check recorded: %(plate)s failed and is grounded.")) % {"plate": bus.plate}
    trip = services.trip_schedule(actor=actor, unit=unit, **data)
    return _("Trip scheduled: %(trip)s.") % {"trip": trip}


class UnitBusesView(LoginRequiredMixin, View):
    scope_model = Unit  # the object the URL's pk names (tenancy matrix)

    def _unit(self, request: HttpRequest, pk: int) -> Unit:
        return get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)

    def _page(self, request: HttpRequest, unit: Unit, bound: Any = None, which: str = "",
              status: int = 200) -> HttpResponse:
        from huxiao.compliance.engine import rules
        from huxiao.compliance.models import Result

        user: Any = request.user
        today = timezone.localdate()
        data = selectors.unit_buses(user, unit, today=today)
        for bus in data.buses:
            bus.ground_lines = render_all(bus.grounds)  # type: ignore[attr-defined]
        for driver in data.drivers:
            driver.ground_lines = render_all(driver.grounds)  # type: ignore[attr-defined]
            driver.age = age_on(driver.birth_date, today)  # type: ignore[attr-defined]
            driver.last_trained = next((t.date for t in driver.trainings.all()), None)  # type: ignore[attr-defined]
        registry = rules()
        results = {r.rule: r for r in Result.objects.filter(unit=unit, rule__startswith="buses.")}
        can = {name: user.has_perm(perm, unit) for name, (_cls, perm) in FORMS.items()}
        forms_ = {name: (bound if name == which and bound is not None else _form(name, unit))
                  for name, allowed in can.items() if allowed}
        return render(request, "buses/unit.html", {
            "unit": unit, "today": today, "page": data, "can": can, "forms": forms_, "open_form": which,
            "mine": [t for t in data.trips if t.attendant_id == user.pk and t.date >= today
                     and t.status in {TripStatus.SCHEDULED, TripStatus.DEPARTED}],
            "verdicts": [{"rule": registry[code], "result": results.get(code),
                          "lines": render_all(results[code].evidence) if code in results else []}
                         for code in sorted(registry) if code.startswith("buses.")],
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, self._unit(request, pk))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        unit = self._unit(request, pk)
        which = request.POST.get("form", "")
        if which not in FORMS:
            return self._page(request, unit, status=400)
        form = _form(which, unit, request.POST)
        if form.is_valid():
            try:
                messages.success(request, _save(request, unit, which, dict(form.cleaned_data)))
                return redirect(reverse("unit-buses", args=[unit.pk]) + f"#{ANCHORS[which]}")
            except ValidationError as exc:
                add_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, str(exc.detail))
        return self._page(request, unit, form, which, status=400)


class BoardingForm(forms.Form):
    count = forms.IntegerField(label=gettext_lazy("Children on board"), min_value=0, max_value=MAX_BOARDING,
                               widget=forms.NumberInput(attrs={
                                   "class": "form-control form-control-lg text-center fs-1 fw-bold",
                                   "inputmode": "numeric", "autocomplete": "off"}))


class TripScreenView(LoginRequiredMixin, View):
    """The attendant's screen for one trip: the bus, its seats, the route's stops, the count."""

    scope_model = Trip

    def _trip(self, request: HttpRequest, pk: int) -> Trip:
        return get_object_or_404(Trip.objects.visible_to(request.user).select_related(
            "unit", "bus", "driver", "route", "attendant"), pk=pk)

    def _page(self, request: HttpRequest, trip: Trip, form: BoardingForm | None = None,
              status: int = 200) -> HttpResponse:
        return render(request, "buses/trip.html", {
            "trip": trip, "unit": trip.unit, "stops": list(trip.route.stops.order_by("order")),
            "form": form or BoardingForm(initial={"count": trip.boarded}),
            "can_count": request.user.has_perm("buses.record_boarding", trip),
            "open": trip.status in {TripStatus.SCHEDULED, TripStatus.DEPARTED},
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, self._trip(request, pk))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        trip = self._trip(request, pk)
        if request.POST.get("action") == "arrive":
            try:
                services.trip_arrive(actor=request.user, trip=trip)
                messages.success(request, _("Arrival recorded."))
                return redirect("bus-trip", pk=trip.pk)
            except Conflict as exc:
                messages.error(request, str(exc.detail))
                return self._page(request, trip, status=409)
        form = BoardingForm(request.POST)
        if form.is_valid():
            try:
                services.trip_boarding_record(actor=request.user, trip=trip, count=form.cleaned_data["count"])
                if not trip.overloaded:
                    messages.success(request, _("%(n)s children on board.") % {"n": trip.boarded})
                return redirect("bus-trip", pk=trip.pk)
            except ValidationError as exc:
                add_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, str(exc.detail))
        return self._page(request, trip, form, status=400)
