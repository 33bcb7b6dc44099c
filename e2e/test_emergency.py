"""F-EMRG-1/2 in the browser: a kindergarten's admin opens the unit's plans and drills, records a drill, and
sees it listed; the page reads in Chinese."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, login, shot

pytestmark = pytest.mark.e2e


def test_the_unit_admin_records_a_drill(page, demo) -> None:  # type: ignore[no-untyped-def]
    login(page, "K01-admin", PASSWORD)
    page.goto("/units/")
    page.get_by_role("link", name="翠柏第一幼儿园").first.click()
    page.get_by_test_id("emergency-link").click()
    expect(page.get_by_test_id("plan-table")).to_contain_text("消防安全应急预案")
    page.get_by_text("记录演练").click()
    page.get_by_label("演练科目").select_option("crowd_crush")
    page.get_by_label("日期", exact=True).fill("2026-11-27")
    page.get_by_label("参加人数").fill("86")
    page.get_by_label("时长（分钟）").fill("18")
    page.get_by_label("发现问题").fill("二楼楼梯口疏散指引不清")
    page.locator("#drills").get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("drill-list")).to_contain_text("拥挤踩踏")
    expect(page.get_by_test_id("drill-list")).to_contain_text("二楼楼梯口疏散指引不清")
    shot(page, "unit-emergency-zh")
