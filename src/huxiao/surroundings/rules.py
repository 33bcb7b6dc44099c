"""F-SURR compliance rule (code as in API.md): premises.restricted. A restricted venue that is still operating
within the radius of a campus fails the unit it is nearest to; one query loads the premises of every evaluated
unit (their nearest unit and distance are stored columns)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from huxiao.compliance.engine import Context
from huxiao.compliance.registry import FAIL, PASS, Verdict, msg, param, rule
from huxiao.surroundings.models import PremisesKind, PremisesStatus

KIND_MSGIDS = {
    "rental_house": gettext_noop("Rental house"), "internet_cafe": gettext_noop("Internet café"),
    "game_hall": gettext_noop("Game hall"), "video_hall": gettext_noop("Video hall"),
    "dance_hall": gettext_noop("Dance hall or KTV"), "bar": gettext_noop("Bar"), "other": gettext_noop("Other"),
}

# The notice (一.4) names the venues to clear from around campuses: 网吧, 电游室, 录像厅, 歌舞厅 (and rental houses
# run unlawfully, which is a matter of licence, not of distance). Bars are not named; a sub-district may add them.
RESTRICTED = param("premises.restricted_kinds", ["internet_cafe", "game_hall", "video_hall", "dance_hall"],
                   kind="kinds", choices=tuple(PremisesKind.choices), source=_("the notice"),
                   label=_("Venues restricted near campuses"))
RADIUS = param("premises.radius_m", 200, kind="int", minimum=10, maximum=5000,
               source=_("internet-café regulation, Art. 9"),
               label=_("Restricted venues: at least this many metres from a campus's boundary"))


def load_nearby(ctx: Context) -> dict[int, list[dict[str, Any]]]:
    """The operating premises nearest each evaluated unit, nearest first."""
    from huxiao.surroundings.models import Premises

    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (Premises.objects.filter(nearest_unit_id__in=ctx.unit_ids(), status=PremisesStatus.OPERATING)
                .order_by("nearest_unit_id", "distance_m", "id")
                .values("id", "nearest_unit_id", "name", "kind", "distance_m", "status")):
        out[row["nearest_unit_id"]].append(dict(row))
    return out


@rule("premises.restricted", feature="F-SURR-1", title=_("Restricted venues near the campus"),
      fails_when=_("a restricted venue within the radius is not cleared"), records="unit-surroundings",
      anchor="premises")
def premises_restricted(ctx: Context) -> dict[int, Verdict]:
    from huxiao.surroundings.selectors import Limits, violates

    nearby = ctx.once("surroundings.nearby", load_nearby)
    out = {}
    for unit in ctx.units:
        limits = Limits(frozenset(ctx.param(unit, RESTRICTED.key)), int(ctx.param(unit, RADIUS.key)))
        bad = [p for p in nearby.get(unit.id, [])
               if violates(kind=p["kind"], distance_m=p["distance_m"], status=p["status"], limits=limits)]
        if bad:
            out[unit.id] = Verdict(FAIL, [
                msg(gettext_noop("%(name)s (%(kind_t)s) operates %(distance)s m from the campus; none is allowed "
                                 "within %(radius)s m."), name=p["name"], kind_t=KIND_MSGIDS[p["kind"]],
                    distance=round(p["distance_m"]), radius=limits.radius_m) for p in bad])
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("No restricted venue operates within %(radius)s m."),
                                             radius=limits.radius_m)])
    return out
