"""The other prevention pages, as their users open them (issue #13: every new page tried in the browser, in
Chinese and in English, and checked with axe-core): the education officer, in English, goes through the
sub-district's inspections to a unit and edits a checklist; K03's admin, in Chinese, opens the unit's
surroundings (the café that fails ``premises.restricted``) from the navigation, then the unit's hazards.

Selectors are test ids, element ids and the demo's own data."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, login, navigate, shot

pytestmark = pytest.mark.e2e


def test_the_education_officer_edits_a_checklist_in_english(browser, live_server, demo, axe) -> None:  # type: ignore[no-untyped-def]
    from huxiao.core.models import Unit
    from huxiao.inspections.models import Template

    k07 = Unit.objects.get(code="K07")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url,
                                  locale="en-US", reduced_motion="reduce")
    page = context.new_page()
    login(page, "education", PASSWORD)
    navigate(page, "/inspections/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    units = page.get_by_test_id("inspection-units")
    # K07's fire inspection is three weeks late: first in the list, in English, with its overdue count.
    expect(units.locator("tbody tr").first).to_contain_text(k07.name_en)
    expect(units.locator("tbody tr").first.locator(".badge")).to_have_text("1")
    units.get_by_role("link", name=k07.name_en).click()
    expect(page.get_by_test_id("checklists")).to_contain_text("Fire safety")
    page.get_by_test_id("checklists").get_by_role("link", name="Stairways (against crowd crush)").click()
    form = page.get_by_test_id("checklist-form")
    items = page.locator("#id_items_en")
    lines = items.input_value().splitlines()
    assert len(lines) >= 4
    page.locator("#id_items_zh").fill(page.locator("#id_items_zh").input_value() + "\n课间操上下楼有教师在楼梯口值守")
    items.fill("\n".join([*lines, "A teacher stands at each stairway when classes change"]))
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("Checklist saved")
    template = Template.objects.get(subdistrict=k07.subdistrict, area="stairway")
    assert template.items.filter(active=True).count() == len(lines) + 1
    shot(page, "inspection-checklist-edit-en")
    context.close()


def test_a_unit_admin_sees_the_cafe_near_their_campus_and_their_hazards(page, demo) -> None:  # type: ignore[no-untyped-def]
    from huxiao.core.models import Unit

    k03 = Unit.objects.get(code="K03")
    login(page, "K03-admin", PASSWORD)
    navigate(page, "/surroundings/map/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    # A unit's staff see the premises nearest their own campus only: the café, in red.
    rows = page.get_by_test_id("premises-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_class("table-danger")
    expect(rows.first).to_contain_text("极速网吧")
    expect(page.locator('a[href="/surroundings/premises/"]')).to_have_count(0)  # they read, the police write
    page.goto(f"/units/{k03.pk}/surroundings/")
    expect(page.locator("h1")).to_contain_text(k03.name)
    expect(page.locator("#surroundings-map path.hx-violation-marker")).to_have_count(1)
    navigate(page, "/hazards/")
    expect(page.get_by_test_id("hazard-table")).to_contain_text("楼梯扶手松动")
    page.goto(f"/units/{k03.pk}/hazards/")
    expect(page.get_by_test_id("hazard-report")).to_be_visible()
    shot(page, "unit-hazards-zh")
