"""factory_boy factories and the shared cast (STYLE habit 10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import factory

from huxiao.core.models import Organisation, OrgType, Role, Unit, UnitKind, User
from huxiao.demo.force import resident_id
from huxiao.timetable.models import Holiday, TimetableWindow, WindowKind

PASSWORD = "Correct-Horse-42!"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    type = OrgType.COMMUNITY
    code = factory.Sequence(lambda n: f"ORG{n:04d}")
    name = factory.Sequence(lambda n: f"组织{n}")


def make_subdistrict(code: str, name: str) -> Organisation:
    org = OrganisationFactory(type=OrgType.SUBDISTRICT, code=code, name=name)
    org.subdistrict = org
    org.save()
    return org


def make_org(subdistrict: Organisation, type: str, **kw: object) -> Organisation:
    return OrganisationFactory(type=type, parent=subdistrict, subdistrict=subdistrict, **kw)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    type = OrgType.UNIT
    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"第{n}幼儿园")
    kind = UnitKind.KINDERGARTEN
    pupils = 200
    lat = 30.28
    lng = 120.12


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.GUARD
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimetableWindow

    kind = WindowKind.ARRIVAL
    weekdays = "12345"
    start = time(7, 30)
    end = time(8, 30)


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday

    name = "元旦"


@dataclass
class Cast:
    """Two units in two communities of one sub-district, covered by two police stations, and a second
    sub-district: every role has something of its own and something it must never see."""

    sd: Organisation
    sd2: Organisation
    c1: Organisation
    c2: Organisation
    ps: Organisation
    ps2: Organisation
    unit_a: Unit
    unit_b: Unit
    unit_far: Unit
    users: dict[str, User]

    def foreign_unit_for(self, user: User) -> Unit:
        """A unit the user must not see."""
        if user.organisation.subdistrict_id == self.sd2.pk:
            return self.unit_a
        if user.role in {Role.SUBDISTRICT_ADMIN, Role.GOVERNANCE, Role.EDUCATION, Role.SUPERVISOR}:
            return self.unit_far
        return self.unit_b

    def forbidden_markers(self, user: User) -> set[str]:
        """Text that marks objects this user must never see (unit names, account names)."""
        if user.organisation.subdistrict_id == self.sd2.pk:
            return {"HOMEUNIT", "OTHERUNIT"}
        if user.role in {Role.SUBDISTRICT_ADMIN, Role.GOVERNANCE, Role.EDUCATION, Role.SUPERVISOR}:
            return {"OTHERSD"}
        return {"OTHERUNIT", "OTHERSD"}

    def own_unit_for(self, user: User) -> Unit:
        if user.organisation.subdistrict_id == self.sd2.pk:
            return self.unit_far
        return self.unit_a


USERNAMES = {
    "admin": "alice-admin", "governance": "gov", "education": "edu", "supervisor": "sup", "police": "officer",
    "unit_admin": "ka-admin", "guard": "ka-guard", "teacher": "ka-teacher", "bus_attendant": "ka-bus",
    "guardian": "ka-parent", "patrol": "c1-patrol", "admin_far": "zed-admin", "foreign_b": "OTHERUNIT-guard",
    "foreign_z": "OTHERSD-guard",
}


def load_cast() -> Cast | None:
    """The cast built once per test session (``conftest.django_db_setup``), or None if a transactional
    test has emptied the tables since."""
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=["SD-A", "SD-Z", "C-A1", "C-A2", "PS-A", "PS-B"])}
    units = {u.code: u for u in Unit.objects.filter(code__in=["KA", "OU-B", "OS-Z"])}
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES.values()).select_related(
        "organisation")}
    if len(orgs) < 6 or len(units) < 3 or len(users) < len(USERNAMES):
        return None
    return Cast(orgs["SD-A"], orgs["SD-Z"], orgs["C-A1"], orgs["C-A2"], orgs["PS-A"], orgs["PS-B"], units["KA"],
                units["OU-B"], units["OS-Z"], {role: users[name] for role, name in USERNAMES.items()})


def build_cast() -> Cast:
    sd = make_subdistrict("SD-A", "甲街道")
    sd2 = make_subdistrict("SD-Z", "乙街道")
    c1 = make_org(sd, OrgType.COMMUNITY, code="C-A1", name="一社区")
    c2 = make_org(sd, OrgType.COMMUNITY, code="C-A2", name="二社区")
    cz = make_org(sd2, OrgType.COMMUNITY, code="C-Z1", name="远社区")
    ps = make_org(sd, OrgType.POLICE_STATION, code="PS-A", name="甲派出所")
    ps2 = make_org(sd, OrgType.POLICE_STATION, code="PS-B", name="乙派出所")
    psz = make_org(sd2, OrgType.POLICE_STATION, code="PS-Z", name="远派出所")
    gov = make_org(sd, OrgType.GOVERNANCE_OFFICE, code="GOV-A", name="综治办")
    edu = make_org(sd, OrgType.EDUCATION_OFFICE, code="EDU-A", name="教委办")
    sup = make_org(sd, OrgType.SUPERVISION_OFFICE, code="SUP-A", name="督查室")
    unit_a = UnitFactory(code="KA", name="HOMEUNIT 阳光幼儿园", parent=c1, subdistrict=sd, police_station=ps)
    unit_b = UnitFactory(code="OU-B", name="OTHERUNIT 实验小学", kind=UnitKind.PRIMARY, pupils=900, parent=c2,
                         subdistrict=sd, police_station=ps2)
    unit_far = UnitFactory(code="OS-Z", name="OTHERSD 远方小学", kind=UnitKind.PRIMARY, parent=cz,
                           subdistrict=sd2, police_station=psz)
    for unit in (unit_a, unit_b, unit_far):
        WindowFactory(unit=unit)
        HolidayFactory(unit=unit, date="2027-01-01")
    users = {
        "admin": UserFactory(username="alice-admin", role=Role.SUBDISTRICT_ADMIN, organisation=sd),
        "governance": UserFactory(username="gov", role=Role.GOVERNANCE, organisation=gov),
        "education": UserFactory(username="edu", role=Role.EDUCATION, organisation=edu),
        "supervisor": UserFactory(username="sup", role=Role.SUPERVISOR, organisation=sup),
        "police": UserFactory(username="officer", role=Role.POLICE, organisation=ps),
        "unit_admin": UserFactory(username="ka-admin", role=Role.UNIT_ADMIN, organisation=unit_a),
        "guard": UserFactory(username="ka-guard", role=Role.GUARD, organisation=unit_a),
        "teacher": UserFactory(username="ka-teacher", role=Role.TEACHER, organisation=unit_a),
        "bus_attendant": UserFactory(username="ka-bus", role=Role.BUS_ATTENDANT, organisation=unit_a),
        "guardian": UserFactory(username="ka-parent", role=Role.GUARDIAN, organisation=unit_a),
        "patrol": UserFactory(username="c1-patrol", role=Role.PATROL, organisation=c1),
        "admin_far": UserFactory(username="zed-admin", role=Role.SUBDISTRICT_ADMIN, organisation=sd2),
        # Objects for the cross-tenant matrix: accounts that live in the foreign units.
        "foreign_b": UserFactory(username="OTHERUNIT-guard", role=Role.GUARD, organisation=unit_b),
        "foreign_z": UserFactory(username="OTHERSD-guard", role=Role.GUARD, organisation=unit_far),
    }
    for unit in (unit_a, unit_b, unit_far):
        populate_force(unit)
        populate_gate(unit)
        populate_alarms(unit)
        populate_hazards(unit)
        populate_inspections(unit)
        populate_buses(unit)
        populate_surroundings(unit)
        populate_risk(unit)
    from huxiao.compliance.engine import refresh

    refresh()
    return Cast(sd, sd2, c1, c2, ps, ps2, unit_a, unit_b, unit_far, users)


def populate_force(unit: Unit) -> None:
    """One of each security-force record for ``unit``, named after it, so every list and page can be
    checked for what it must not show (the unit's marker is the first word of its name)."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from huxiao.force import models as force

    marker = unit.name.split()[0]
    force.PoliceAssignment.objects.create(unit=unit, officer_name=f"{marker}-officer", badge_no="000001",
                                          phone="13900000000", start_date=date(2026, 1, 1))
    lvp = force.LegalVicePrincipal.objects.create(unit=unit, name=f"{marker}-lvp", start_date=date(2026, 1, 1))
    force.Lecture.objects.create(unit=unit, lecturer=lvp, date=date(2026, 3, 1), class_name=f"{marker}-class",
                                 topic="traffic", class_hours=1)
    force.Guard.objects.create(unit=unit, name=f"{marker}-guard", birth_date=date(1980, 5, 1), certificate_no="C1")
    force.Equipment.objects.create(unit=unit, kind="baton", quantity=2, note=marker)
    member = force.StaffMember.objects.create(unit=unit, name=f"{marker}-staff")
    window = unit.timetable_windows.first()
    force.EscortDuty.objects.create(unit=unit, member=member, window=window)
    team = force.PatrolTeam.objects.create(community=unit.parent, name=f"{marker}-patrol")
    force.PatrolAssignment.objects.create(team=team, unit=unit, window=window)
    force.PoliceRoom.objects.create(unit=unit, set_up=True, location="guard_room", note=marker)
    point = force.CheckInPoint.objects.create(subdistrict=unit.subdistrict, unit=unit, name=f"{marker}-gate")
    user = User.objects.filter(organisation=unit).first() or UserFactory(
        username=f"{marker}-staff-{unit.pk}", role=Role.GUARD, organisation=unit)
    at = datetime(2026, 11, 2, 7, 45, tzinfo=ZoneInfo("Asia/Shanghai"))
    force.CheckIn.objects.create(unit=unit, point=point, user=user, role="guard", person_name=f"{marker}-person",
                                 at=at, method="qr", window=window, window_kind="arrival", day=at.date())



def years_ago(years: int, days: int = 30) -> date:
    """A birth date ``years`` years and ``days`` days before today."""
    from django.utils import timezone

    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


def populate_buses(unit: Unit) -> None:
    """A school bus with a passed pre-trip check, a driver (40, trained last month) with a training, a route
    with a stop, and today's trip to school with the unit's bus attendant if it has one (F-BUS-1), named
    after the unit (see ``populate_force``). Nothing is grounded: a trip may be scheduled with them."""
    from django.utils import timezone

    from huxiao.buses import models as buses

    marker = unit.name.split()[0]
    today = timezone.localdate()
    bus = buses.Bus.objects.create(unit=unit, plate=f"浙A·{10000 + unit.pk % 90000}",
                                   kind="kindergarten" if unit.kind == "kindergarten" else "school", seats=19,
                                   inspection_expires=today + timedelta(days=300),
                                   insurance_expires=today + timedelta(days=300))
    buses.BusCheck.objects.create(bus=bus, date=today, ok=True, note=f"{marker}-check")
    driver = buses.Driver.objects.create(unit=unit, name=f"{marker}-driver", phone="13900002468",
                                         birth_date=years_ago(40), licence_class="A1",
                                         licence_file_no=f"{330100000000 + unit.pk}"[:12],
                                         licence_expires=today + timedelta(days=1000))
    buses.DriverTraining.objects.create(driver=driver, date=today - timedelta(days=30), topic=f"{marker}-training",
                                        hours=4)
    route = buses.Route.objects.create(unit=unit, name=f"{marker}-route")
    buses.Stop.objects.create(route=route, order=1, name=f"{marker}-stop", lat=30.28, lng=120.12)
    attendant = User.objects.filter(organisation=unit, role=Role.BUS_ATTENDANT).order_by("username").first()
    buses.Trip.objects.create(unit=unit, bus=bus, driver=driver, route=route, attendant=attendant, date=today,
                              direction="to_school", departs_at=time(7, 0))


RISK_ID_NUMBERS = {"KA": "110101198001010010", "OU-B": "110101198202020012", "OS-Z": "110101198303030017"}


def populate_risk(unit: Unit) -> None:
    """A ledger person concerning ``unit`` with an assessment, a follow-up yesterday, and a dispute with a party
    and a mediation (F-RISK-1/2), named after the unit. The officer is one of the unit's station where there is
    one (the cast has one police account, at unit A's station)."""
    from django.utils import timezone

    from huxiao.risk import models as risk

    marker = unit.name.split()[0]
    today = timezone.localdate()
    officer = (User.objects.filter(role=Role.POLICE, organisation_id=unit.police_station_id).first()
               or User.objects.filter(role=Role.POLICE).order_by("pk").first())
    assert officer is not None
    person = risk.RiskPerson.objects.create(
        unit=unit, name=f"{marker}-risk", id_number=RISK_ID_NUMBERS.get(unit.code, "110101197001010016"),
        phone="13700001357", address=f"{marker}-address", category="grievance", level="medium", officer=officer,
        community_contact=f"{marker}-worker", registered_on=today - timedelta(days=40),
        last_followup_on=today - timedelta(days=1))
    risk.Assessment.objects.create(person=person, assessed_on=today - timedelta(days=40), level="medium",
                                   basis=f"{marker}-basis", assessor=officer)
    risk.FollowUp.objects.create(person=person, kind="visit", on=today - timedelta(days=1), note=f"{marker}-followup",
                                 by=officer)
    dispute = risk.Dispute.objects.create(unit=unit, title=f"{marker}-dispute", kind="home_school", level="low",
                                          description=f"{marker}-what", reported_on=today, recorded_by=officer)
    risk.Party.objects.create(dispute=dispute, name=f"{marker}-party", side="parent", phone="13600002468")
    risk.Mediation.objects.create(dispute=dispute, on=today, mediator=f"{marker}-mediator", note=f"{marker}-note",
                                  by=officer)


def populate_hazards(unit: Unit) -> None:
    """A hazard of ``unit`` (F-PREV-2), assigned, with its history, named after the unit."""
    from datetime import timedelta

    from django.utils import timezone

    from huxiao.hazards.models import Hazard, HazardEvent

    marker = unit.name.split()[0]
    now = timezone.now()
    hazard = Hazard.objects.create(unit=unit, title=f"{marker}-hazard 楼梯扶手松动", priority="medium",
                                   status="assigned", reported_at=now, responsible=f"{marker}-后勤",
                                   deadline=timezone.localdate() + timedelta(days=10), assigned_at=now)
    HazardEvent.objects.create(hazard=hazard, action="report", to_status="reported", at=now)
    HazardEvent.objects.create(hazard=hazard, action="assign", from_status="reported", to_status="assigned", at=now,
                               note=f"{marker}-后勤")


def populate_inspections(unit: Unit) -> None:
    """A fire-safety schedule and a passed inspection of ``unit`` (F-PREV-1)."""
    from datetime import timedelta

    from django.utils import timezone

    from huxiao.inspections.models import Inspection, Result, Schedule, Template

    template = Template.objects.get(subdistrict_id=unit.subdistrict_id, area="fire")
    today = timezone.localdate()
    Schedule.objects.create(unit=unit, template=template, every_days=30, next_due=today + timedelta(days=20))
    inspection = Inspection.objects.create(unit=unit, template=template, date=today - timedelta(days=10),
                                           notes=f"{unit.name.split()[0]}-inspection")
    Result.objects.bulk_create([Result(inspection=inspection, item=item, text=item.text, result="pass")
                                for item in template.items.all()])


def populate_surroundings(unit: Unit) -> None:
    """An internet café some 330 m north of ``unit`` (outside the radius: no violation), a clean-up campaign led
    by the unit's police station with a record of the café, and a traffic report at the gate (F-SURR-1/2), named
    after the unit (see ``populate_force``). The café belongs to the unit's sub-district and is nearest the unit."""
    from django.utils import timezone

    from huxiao.surroundings import geo
    from huxiao.surroundings import models as surroundings

    marker = unit.name.split()[0]
    lat, lng = unit.lat + 0.003, unit.lng
    distance = geo.to_campus_m((lat, lng), boundary=unit.boundary, point=(unit.lat, unit.lng))
    cafe = surroundings.Premises.objects.create(
        subdistrict=unit.subdistrict, name=f"{marker}-网吧", kind="internet_cafe", lat=lat, lng=lng,
        address=f"{marker}-路1号", licence_no="网文2026001", operator=f"{marker}-operator", nearest_unit=unit,
        distance_m=distance)
    campaign = surroundings.Campaign.objects.create(subdistrict=unit.subdistrict, title=f"{marker}-专项整治",
                                                    lead_office=unit.police_station, starts_on=date(2026, 1, 1))
    staff = User.objects.filter(organisation=unit).order_by("username").first() or UserFactory(
        username=f"{marker}-staff-s-{unit.pk}", role=Role.GUARD, organisation=unit)
    surroundings.CleanupRecord.objects.create(premises=cafe, campaign=campaign, date=date(2026, 3, 1),
                                              action="inspected", note=marker, recorded_by=staff)
    surroundings.TrafficReport.objects.create(unit=unit, kind="illegal_taxi", place=f"{marker}-gate",
                                              observed_at=timezone.now(), description=marker, reported_by=staff)


def populate_alarms(unit: Unit) -> None:
    """An alarm at ``unit`` (F-TECH-3), acknowledged, and a gate camera (F-TECH-1), for the tenancy matrix."""
    from django.utils import timezone

    from huxiao.alarms.models import Alarm
    from huxiao.devices.models import Device

    Alarm.objects.create(unit=unit, kind="button", note=f"{unit.name} 演示报警", raised_at=timezone.now(),
                         acknowledged_at=timezone.now())
    Device.objects.create(unit=unit, kind="camera", location="gate", label=f"{unit.name} 大门摄像机",
                          installed_on=timezone.localdate(), token_digest=f"{unit.pk:064d}")
    from huxiao.emergency.models import Drill, Plan

    Plan.objects.create(unit=unit, type="fire", version=1, title=f"{unit.name} 消防预案", body="…",
                        response_force="校长、门卫", approved_on=timezone.localdate())
    Drill.objects.create(unit=unit, scenario="fire", date=timezone.localdate(), participants=30, duration_minutes=20,
                         evaluation=f"{unit.name} 演练")


def populate_gate(unit: Unit) -> None:
    """A class, a child, a pick-up person, a delegation, a visit, a block-list entry and a notification of
    ``unit``, named after it (see ``populate_force``)."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from huxiao.gate.models import BlockListEntry, Child, Delegation, PickupPerson, SchoolClass, Visit
    from huxiao.notify.models import Notification

    marker = unit.name.split()[0]
    staff = User.objects.filter(organisation=unit).order_by("username").first()
    teacher = User.objects.filter(organisation=unit, role=Role.TEACHER).first()
    klass = SchoolClass.objects.create(unit=unit, name=f"{marker}-大一班", teacher=teacher)
    child = Child.objects.create(unit=unit, school_class=klass, name=f"{marker}-child")
    PickupPerson.objects.create(child=child, unit=unit, name=f"{marker}-mother", relation="母亲",
                                id_number=resident_id(date(1990, 5, 6), 201), birth_date=date(1990, 5, 6),
                                credential=f"HXP-{marker}-card-000000000000", credential_issued_at=timezone.now())
    Delegation.objects.create(child=child, unit=unit, name=f"{marker}-aunt", id_number=resident_id(date(1985, 1, 2)),
                              date=date(2026, 12, 1), code="123456", requested_by="母亲", created_by=staff)
    at = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    Visit.objects.create(unit=unit, id_type="resident_id", id_number=resident_id(date(1970, 3, 3)),
                         name=f"{marker}-visitor", purpose="维修", status="admitted", guard=staff, arrived_at=at,
                         day=at.date(), host=teacher)
    BlockListEntry.objects.create(unit=unit, name=f"{marker}-blocked", id_number=resident_id(date(1975, 4, 4)),
                                  reason="法院禁止令")
    Notification.objects.create(user=staff, unit=unit, kind="test", title=f"{marker}-notice")
    from huxiao.gate.models import Checkpoint, Handover, PatrolRound, Shift

    guard = User.objects.filter(organisation=unit, role=Role.GUARD).order_by("username").first() or staff
    Checkpoint.objects.create(unit=unit, name=f"{marker}-north-wall", order=1)
    Shift.objects.create(unit=unit, guard=guard, start=at, end=at.replace(hour=18), note=marker)
    Handover.objects.create(unit=unit, from_guard=guard, to_guard=guard, at=at, notes=marker)
    PatrolRound.objects.create(unit=unit, guard=guard, started_at=at, finished_at=at, status="complete",
                               day=at.date())
