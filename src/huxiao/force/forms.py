"""Forms of the security-force pages. Each parses input and calls one service (``save``)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huxiao.core.models import Organisation, OrgType, Unit, User
from huxiao.force import services
from huxiao.force.models import (
    Equipment,
    EquipmentKind,
    Guard,
    LectureTopic,
    LegalVicePrincipal,
    PatrolTeam,
    PoliceAssignment,
    PoliceRoom,
    PoliceRoomLocation,
    StaffMember,
)
from huxiao.timetable.models import TimetableWindow


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class UnitActionForm(StyledForm):
    """A form bound to a unit; ``save`` calls the service as ``actor``."""

    title: Any = ""
    anchor = ""
    permission = ""

    def __init__(self, *args: Any, unit: Unit, instance: Any = None, **kwargs: Any) -> None:
        self.unit = unit
        self.instance = instance
        super().__init__(*args, **kwargs)

    def save(self, actor: User) -> Any:
        raise NotImplementedError


class PoliceAssignForm(UnitActionForm):
    title = _("Assign the duty police officer")
    anchor = "police"
    permission = "force.assign_police"
    officer_name = forms.CharField(label=_("Officer's name"), max_length=60)
    badge_no = forms.CharField(label=_("Badge number"), max_length=20)
    phone = forms.CharField(label=_("Phone"), max_length=20)
    start_date = forms.DateField(label=_("From"), widget=DateInput(), initial=timezone.localdate)

    def save(self, actor: User) -> PoliceAssignment:
        return services.police_assign(actor=actor, unit=self.unit, **self.cleaned_data)


class LvpForm(UnitActionForm):
    title = _("Appoint the legal vice-principal")
    anchor = "lvp"
    permission = "force.appoint_lvp"
    name = forms.CharField(label=_("Name"), max_length=60)
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    start_date = forms.DateField(label=_("From"), widget=DateInput(), initial=timezone.localdate)

    def save(self, actor: User) -> LegalVicePrincipal:
        return services.lvp_appoint(actor=actor, unit=self.unit, **self.cleaned_data)


class LectureForm(UnitActionForm):
    title = _("Record a legal lecture")
    anchor = "lectures"
    permission = "force.record_lecture"
    date = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    class_name = forms.CharField(label=_("Class"), max_length=60)
    topic = forms.ChoiceField(label=_("Topic"), choices=LectureTopic.choices)
    class_hours = forms.DecimalField(label=_("Class-hours"), min_value=0.5, max_value=20, decimal_places=1,
                                     initial=1)
    audience = forms.IntegerField(label=_("Audience"), min_value=0, max_value=10_000, initial=0)

    def save(self, actor: User) -> Any:
        return services.lecture_record(actor=actor, unit=self.unit, **self.cleaned_data)


class GuardForm(UnitActionForm):
    title = _("Guard")
    anchor = "guards"
    permission = "force.manage_guards"
    name = forms.CharField(label=_("Name"), max_length=60)
    id_number = forms.CharField(label=_("ID number"), max_length=32, required=False,
                                help_text=_("Resident ID; the birth date is read from it. Leave empty to keep."))
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput(), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    certificate_no = forms.CharField(label=_("Security-guard certificate"), max_length=40, required=False)
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)
    hire_date = forms.DateField(label=_("Hired on"), widget=DateInput(), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard: Guard | None = self.instance
        if guard is not None and not self.is_bound:
            for name in ("name", "birth_date", "phone", "certificate_no", "employer", "hire_date", "active"):
                self.fields[name].initial = getattr(guard, name)

    def save(self, actor: User) -> Guard:
        data = dict(self.cleaned_data)
        if not data["id_number"]:
            data.pop("id_number")
            if self.instance is None and not data["birth_date"]:
                data.pop("birth_date")
        elif not data["birth_date"]:
            data.pop("birth_date")
        if self.instance is None:
            return services.guard_create(actor=actor, unit=self.unit, **data)
        return services.guard_update(actor=actor, guard=self.instance, **data)


class EquipmentForm(UnitActionForm):
    title = _("Defensive equipment held")
    anchor = "equipment"
    permission = "force.manage_guards"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        held = {e.kind: e.quantity for e in Equipment.objects.filter(unit=self.unit).exclude(kind="other")}
        for kind, label in EquipmentKind.choices:
            if kind == "other":
                continue
            self.fields[kind] = forms.IntegerField(label=label, min_value=0, max_value=1000, initial=held.get(kind, 0))
            self.fields[kind].widget.attrs["class"] = "form-control"

    def save(self, actor: User) -> None:
        services.equipment_set(actor=actor, unit=self.unit, quantities=dict(self.cleaned_data))


class PoliceRoomForm(UnitActionForm):
    title = _("Campus police room")
    anchor = "police-room"
    permission = "force.change_police_room"
    set_up = forms.BooleanField(label=_("Set up"), required=False)
    location = forms.ChoiceField(label=_("Where"), choices=[("", "—"), *PoliceRoomLocation.choices], required=False)
    set_up_on = forms.DateField(label=_("Set up on"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        room = PoliceRoom.objects.filter(unit=self.unit).first()
        if room is not None and not self.is_bound:
            for name in ("set_up", "location", "set_up_on", "note"):
                self.fields[name].initial = getattr(room, name)

    def save(self, actor: User) -> PoliceRoom:
        officer = PoliceAssignment.objects.filter(unit=self.unit, end_date__isnull=True).first()
        return services.police_room_set(actor=actor, unit=self.unit, officer=officer, **self.cleaned_data)


class StaffMemberForm(UnitActionForm):
    title = _("Add a staff security team member")
    anchor = "team"
    permission = "force.manage_team"
    name = forms.CharField(label=_("Name"), max_length=60)
    position = forms.CharField(label=_("Position"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)

    def save(self, actor: User) -> Any:
        return services.staff_member_add(actor=actor, unit=self.unit, **self.cleaned_data)


class EscortDutyForm(UnitActionForm):
    """The escort rota (护接护送): a team member at an arrival or dismissal window."""

    title = _("Add to the escort rota")
    anchor = "team"
    permission = "force.manage_team"
    member = forms.ModelChoiceField(label=_("Member"), queryset=StaffMember.objects.none())
    window = forms.ModelChoiceField(label=_("Window"), queryset=TimetableWindow.objects.none())
    weekdays = forms.RegexField(label=_("Weekdays"), regex=r"^[1-7]{1,7}$", initial="12345",
                                help_text=_("Digits 1 (Monday) to 7 (Sunday)."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[StaffMember]", self.fields["member"]).queryset = StaffMember.objects.filter(
            unit=self.unit, active=True)
        cast("forms.ModelChoiceField[TimetableWindow]", self.fields["window"]).queryset = (
            TimetableWindow.objects.filter(unit=self.unit, kind__in=["arrival", "dismissal"]))

    def save(self, actor: User) -> Any:
        return services.escort_duty_add(actor=actor, **self.cleaned_data)


ACTIONS: dict[str, type[UnitActionForm]] = {
    "police": PoliceAssignForm,
    "lvp": LvpForm,
    "lecture": LectureForm,
    "guard": GuardForm,
    "equipment": EquipmentForm,
    "police-room": PoliceRoomForm,
    "staff": StaffMemberForm,
    "escort": EscortDutyForm,
}


class PatrolTeamForm(StyledForm):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("Name"), max_length=60)
    leader = forms.CharField(label=_("Leader"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    members = forms.IntegerField(label=_("Members"), min_value=0, max_value=500, initial=0)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Organisation]", self.fields["community"]).queryset = (
            Organisation.objects.visible_to(user).filter(type=OrgType.COMMUNITY))

    def save(self, actor: User) -> Any:
        return services.patrol_team_add(actor=actor, **self.cleaned_data)


class PatrolAssignForm(StyledForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=PatrolTeam.objects.none())
    window = forms.ModelChoiceField(label=_("Gate and window"), queryset=TimetableWindow.objects.none())
    weekdays = forms.RegexField(label=_("Weekdays"), regex=r"^[1-7]{1,7}$", initial="12345")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[PatrolTeam]", self.fields["team"]).queryset = PatrolTeam.objects.visible_to(user)
        window_field: Any = self.fields["window"]
        window_field.queryset = TimetableWindow.objects.visible_to(user).filter(
            kind__in=["arrival", "dismissal"], unit__kind="kindergarten").select_related("unit").order_by(
            "unit__code", "start")
        window_field.label_from_instance = lambda w: f"{w.unit.name} · {w}"

    def save(self, actor: User) -> Any:
        return services.patrol_assign(actor=actor, **self.cleaned_data)
