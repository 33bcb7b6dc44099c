"""F-RISK-1 compliance rule ``risk.followup``: every active ledger person concerning a campus is followed
up within their level's interval. The evidence counts people and dates only, never a name: the unit's
own staff and education read the verdict, and the ledger is not theirs to see."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from huxiao.compliance.engine import Context
from huxiao.compliance.registry import FAIL, PASS, WARN, Verdict, msg, param, rule

LOCAL = _("local practice")
param("risk.followup_days_high", 7, kind="int", minimum=1, maximum=366, source=LOCAL,
      label=_("High-risk persons: follow up at least every this many days (high level)"))
param("risk.followup_days_medium", 30, kind="int", minimum=1, maximum=366, source=LOCAL,
      label=_("High-risk persons: follow up at least every this many days (medium level)"))
param("risk.followup_days_low", 90, kind="int", minimum=1, maximum=366, source=LOCAL,
      label=_("High-risk persons: follow up at least every this many days (low level)"))
param("risk.followup_warn_days", 2, kind="int", minimum=0, maximum=30, source=LOCAL,
      label=_("High-risk persons: warn this many days before a follow-up falls due"))


def due_on(*, level: str, last_followup_on: date | None, registered_on: date, days: dict[str, int]) -> date:
    """When the next follow-up falls due: the level's interval after the last one (or the registration)."""
    return (last_followup_on or registered_on) + timedelta(days=days[level])


def intervals(ctx: Context, unit: Any) -> dict[str, int]:
    return {level: int(ctx.param(unit, f"risk.followup_days_{level}")) for level in ("high", "medium", "low")}


def load_persons(ctx: Context) -> dict[int, list[dict[str, Any]]]:
    """The active ledger persons of the units: level and dates only (one query, nothing decrypted)."""
    from huxiao.risk.models import PersonStatus, RiskPerson

    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (RiskPerson.objects.filter(unit_id__in=ctx.unit_ids(), status=PersonStatus.ACTIVE)
                .values("unit_id", "level", "last_followup_on", "registered_on")):
        out[row["unit_id"]].append(dict(row))
    return out


@rule("risk.followup", feature="F-RISK-1", title=_("High-risk persons followed up"),
      fails_when=_("a high-risk person's follow-up is overdue"), records="risk-unit", anchor="ledger")
def risk_followup(ctx: Context) -> dict[int, Verdict]:
    persons = ctx.once("risk.persons", load_persons)
    out = {}
    for unit in ctx.units:
        rows = persons.get(unit.id, [])
        days = intervals(ctx, unit)
        dues = sorted(due_on(level=r["level"], last_followup_on=r["last_followup_on"],
                             registered_on=r["registered_on"], days=days) for r in rows)
        overdue = [d for d in dues if d < ctx.today]
        soon = [d for d in dues if ctx.today <= d <= ctx.today + timedelta(days=int(ctx.param(
            unit, "risk.followup_warn_days")))]
        if overdue:
            out[unit.id] = Verdict(FAIL, [msg(gettext_noop(
                "%(n)s high-risk person(s) concerning this campus are past their follow-up; the longest overdue "
                "fell due on %(date)s."), n=len(overdue), date=overdue[0])], since=overdue[0] + timedelta(days=1))
        elif soon:
            out[unit.id] = Verdict(WARN, [msg(gettext_noop(
                "%(n)s high-risk person(s) concerning this campus fall due for a follow-up by %(date)s."),
                n=len(soon), date=soon[-1])])
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop(
                "Every high-risk person concerning this campus is followed up in time (%(n)s under management)."),
                n=len(rows))])
    return out
