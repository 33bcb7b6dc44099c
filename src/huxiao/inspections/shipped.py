"""The checklists Huxiao ships (F-PREV-1): a sub-district starts from these and edits them."""

from __future__ import annotations

SHIPPED: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "canteen": ("食堂与食品安全检查", "Canteen and food safety", [
        ("从业人员健康证齐全有效", "Staff hold valid health certificates"),
        ("食品留样 48 小时，每样不少于 125 克", "Samples of every dish kept 48 hours, at least 125 g each"),
        ("原料进货查验记录完整，无过期食品", "Purchases checked and recorded; no expired food"),
        ("生熟分开，冷藏冷冻温度达标", "Raw and cooked food apart; fridges and freezers at temperature"),
        ("餐具消毒记录完整", "Tableware disinfection recorded"),
        ("操作间非工作人员禁入，监控正常", "Kitchen closed to outsiders; its camera works"),
    ]),
    "classroom": ("教室安全检查", "Classroom safety", [
        ("门窗、护栏牢固，无松动", "Doors, windows and railings firm"),
        ("电器、插座、线路无老化裸露", "No worn or bare wiring, sockets or appliances"),
        ("课桌椅无尖角破损", "Desks and chairs without sharp or broken edges"),
        ("疏散通道畅通，门可向外开启", "Escape route clear; the door opens outwards"),
    ]),
    "dormitory": ("宿舍安全检查", "Dormitory safety", [
        ("无违规电器，无私拉乱接电线", "No banned appliances or improvised wiring"),
        ("床铺护栏牢固", "Bed rails firm"),
        ("夜间值班和查寝记录完整", "Night duty and bed checks recorded"),
        ("应急照明和疏散指示正常", "Emergency lights and exit signs work"),
        ("门禁与监控正常", "Access control and cameras work"),
    ]),
    "fire": ("消防安全检查", "Fire safety", [
        ("灭火器在有效期内，压力正常", "Extinguishers in date, pressure normal"),
        ("消防栓完好，水带齐全", "Hydrants intact, hoses present"),
        ("消防通道和安全出口畅通", "Fire lanes and exits clear"),
        ("烟感报警器工作正常", "Smoke detectors work"),
        ("消防控制室有人值守", "Fire control room staffed"),
    ]),
    "building": ("校舍安全检查（防坍塌）", "Buildings (against collapse)", [
        ("墙体、梁柱无裂缝、无倾斜", "No cracks or lean in walls, beams and columns"),
        ("屋顶、吊顶无渗漏、无脱落", "Roofs and ceilings without leaks or falling pieces"),
        ("围墙、挡土墙稳固", "Perimeter and retaining walls stable"),
        ("在建或维修区域已隔离", "Building or repair areas fenced off"),
    ]),
    "stairway": ("楼梯通道检查（防踩踏）", "Stairways (against crowd crush)", [
        ("楼梯扶手牢固，台阶防滑", "Handrails firm, steps non-slip"),
        ("楼梯照明正常", "Stair lighting works"),
        ("上下楼分流、错峰放学安排落实", "Up and down flows split; staggered dismissal in place"),
        ("课间和放学时段教师在楼梯口值守", "Teachers posted at stairs at breaks and dismissal"),
        ("楼道无堆放杂物", "Nothing stored in stairwells"),
    ]),
}
