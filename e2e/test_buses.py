"""F-BUS-1 in the browser: a kindergarten's admin (in Chinese) schedules this evening's trip on the unit's
buses page; its bus attendant (in English, on a tablet) opens the trip, taps in a count above the seats and
sees the overload at once as a red alert; the admin's page then shows the trip overloaded and
``buses.overload`` failing.

Selectors are test ids, element ids and the demo's own data, so the test reads the same before and after
the Chinese catalogue gains the new strings."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, login, navigate, shot

pytestmark = pytest.mark.e2e


def test_the_admin_schedules_a_trip_and_the_attendant_records_an_overload(  # type: ignore[no-untyped-def]
        page, demo, browser, live_server) -> None:
    from django.utils import timezone

    from huxiao.buses.models import Bus
    from huxiao.core.models import Unit

    unit = Unit.objects.get(code="K01")
    seats = Bus.objects.get(unit=unit).seats

    # The unit admin, in Chinese: the buses page from the navigation, and a trip at 17:45 today.
    login(page, "K01-admin", PASSWORD)
    navigate(page, f"/units/{unit.pk}/buses/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_test_id("bus-table")).to_contain_text("浙A·X")
    expect(page.get_by_test_id("route-list")).to_contain_text("线")
    page.locator("#trip-form summary").click()
    page.locator("#id_trip-route").select_option(index=1)
    page.locator("#id_trip-direction").select_option("from_school")
    page.locator("#id_trip-date").fill(timezone.localdate().isoformat())
    page.locator("#id_trip-departs_at").fill("17:45")
    page.locator("#id_trip-bus").select_option(index=1)
    page.locator("#id_trip-driver").select_option(index=1)
    page.locator("#id_trip-attendant").select_option(index=1)
    page.locator("#trip-form").get_by_role("button").click()
    expect(page.get_by_test_id("trip-table")).to_contain_text("17:45")
    shot(page, "buses-unit-zh")

    # The attendant, in English on a tablet: their trips, the one at 17:45, a count above the seats.
    tablet = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url,
                                 locale="en-US", reduced_motion="reduce")
    attendant = tablet.new_page()
    login(attendant, "K01-bus", PASSWORD)
    navigate(attendant, f"/units/{unit.pk}/buses/")
    attendant.get_by_test_id("my-trips").get_by_role("link", name=re.compile("17:45")).click()
    expect(attendant.get_by_test_id("trip-state")).to_contain_text(f"{seats} seats")
    attendant.locator("#id_count").fill(str(seats + 5))
    attendant.get_by_role("button", name="Record the count").click()
    alert = attendant.get_by_test_id("overload-alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(f"{seats + 5} children on board, {seats} seats")
    shot(attendant, "buses-overload-en")
    tablet.close()

    # Back on the admin's page: the trip is marked, and the rule fails at once.
    page.reload()
    expect(page.get_by_test_id("trip-table").locator("tr.table-danger")).to_contain_text("17:45")
    expect(page.locator('[id="rule-buses.overload"]')).to_contain_text(f"{seats + 5}")
