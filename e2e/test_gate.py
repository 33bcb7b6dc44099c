"""Issue #4, must-show 1: a whole dismissal in Chromium, on the gate screen of a 1280×800 tablet.

An authorised person's card releases the child (a USB scanner types the card's text into the field and
presses Enter); a second guard's screen scanning the same card hears "already picked up by … at …"; a
stranger's card shown for the child is refused, and the unit admin's screen shows the alert."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, login, shot
from huxiao.core.models import Role, Unit
from huxiao.core.services import user_create
from huxiao.gate.models import Child, PickupPerson

pytestmark = pytest.mark.e2e


def new_page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url, locale="zh-CN",
                                  reduced_motion="reduce")
    return context, context.new_page()


def test_a_whole_dismissal(page, demo, browser, live_server) -> None:  # type: ignore[no-untyped-def]
    unit = Unit.objects.get(code="K01")
    child = Child.objects.filter(unit=unit).order_by("school_class__name", "name").first()
    mother = PickupPerson.objects.filter(child=child).order_by("pk").first()
    stranger = PickupPerson.objects.filter(unit=unit).exclude(child=child).order_by("pk").first()
    user_create(username="K01-guard2", password=PASSWORD, role=Role.GUARD, organisation=unit, full_name="二号门卫",
                check_password=False)

    # The unit admin's screen is open on the overview.
    admin_context, admin = new_page(browser, live_server)
    login(admin, "K01-admin", PASSWORD)
    expect(admin.get_by_test_id("bell")).to_be_visible()
    # K01 passes every rule: the overview says so instead of drawing an empty chart.
    expect(admin.get_by_test_id("failing-none")).to_be_visible()
    expect(admin.locator("#failing-chart")).to_be_hidden()

    # Guard 1 scans the mother's card.
    login(page, "K01-guard", PASSWORD)
    page.get_by_test_id("tile-pickup").click()
    expect(page.get_by_test_id("scan")).to_be_focused()
    page.get_by_test_id("scan").fill(mother.credential)
    page.get_by_test_id("scan").press("Enter")
    card = page.get_by_test_id("card-person")
    expect(card).to_contain_text(mother.name)
    shot(page, "gate-pickup-card")
    card.get_by_role("button").click()
    released = page.get_by_test_id("outcome-released")
    expect(released).to_contain_text(child.name)
    expect(page.get_by_test_id("scan")).to_be_focused()
    shot(page, "gate-pickup-released")

    # Guard 2, on another tablet, scans the same card.
    other_context, other = new_page(browser, live_server)
    login(other, "K01-guard2", PASSWORD)
    other.goto("/gate/pickup/")
    other.get_by_test_id("scan").fill(mother.credential)
    other.get_by_test_id("scan").press("Enter")
    other.get_by_test_id("card-person").get_by_role("button").click()
    already = other.get_by_test_id("outcome-already")
    expect(already).to_contain_text(re.compile(rf"已被 {mother.name}.* 于 \d\d:\d\d 接走"))
    shot(other, "gate-pickup-already")

    # A stranger: guard 1 finds the child by name; the card shown is another child's.
    page.get_by_test_id("scan").fill(child.name)
    expect(page.get_by_test_id(f"child-{child.pk}")).to_contain_text("接走")  # she has gone
    field = page.get_by_test_id(f"card-for-{child.pk}")
    field.fill(stranger.credential)
    field.press("Enter")
    refused = page.get_by_test_id("outcome-refused")
    expect(refused).to_contain_text("不得放行")
    expect(refused).not_to_contain_text(stranger.name)  # the guard sees the decision only
    shot(page, "gate-pickup-refused")

    # Within seconds, the unit admin's screen shows the alert.
    banner = admin.get_by_test_id("alert-banner")
    expect(banner).to_contain_text("拒绝接走", timeout=10_000)
    expect(banner).to_contain_text(child.name)
    shot(admin, "gate-alert-admin")
    banner.get_by_role("link").click()
    expect(admin.get_by_test_id("refused-table")).to_contain_text(stranger.name)

    other_context.close()
    admin_context.close()
