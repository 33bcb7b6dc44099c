"""F-AUTH, F-I18N, units in the browser: log in, switch language, see the units; lock-out."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, login, shot

pytestmark = pytest.mark.e2e
def test_login_switch_language_and_see_units(page, demo) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    shot(page, "login")
    login(page, "admin", PASSWORD)
    expect(page.get_by_role("heading", name=re.compile("总览"))).to_be_visible()
    expect(page.get_by_test_id("count-units")).to_have_text("20")
    # Every rule has its row and its name on the chart (none skipped for lack of room).
    expect(page.locator("#failing-chart canvas")).to_be_visible()  # drawn: its height is set first
    rules = json.loads(page.locator("#failing-data").text_content() or "{}")["labels"]
    assert len(rules) >= 16
    assert page.locator("#failing-chart").bounding_box()["height"] >= len(rules) * 26  # type: ignore[index]
    page.wait_for_timeout(300)
    shot(page, "overview-zh")

    page.locator("nav").get_by_role("link", name="单位").click()
    table = page.get_by_test_id("unit-table")
    expect(table).to_contain_text("翠柏第一幼儿园")
    expect(table).to_contain_text("幼儿园")
    expect(page.locator("#unit-map .leaflet-interactive").first).to_be_visible()
    shot(page, "units-zh")

    # Filter with htmx: kindergartens only.
    page.select_option("#unit-kind", "kindergarten")
    expect(table.locator("tbody tr")).to_have_count(11)
    expect(page).to_have_url(re.compile(r"kind=kindergarten"))

    page.select_option("[data-testid=language-switch]", "en")
    expect(page.get_by_role("heading", name="Units")).to_be_visible()
    expect(table).to_contain_text("Cuibai No.1 Kindergarten")
    expect(table.locator("thead")).to_contain_text("Community")
    shot(page, "units-en")

    page.get_by_role("link", name="Cuibai No.1 Kindergarten").click()
    expect(page.get_by_role("heading", name=re.compile("Cuibai No.1 Kindergarten"))).to_be_visible()
    expect(page.locator("body")).to_contain_text("Timetable")
    shot(page, "unit-detail-en")

    page.select_option("[data-testid=language-switch]", "zh-hans")
    expect(page.locator("body")).to_contain_text("作息时间表")


def test_unit_admin_edits_the_timetable(page, demo) -> None:  # type: ignore[no-untyped-def]
    login(page, "K01-admin", PASSWORD)
    page.goto("/units/")
    page.get_by_role("link", name="翠柏第一幼儿园").click()
    page.get_by_role("link", name=re.compile("编辑作息时间表|Edit timetable")).click()
    rows = page.get_by_test_id("window-table").locator("tbody tr")
    expect(rows).to_have_count(6)  # four windows and two spare rows
    spare = rows.nth(4)
    spare.locator("select").select_option("dismissal")
    spare.locator("input[type=checkbox][value='3']").check()
    spare.locator("input[type=time]").nth(0).fill("11:30")
    spare.locator("input[type=time]").nth(1).fill("12:00")
    shot(page, "timetable-edit")
    page.get_by_role("button", name=re.compile("保存作息时间表|Save timetable")).click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("body")).to_contain_text("11:30")


def test_five_wrong_passwords_lock_the_account(page, demo) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        login(page, "K02-guard", "not-the-password")
        expect(page.get_by_test_id("login-error")).to_be_visible()
    login(page, "K02-guard", "not-the-password")
    expect(page.get_by_test_id("locked-out")).to_contain_text("30")
    login(page, "K02-guard", PASSWORD)  # the right password no longer opens it
    expect(page.get_by_test_id("locked-out")).to_be_visible()
    shot(page, "locked-out")
