"""F-GATE-4 compliance rule: patrol rounds of the key areas (GB/T 29315-2022 practice: ≥ 5 a day)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from huxiao.compliance.engine import Context
from huxiao.compliance.registry import FAIL, PASS, WARN, Verdict, msg, param, rule
from huxiao.gate.models.duty import Checkpoint, PatrolRound, RoundStatus

param("patrol.rounds_per_day", 5, kind="int", minimum=0, maximum=48, source=_("GB/T 29315-2022 practice"),
      label=_("Patrol rounds of the key areas a day"))


def load_rounds(ctx: Context) -> dict[int, tuple[int, int, list[str]]]:
    """unit → (complete rounds yesterday, incomplete ones, what the incomplete ones missed)."""
    yesterday = ctx.today - timedelta(days=1)
    out: dict[int, tuple[int, int, list[str]]] = {}
    for unit_id, complete, incomplete in PatrolRound.objects.filter(
            unit_id__in=ctx.unit_ids(), day=yesterday).order_by().values("unit_id").annotate(
            complete=Count("pk", filter=Q(status=RoundStatus.COMPLETE)),
            incomplete=Count("pk", filter=Q(status=RoundStatus.INCOMPLETE))).values_list(
            "unit_id", "complete", "incomplete"):
        out[unit_id] = (complete, incomplete, [])
    for unit_id, missed in PatrolRound.objects.filter(unit_id__in=ctx.unit_ids(), day=yesterday,
                                                      status=RoundStatus.INCOMPLETE).values_list("unit_id", "missed"):
        names = out[unit_id][2]
        names.extend(m for m in missed if m not in names)
    return out


@rule("patrol.rounds", feature="F-GATE-4", title=_("Patrol rounds"),
      fails_when=_("fewer patrol rounds than required yesterday"), records="gate-patrol-report", anchor="")
def patrol_rounds(ctx: Context) -> dict[int, Verdict]:
    rounds = ctx.once("gate.rounds", load_rounds)
    with_checkpoints = set(Checkpoint.objects.filter(unit_id__in=ctx.unit_ids(), active=True).values_list(
        "unit_id", flat=True).distinct())
    yesterday = ctx.today - timedelta(days=1)
    out = {}
    for unit in ctx.units:
        need = int(ctx.param(unit, "patrol.rounds_per_day"))
        if unit.id not in with_checkpoints:
            out[unit.id] = Verdict(WARN, [msg(gettext_noop("No patrol checkpoints are set up."))])
            continue
        complete, incomplete, missed = rounds.get(unit.id, (0, 0, []))
        lines = [msg(gettext_noop("%(done)s complete patrol rounds on %(date)s; %(need)s required."),
                     done=complete, date=yesterday, need=need)]
        if incomplete:
            lines.append(msg(gettext_noop("%(n)s incomplete rounds (missed: %(names)s)."), n=incomplete,
                             names="、".join(missed)))
        out[unit.id] = Verdict(PASS if complete >= need else FAIL, lines)
    return out
