"""F-SURR-1/2 in the browser: the police officer, in Chinese, opens the surroundings map from the navigation and
sees the demo's one violation (an internet café by K03) on the map and in the list beside it; in the premises
register they file a new internet café about 150 m north of K01's boundary, which is flagged at once, and then
record its closure, which clears it. A kindergarten's admin, in English, reports illegal taxis at the gate, and
the report opens a hazard at the unit.

Selectors are test ids, element ids and the demo's own data, so the test reads the same before and after
the Chinese catalogue gains the new strings."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, login, navigate, shot

pytestmark = pytest.mark.e2e


def test_the_police_find_a_violation_on_the_map_file_a_cafe_and_close_it(page, demo) -> None:  # type: ignore[no-untyped-def]
    from huxiao.core.models import Unit
    from huxiao.surroundings.models import Premises

    k03 = Unit.objects.get(code="K03")
    k01 = Unit.objects.get(code="K01")
    north = max(lat for lat, _lng in k01.boundary)
    # 150 m north of the boundary's northern edge (1° of latitude is about 110.85 km here).
    lat, lng = north + 150 / 110_850, k01.lng

    login(page, "police", PASSWORD)
    navigate(page, "/surroundings/map/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    table = page.get_by_test_id("premises-table")
    expect(table.locator("tr.table-danger")).to_have_count(1)
    expect(table.locator("tr.table-danger")).to_contain_text(k03.name)
    expect(page.get_by_test_id("violation-count")).to_contain_text("1")
    # The map drew without tiles: campuses, their radius and the premises are vectors on a plain ground.
    expect(page.locator("#surroundings-map.leaflet-container")).to_be_visible()
    expect(page.locator("#surroundings-map path.hx-violation-marker")).to_have_count(1)
    # Its popup says what and how far, in the reader's language.
    page.locator("#surroundings-map path.hx-violation-marker").click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(re.compile(r"极速网吧.*\d+米.*违规", re.S))
    shot(page, "surroundings-map")

    # The register: a new internet café 150 m from K01's boundary.
    page.locator('a[href="/surroundings/premises/"]').first.click()
    page.locator("#premises details summary").click()
    page.locator("#id_name").fill("飞跃网吧")
    page.locator("#id_kind").select_option("internet_cafe")
    page.locator("#id_address").fill("翠柏路60号")
    page.locator("#id_lat").fill(f"{lat:.6f}")
    page.locator("#id_lng").fill(f"{lng:.6f}")
    page.locator("#id_licence_no").fill("网文〔2026〕0077号")
    # The small map beside the form pins what was typed (a click on it would fill the two fields).
    picker = page.get_by_test_id("premises-picker")
    expect(picker.locator("path.hx-picker-pin")).to_have_count(1)
    picker.scroll_into_view_if_needed()
    shot(page, "premises-add-zh")
    page.locator("#premises form button[type=submit]").click()
    facts = page.get_by_test_id("premises-facts")
    expect(facts).to_contain_text(k01.name)
    expect(facts.locator(".text-danger-emphasis")).to_be_visible()
    distance = Premises.objects.get(name="飞跃网吧").distance_m
    assert distance is not None and abs(distance - 150) < 3, distance
    expect(facts).to_contain_text(f"{round(distance)}")
    # K01 now fails the rule.
    from huxiao.compliance.models import Result
    assert Result.objects.get(unit=k01, rule="premises.restricted").status == "fail"

    # Closed by order: recorded, and the violation is gone.
    page.locator("#records details summary").click()
    page.locator("#id_action").select_option("closed")
    page.locator("#id_note").fill("距校园不足200米，责令关停")
    page.locator("#records form button[type=submit]").click()
    expect(page.get_by_test_id("record-list")).to_contain_text("距校园不足200米")
    expect(facts.locator(".text-danger-emphasis")).to_have_count(0)
    assert Result.objects.get(unit=k01, rule="premises.restricted").status == "pass"
    shot(page, "premises-closed-zh")


def test_a_unit_admin_reports_illegal_taxis_and_a_hazard_opens(browser, live_server, demo, axe) -> None:  # type: ignore[no-untyped-def]
    from huxiao.core.models import Unit
    from huxiao.hazards.models import Hazard

    unit = Unit.objects.get(code="K02")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url,
                                  locale="en-US", reduced_motion="reduce")
    page = context.new_page()
    login(page, "K02-admin", PASSWORD)
    navigate(page, "/surroundings/map/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name=re.compile("Traffic reports")).click()
    page.locator("#id_kind").select_option("illegal_taxi")
    page.locator("#id_place").fill("North gate, Fengtan Road")
    page.locator("#id_description").fill("Two unlicensed vans touting parents at pick-up time")
    page.get_by_role("button", name="File").click()
    row = page.get_by_test_id("traffic-table").locator("tr", has_text="North gate, Fengtan Road")
    expect(row).to_contain_text("Illegal taxi touting")
    hazard = Hazard.objects.get(unit=unit, source="traffic", location="North gate, Fengtan Road")
    assert hazard.priority == "high" and hazard.status == "reported"
    shot(page, "surroundings-traffic-en")
    row.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/hazards/{hazard.pk}/")
    expect(page.locator("h1")).to_contain_text("North gate, Fengtan Road")
    context.close()
