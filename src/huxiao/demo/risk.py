"""The demo's high-risk persons ledger (F-RISK-1) and disputes (F-RISK-2), kept by the station's officer
``police``: eight persons concerning campuses of 文澜街道, of each category and level, with their first
assessment, a re-assessment where the level changed, and follow-ups (疏导化解, 管控, home visits) inside their
level's interval; one closed last spring. Four disputes, two still being mediated.

S02 breaks ``risk.followup``: the high-level person concerning it was last followed up twelve days ago (the
interval is 7). S02 already fails ``police.assigned`` (demo/force.py), so the failing lists stay as they are.
A medium-level person at K02 falls due tomorrow: a warning.

Every ID number is a valid GB 11643 number made for the demo (``demo.force.resident_id``), every phone a
made-up 13x number; both are encrypted by the model's fields like any other.
"""

from __future__ import annotations

from datetime import date, timedelta

from huxiao.core.models import Unit, User
from huxiao.demo.force import resident_id
from huxiao.risk.models import Assessment, Dispute, FollowUp, Mediation, Party, RiskPerson

BREAKS = {"S02": "risk.followup"}

# unit, name, born, category, level (now), level first assessed, registered (days ago), last follow-up (days
# ago), follow-up kind, basis of the assessment, community contact, closed (days ago) or None.
PERSONS = [
    ("S02", "郑某强", date(1979, 3, 14), "grievance", "high", "medium", 160, 12, "control",
     "因拆迁补偿多次到校门口聚集扬言报复, 近期情绪激动", "翠苑一区网格员 李娟", None),
    ("K02", "冯某", date(1988, 11, 2), "mental_illness", "medium", "medium", 200, 29, "visit",
     "精神分裂症, 家属监护, 按时服药", "文新社区 王芳", None),
    ("S01", "褚某明", date(1975, 6, 21), "released", "medium", "high", 320, 10, "deescalation",
     "刑满释放, 就业不稳定; 已安置就业, 下调为中风险", "文澜社区 赵磊", None),
    ("K01", "卫某", date(1992, 1, 9), "community_correction", "low", "low", 90, 40, "visit",
     "社区矫正期间, 表现良好", "文澜社区 赵磊", None),
    ("S03", "蒋某华", date(1983, 8, 30), "drugs", "high", "high", 60, 3, "control",
     "吸毒人员, 居住地距校门约300米", "古荡湾社区 陈静", None),
    ("S05", "沈某", date(1969, 12, 5), "extreme", "high", "high", 45, 5, "deescalation",
     "网络发布过激言论, 指向学校", "翠苑二区网格员 孙伟", None),
    ("K06", "韩某", date(1990, 4, 18), "other", "low", "low", 30, 30, "visit",
     "与幼儿园存在收费纠纷, 情绪尚稳定", "翠苑三区网格员 周敏", None),
    ("S04", "杨某", date(1972, 2, 27), "grievance", "medium", "medium", 400, 230, "deescalation",
     "劳资纠纷已化解, 撤销列管", "文新社区 王芳", 220),
]

# unit, title, kind, level, what happened, reported (days ago), parties (name, side, phone), mediations
# (days ago, mediator, note), ending (status, outcome) or None.
DISPUTES = [
    ("S01", "放学接送占道引发争执", "neighbours", "low", "家长车辆占用商户门前通道, 双方发生口角", 20,
     [("钱某", "家长", "13805710021"), ("孙某", "临街商户", "13905710032")],
     [(18, "文澜社区调解委员会 赵磊", "现场调解, 划定临时停车区"), (10, "文澜社区调解委员会 赵磊", "回访, 双方无异议")],
     ("resolved", "划定接送临时停车区, 商户与家长签订调解协议")),
    ("K02", "幼儿磕伤赔偿纠纷", "home_school", "medium", "幼儿课间摔伤下巴, 家长要求赔偿并多次到园", 9,
     [("李某", "家长", "13605710043"), ("文新幼儿园", "学校", "")],
     [(7, "西湖区教育局调解员 吴敏", "核实监控, 园方承担部分医疗费")], None),
    ("S03", "学生之间欺凌纠纷", "students", "high", "两名学生多次冲突, 一方家长扬言报复", 4,
     [("周某", "家长", "13705710054"), ("吴某", "家长", "13705710065")],
     [(3, "学校法治副校长 王警官", "分别约谈双方学生与家长")], None),
    ("S06", "校园工程欠薪纠纷", "labour", "medium", "维修工程施工队讨要工钱, 在校门口拉横幅", 60,
     [("郑某", "施工队负责人", "13905710076"), ("文澜中学", "学校", "")],
     [(55, "街道综治中心", "约谈总包单位")], ("referred", "移交区人力社保局劳动监察大队处理")),
]


def seed_risk(units: list[Unit], *, police: User, today: date) -> None:
    """The ledger and the disputes, once: a second build finds them and adds nothing."""
    by_code = {unit.code: unit for unit in units}
    if RiskPerson.objects.filter(unit__in=units).exists():
        return
    for seq, (code, name, born, category, level, first_level, registered, followed, kind, basis, contact,
              closed) in enumerate(PERSONS, start=201):
        unit = by_code.get(code)
        if unit is None:
            continue
        registered_on = today - timedelta(days=registered)
        person = RiskPerson.objects.create(
            unit=unit, name=name, id_number=resident_id(born, seq), phone=f"1585710{seq:04d}",
            address=f"{unit.address or '文澜街道'}附近", category=category, level=level, officer=police,
            community_contact=contact, community_phone=f"0571-8888{seq:04d}", registered_on=registered_on,
            last_followup_on=today - timedelta(days=followed),
            status="closed" if closed is not None else "active",
            closed_on=today - timedelta(days=closed) if closed is not None else None,
            close_reason=basis if closed is not None else "")
        Assessment.objects.create(person=person, assessed_on=registered_on, level=first_level, basis=basis,
                                  assessor=police)
        if first_level != level:
            Assessment.objects.create(person=person, assessed_on=today - timedelta(days=registered // 2),
                                      level=level, basis=basis, assessor=police)
        for back in range(followed, registered, max(registered // 4, 7)):
            FollowUp.objects.create(person=person, kind=kind, on=today - timedelta(days=back),
                                    note="民警与网格员上门走访, 了解近况" if kind == "visit" else basis, by=police)
    for code, title, kind, level, what, reported, parties, mediations, ending in DISPUTES:
        unit = by_code.get(code)
        if unit is None:
            continue
        dispute = Dispute.objects.create(
            unit=unit, title=title, kind=kind, level=level, description=what,
            reported_on=today - timedelta(days=reported), recorded_by=police,
            status=ending[0] if ending else "open", outcome=ending[1] if ending else "",
            ended_on=today - timedelta(days=mediations[-1][0] - 1) if ending else None)
        for name, side, phone in parties:
            Party.objects.create(dispute=dispute, name=name, side=side, phone=phone)
        for back, mediator, note in mediations:
            Mediation.objects.create(dispute=dispute, on=today - timedelta(days=back), mediator=mediator, note=note,
                                     by=police)
