"""F-PREV-2 compliance rule (code as in API.md): hazards.overdue, and the deadlines by priority."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from huxiao.compliance.engine import Context
from huxiao.compliance.registry import FAIL, PASS, WARN, Verdict, msg, param, rule

DEADLINE_DAYS = {
    "high": param("hazards.high_days", 3, kind="int", minimum=1, maximum=365, source=_("local practice"),
                  label=_("High-priority hazard: days to rectify")),
    "medium": param("hazards.medium_days", 15, kind="int", minimum=1, maximum=365, source=_("local practice"),
                    label=_("Medium-priority hazard: days to rectify")),
    "low": param("hazards.low_days", 30, kind="int", minimum=1, maximum=365, source=_("local practice"),
                 label=_("Low-priority hazard: days to rectify")),
}


def load_open_hazards(ctx: Context) -> dict[int, list[dict[str, Any]]]:
    from huxiao.hazards.models import Hazard, HazardStatus

    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (Hazard.objects.filter(unit_id__in=ctx.unit_ids()).exclude(status=HazardStatus.CLOSED)
                .order_by("unit_id", "deadline", "id").values("unit_id", "title", "status", "deadline")):
        out[row["unit_id"]].append(dict(row))
    return out


@rule("hazards.overdue", feature="F-PREV-2", title=_("Hazards rectified on time"),
      fails_when=_("a hazard is past its deadline"), records="unit-hazards", anchor="hazards")
def hazards_overdue(ctx: Context) -> dict[int, Verdict]:
    open_ = ctx.once("hazards.open", load_open_hazards)
    out = {}
    for unit in ctx.units:
        rows = open_.get(unit.id, [])
        late = [r for r in rows if r["deadline"] is not None and r["deadline"] < ctx.today
                and r["status"] != "rectified"]
        unassigned = [r for r in rows if r["status"] == "reported"]
        if late:
            first = late[0]
            out[unit.id] = Verdict(FAIL, [msg(gettext_noop("%(n)s hazards past their deadline; the oldest, "
                                                           "“%(title)s”, was due on %(date)s."),
                                              n=len(late), title=first["title"], date=first["deadline"])],
                                   since=first["deadline"] + timedelta(days=1))
        elif unassigned:
            out[unit.id] = Verdict(WARN, [msg(gettext_noop("%(n)s hazards reported and not yet assigned."),
                                              n=len(unassigned))])
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("%(n)s open hazards, none past its deadline."),
                                             n=len(rows))])
    return out
