"""F-PREV-1/2 in the browser (issue #13 must-show 3): a kindergarten's admin, in Chinese, inspects the canteen
on a tablet and fails an item; the failure opens a hazard; the admin assigns it and rectifies it with a photo
from the tablet's camera; the education officer, in English, verifies it and closes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, login, navigate, shot

pytestmark = pytest.mark.e2e

# Two real photos (drawn once in chromium, 320×240), so the hazard's page shows them as a user would see them.
FILES = Path(__file__).resolve().parent / "files"
BEFORE, AFTER = (FILES / "before.jpg").read_bytes(), (FILES / "after.jpg").read_bytes()


def test_a_failed_inspection_item_becomes_a_hazard_rectified_and_verified(page, demo, browser,  # type: ignore[no-untyped-def]
                                                                         live_server) -> None:
    from huxiao.core.models import Unit
    from huxiao.hazards.models import Hazard

    unit = Unit.objects.get(code="K01")
    # The unit admin, in Chinese: inspections from the navigation, the canteen's checklist.
    login(page, "K01-admin", PASSWORD)
    navigate(page, "/inspections/")
    expect(page).to_have_url(f"{live_server.url}/units/{unit.pk}/inspections/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_test_id("checklists")).to_contain_text("食堂与食品安全检查")
    shot(page, "inspections-unit-zh")
    page.get_by_test_id("inspect-canteen").click()
    items = page.locator("[data-testid^=item-]")
    count = items.count()
    assert count >= 5
    for index in range(count):
        item = items.nth(index)
        # pass, fail, not applicable: the second item (the samples) fails.
        item.locator("label.btn").nth(1 if index == 1 else 0).click()
    items.nth(1).locator("input[name^=note-]").fill("留样只有 100 克，不足 125 克")
    items.nth(1).locator("input[type=file]").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": BEFORE})
    shot(page, "inspection-checklist-zh")
    page.get_by_role("button", name="记录检查结果").click()
    results = page.get_by_test_id("inspection-results")
    expect(results).to_contain_text("留样只有 100 克")
    hazard = Hazard.objects.get(unit=unit, source="inspection", status="reported")

    # The hazard it opened: the admin assigns it (the deadline follows its priority) and rectifies it.
    results.get_by_test_id("hazard-link").click()
    expect(page.get_by_test_id("hazard-status")).to_contain_text("已上报")
    page.locator("#id_assign-responsible").fill("食堂主管 刘芳")
    page.get_by_test_id("action-assign").get_by_role("button").click()
    expect(page.get_by_test_id("hazard-status")).to_contain_text("已交办")
    page.locator("#id_rectify-rectification").fill("补足留样量并培训食堂人员")
    page.locator("#id_rectify-photo").set_input_files({"name": "after.jpg", "mimeType": "image/jpeg", "buffer": AFTER})
    page.get_by_test_id("action-rectify").locator("button[type=submit]").click()
    expect(page.get_by_test_id("hazard-status")).to_contain_text("已整改")
    expect(page.get_by_test_id("hazard-history").locator("img")).to_have_count(2)  # the item's photo and the repair's
    # The unit cannot close its own hazard: no such form for it.
    expect(page.get_by_test_id("action-close")).to_have_count(0)
    shot(page, "hazard-rectified-zh")

    # The education officer, in English: the hazards to verify, this one, verified and closed.
    office = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url,
                                 locale="en-US", reduced_motion="reduce")
    officer = office.new_page()
    errors: list[str] = []
    officer.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(officer, "education", PASSWORD)
    with officer.expect_navigation():  # the switch submits itself; its page must load before we go on
        officer.select_option("[data-testid=language-switch]", "en")
    officer.goto("/hazards/?status=rectified")
    expect(officer.locator("html")).to_have_attribute("lang", "en")
    officer.get_by_test_id("hazard-table").get_by_role("link", name=hazard.title).click()
    expect(officer.get_by_test_id("hazard-history")).to_contain_text("补足留样量")
    officer.locator("#id_close-note").fill("Checked on site: samples of 125 g kept.")
    officer.get_by_test_id("action-close").get_by_role("button", name="Verify and close").click()
    expect(officer.get_by_test_id("hazard-status")).to_contain_text("Closed")
    shot(officer, "hazard-closed-en")
    office.close()
    assert not [e for e in errors if "Failed to load resource" not in e]
    hazard.refresh_from_db()
    assert hazard.status == "closed" and hazard.closed_by.username == "education"
    assert [e.action for e in hazard.events.order_by("at", "id")] == ["report", "assign", "rectify", "close"]
