"""F-DASH compliance matrix and F-FORCE pages in the browser (issue #3, must-show 1 by hand and 4)."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, login, shot
from huxiao.demo.force import resident_id

pytestmark = pytest.mark.e2e


def rule_row(page, code: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[id="rule-{code}"]')


def test_admin_filters_failing_kindergartens_and_opens_the_evidence(page, demo) -> None:  # type: ignore[no-untyped-def]
    login(page, "admin", PASSWORD)
    page.get_by_role("link", name="合规检查").click()
    expect(page.get_by_role("heading", name="合规矩阵")).to_be_visible()
    matrix = page.get_by_test_id("matrix-table")
    expect(matrix.locator("tbody tr")).to_have_count(20)
    expect(page.locator("#trend-chart canvas")).to_be_visible()

    page.select_option("#matrix-kind", "kindergarten")
    page.select_option("#matrix-status", "fail")
    expect(page).to_have_url(re.compile(r"kind=kindergarten.*status=fail|status=fail.*kind=kindergarten"))
    rows = matrix.locator("tbody tr")
    expect(rows).to_have_count(6)
    for code in ("K03", "K04", "K05", "K07", "K09", "K10"):
        expect(page.get_by_test_id(f"row-{code}")).to_be_visible()
    # Readable without colour: an icon and a word in every cell.
    cell = page.get_by_test_id("cell-K03-guards.age")
    expect(cell).to_contain_text("不合格")
    shot(page, "compliance-matrix-zh")

    # The Excel export holds what is shown: the six failing kindergartens.
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    book = load_workbook(BytesIO(download.value.path().read_bytes()), read_only=True)
    codes = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == ["K03", "K04", "K05", "K07", "K09", "K10"]
    evidence = "\n".join(str(r[5]) for r in book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert "王秀英" in evidence

    cell.click()
    expect(page.locator("#evidence-modal")).to_be_visible()
    page.wait_for_timeout(400)  # the dialog's fade-in, for the screenshot
    panel = page.get_by_test_id("evidence-panel")
    expect(panel).to_contain_text("保安 王秀英，1968-03-02 出生，现年")
    expect(panel).to_contain_text("门卫年龄")
    shot(page, "compliance-evidence-zh")

    panel.get_by_test_id("evidence-records").click()
    expect(page).to_have_url(re.compile(r"/force/#guards"))
    expect(page.get_by_test_id("guard-table")).to_contain_text("王秀英")
    expect(page.get_by_test_id("guard-table")).to_contain_text("330106********")
    page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")  # the README shows the page from its top
    shot(page, "unit-force-zh")

    # The same matrix in English: the evidence is stored untranslated and read in the reader's language.
    page.goto("/compliance/?kind=kindergarten&status=fail")
    page.select_option("[data-testid=language-switch]", "en")
    expect(page.get_by_role("heading", name="Compliance matrix")).to_be_visible()
    expect(page.get_by_test_id("cell-K03-guards.age")).to_contain_text("Fail")
    shot(page, "compliance-matrix-en")
    page.get_by_test_id("cell-K03-guards.age").click()
    expect(page.get_by_test_id("evidence-panel")).to_contain_text("Guard 王秀英, born 1968-03-02, is")


def test_a_new_kindergarten_fails_and_is_fixed_by_hand(page, demo) -> None:  # type: ignore[no-untyped-def]
    """Issue #3, must-show 1, through the pages: a new kindergarten with one guard aged 58, no equipment and
    no duty officer fails four rules with evidence naming her; each fix turns its rule to pass."""
    login(page, "admin", PASSWORD)
    page.goto("/units/new/")
    page.fill("#id_code", "K99")
    page.fill("#id_name", "新芽幼儿园")
    page.select_option("#id_kind", "kindergarten")
    page.select_option("#id_parent", index=1)
    page.select_option("#id_police_station", index=1)
    page.fill("#id_pupils", "90")
    page.get_by_role("button", name="保存").click()
    page.get_by_test_id("force-link").click()
    expect(page.get_by_test_id("unit-verdicts")).to_be_visible()

    today = timezone.localdate()
    old = date(today.year - 58, 1, 15)
    page.get_by_role("link", name="添加门卫").click()
    page.fill("#id_name", "王秀英")
    page.fill("#id_id_number", resident_id(old, 122))
    page.fill("#id_certificate_no", "浙保证2020001")
    page.get_by_role("button", name="保存").click()
    for code in ("guards.count", "guards.age", "guards.equipment", "police.assigned"):
        expect(rule_row(page, code)).to_contain_text("不合格")
    expect(rule_row(page, "guards.age")).to_contain_text(f"保安 王秀英，{old.isoformat()} 出生，现年 58 岁")
    shot(page, "unit-force-new-kindergarten-zh")

    # Equipment: all six kinds.
    page.get_by_role("link", name="更新").first.click()
    for kind in ("restraining_fork", "stab_vest", "cut_gloves", "baton", "helmet", "shield"):
        page.fill(f"#id_{kind}", "1")
    page.get_by_role("button", name="保存").click()
    expect(rule_row(page, "guards.equipment")).to_contain_text("合格")

    # A duty officer.
    page.get_by_role("link", name="指派").click()
    page.fill("#id_officer_name", "赵明")
    page.fill("#id_badge_no", "041238")
    page.fill("#id_phone", "13805710689")
    page.get_by_role("button", name="保存").click()
    expect(rule_row(page, "police.assigned")).to_contain_text("合格")
    expect(rule_row(page, "police.assigned")).to_contain_text("赵明")

    # Two younger guards; the first one leaves.
    for name, seq in (("李强", 211), ("张伟", 231)):
        page.get_by_role("link", name="添加门卫").click()
        page.fill("#id_name", name)
        page.fill("#id_id_number", resident_id(date(today.year - 40, 6, 1), seq))
        page.fill("#id_certificate_no", f"浙保证{seq}")
        page.get_by_role("button", name="保存").click()
    expect(rule_row(page, "guards.count")).to_contain_text("合格")
    page.get_by_role("link", name="编辑 王秀英").click()
    page.uncheck("#id_active")
    page.get_by_role("button", name="保存").click()
    for code in ("guards.count", "guards.age", "guards.equipment", "police.assigned"):
        expect(rule_row(page, code)).not_to_contain_text("不合格")
    shot(page, "unit-force-fixed-zh")


def test_police_visibility_page(page, demo) -> None:  # type: ignore[no-untyped-def]
    login(page, "police", PASSWORD)
    page.get_by_role("link", name="见警率").click()
    expect(page.get_by_role("heading", name=re.compile("校门见警率"))).to_be_visible()
    expect(page.locator("#visibility-chart canvas")).to_be_visible()
    expect(page.get_by_test_id("visibility-table").locator("tbody tr")).to_have_count(20)
    shot(page, "visibility-zh")
