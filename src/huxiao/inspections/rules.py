"""F-PREV-1 compliance rule (code as in API.md): inspections.due."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from huxiao.compliance.engine import Context
from huxiao.compliance.registry import FAIL, PASS, WARN, Verdict, msg, rule


def load_schedules(ctx: Context) -> dict[int, list[dict[str, Any]]]:
    from huxiao.inspections.models import Schedule

    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (Schedule.objects.filter(unit_id__in=ctx.unit_ids()).order_by("unit_id", "next_due")
                .values("unit_id", "next_due", "template__name", "template__name_en", "every_days")):
        out[row["unit_id"]].append(dict(row))
    return out


@rule("inspections.due", feature="F-PREV-1", title=_("Scheduled inspections"),
      fails_when=_("a scheduled inspection is overdue"), records="inspection-unit", anchor="schedules")
def inspections_due(ctx: Context) -> dict[int, Verdict]:
    schedules = ctx.once("inspections.schedules", load_schedules)
    out = {}
    for unit in ctx.units:
        rows = schedules.get(unit.id, [])
        late = [r for r in rows if r["next_due"] < ctx.today]
        if not rows:
            out[unit.id] = Verdict(WARN, [msg(gettext_noop("No inspection is scheduled."))])
        elif late:
            first = late[0]
            out[unit.id] = Verdict(FAIL, [msg(gettext_noop("%(n)s inspections overdue; “%(name)s” was due on "
                                                           "%(date)s."), n=len(late), name=first["template__name"],
                                              date=first["next_due"])], since=first["next_due"] + timedelta(days=1))
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("%(n)s inspections scheduled; the next on %(date)s."),
                                             n=len(rows), date=rows[0]["next_due"])])
    return out
