"""Demo plans and drills (F-EMRG-1/2): every unit has its six plans and a recent drill. K10 lacks its media
plan and S06 has not drilled for seven weeks; both already fail another rule (demo/force.py), so the
failing lists stay as they are."""

from __future__ import annotations

from datetime import date, timedelta

from huxiao.core.models import Unit
from huxiao.emergency.models import Drill, Plan, PlanType

BREAKS = {"K10": "plans.present", "S06": "drills.frequency"}
TITLES = {"intrusion": "防范不法侵害应急预案", "fire": "消防安全应急预案", "food_poisoning": "食物中毒应急预案",
          "crowd_crush": "防踩踏应急预案", "natural_disaster": "自然灾害应急预案", "media": "舆情应对预案"}


def seed_emergency(unit: Unit, *, today: date) -> None:
    if Plan.objects.filter(unit=unit).exists():
        return
    breaks = BREAKS.get(unit.code, "")
    approved = today - timedelta(days=200)
    Plan.objects.bulk_create([
        Plan(unit=unit, type=t, version=1, title=TITLES[t], approved_on=approved,
             body=f"{unit.name}{TITLES[t]}：报警、疏散、救护、善后各环节分工见附件。",
             response_force="校长（总指挥）、安全主任、门卫两名、值班教师")
        for t in PlanType.values if not (breaks == "plans.present" and t == "media")])
    # Every 25 days for four months (monthly for schools, more than quarterly for kindergartens), so the
    # thirty-day compliance history is as steady as today; S06's drills stopped seven weeks ago.
    first = 50 if breaks == "drills.frequency" else 12
    scenarios = ["fire", "intrusion", "crowd_crush", "natural_disaster", "fire"]
    Drill.objects.bulk_create([
        Drill(unit=unit, scenario=scenario, date=today - timedelta(days=first + 25 * i),
              participants=max(20, unit.pupils // 2) if scenario == "fire" else 12,
              duration_minutes=25,
              evaluation="疏散有序，用时符合要求。" if scenario == "fire" else "分工明确，处置得当。",
              issues_found="东侧围墙监控有盲区" if i == 1 else "")
        for i, scenario in enumerate(scenarios)])
