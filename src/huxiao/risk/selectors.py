"""F-RISK reads: the ledger with each person's next follow-up date, a person with their history, the
disputes, and the counts education sees. Each read starts from ``visible_to`` and is a fixed number of
queries."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from huxiao.compliance.models import RuleParameter
from huxiao.core.fields import lookup_hash, normalize_id_number
from huxiao.core.models import User
from huxiao.risk.models import Dispute, Level, PersonStatus, RiskPerson
from huxiao.risk.rules import due_on


def followup_days(user: User) -> dict[str, int]:
    """The sub-district's intervals by level (one query), the notice's defaults where none is set."""
    from huxiao.compliance.registry import PARAMS

    days = {level: int(PARAMS[f"risk.followup_days_{level}"].default) for level in Level.values}
    for key, value in RuleParameter.objects.filter(
            subdistrict_id=user.organisation.subdistrict_id, key__startswith="risk.followup_days_").values_list(
            "key", "value"):
        days[key.rsplit("_", 1)[1]] = int(value)
    return days


def ledger(user: User, *, q: str = "", level: str = "", status: str = PersonStatus.ACTIVE, unit: int | None = None,
           overdue: bool = False) -> list[RiskPerson]:
    """The persons the user sees, filtered, each with ``due_on`` and ``overdue`` set (two queries)."""
    rows: QuerySet[RiskPerson] = RiskPerson.objects.visible_to(user).select_related("unit", "officer")
    if status:
        rows = rows.filter(status=status)
    if level:
        rows = rows.filter(level=level)
    if unit:
        rows = rows.filter(unit_id=unit)
    text = q.strip()
    if text:
        digits = normalize_id_number(text)
        if len(digits) == 18:  # a whole ID number: its keyed hash, nothing decrypted
            rows = rows.filter(id_number_hash=lookup_hash(RiskPerson, "id_number", digits))
        else:
            rows = rows.filter(Q(name__icontains=text) | Q(community_contact__icontains=text))
    days = followup_days(user)
    today = timezone.localdate()
    out = []
    for person in rows.order_by("unit__name", "name", "id"):
        person.due_on = due_on(level=person.level, last_followup_on=person.last_followup_on,  # type: ignore[attr-defined]
                               registered_on=person.registered_on, days=days)
        person.overdue = person.status == PersonStatus.ACTIVE and person.due_on < today  # type: ignore[attr-defined]
        out.append(person)
    if overdue:
        out = [p for p in out if p.overdue]  # type: ignore[attr-defined]
    out.sort(key=lambda p: (not p.overdue, p.due_on))  # type: ignore[attr-defined]
    return out


def person_detail(user: User, pk: int) -> RiskPerson | None:
    person = (RiskPerson.objects.visible_to(user).select_related("unit", "officer")
              .prefetch_related("assessments__assessor", "followups__by", "sightings__unit").filter(pk=pk).first())
    if person is not None:
        person.due_on = due_on(level=person.level, last_followup_on=person.last_followup_on,  # type: ignore[attr-defined]
                               registered_on=person.registered_on, days=followup_days(user))
        person.overdue = (person.status == PersonStatus.ACTIVE  # type: ignore[attr-defined]
                          and person.due_on < timezone.localdate())  # type: ignore[attr-defined]
    return person


def disputes(user: User, *, status: str = "", unit: int | None = None) -> QuerySet[Dispute]:
    rows = Dispute.objects.visible_to(user).select_related("unit").annotate(
        party_count=Count("parties", distinct=True), mediation_count=Count("mediations", distinct=True))
    if status:
        rows = rows.filter(status=status)
    if unit:
        rows = rows.filter(unit_id=unit)
    return rows


def counts(subdistrict_id: int, today: date | None = None) -> dict[str, Any]:
    """Counts by level and status for a sub-district, and how many disputes are open: no person in it
    (what education and the dashboard may show)."""
    levels: Counter[str] = Counter()
    for row in (RiskPerson.objects.filter(unit__subdistrict_id=subdistrict_id, status=PersonStatus.ACTIVE)
                .values("level").annotate(n=Count("id"))):
        levels[row["level"]] = row["n"]
    open_disputes = Dispute.objects.filter(unit__subdistrict_id=subdistrict_id, status="open").count()
    return {"active": sum(levels.values()), "levels": {lv: levels.get(lv, 0) for lv in Level.values},
            "open_disputes": open_disputes}
