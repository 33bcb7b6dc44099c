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


def dismissal_now(unit: Unit, open_: bool = True) -> None:
    """The unit's timetable, so that a dismissal window is open now (or none is), whatever the time of day
    the test runs at."""
    from datetime import time

    from huxiao.timetable.models import TimetableWindow
    from huxiao.timetable.selectors import forget_windows

    TimetableWindow.objects.filter(unit=unit).delete()
    if open_:
        TimetableWindow.objects.create(unit=unit, kind="dismissal", weekdays="1234567", start=time(0, 0),
                                       end=time(23, 59, 59, 999999), label="放学")
    forget_windows(unit.pk)


def test_a_whole_dismissal(page, demo, browser, live_server) -> None:  # type: ignore[no-untyped-def]
    unit = Unit.objects.get(code="K01")
    dismissal_now(unit)
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

    # Guard 1 checks in at the gate with one tap on the gate screen, and sees it done on the tile.
    login(page, "K01-guard", PASSWORD)
    page.get_by_test_id("tile-checkin").click()
    expect(page.get_by_test_id("checkin-state")).to_have_text(re.compile(r"已于 \d\d:\d\d 签到"))
    expect(page.get_by_test_id("tile-checkin")).to_have_attribute("aria-pressed", "true")
    shot(page, "gate-home-checked-in")
    # Guard 1 scans the mother's card.
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
    # The card's child has gone: the guard reads who took her and when, and is offered no release button.
    already = other.get_by_test_id("card-already")
    expect(already).to_contain_text(re.compile(rf"已于 \d\d:\d\d 被 {mother.name}.*接走"))
    expect(other.get_by_test_id("card-person").get_by_role("button")).to_have_count(0)
    shot(other, "gate-pickup-already")
    # A second scan replaces the first in the field (a USB scanner types into it and presses Enter).
    other.get_by_test_id("scan").press_sequentially(stranger.credential, delay=5)
    other.get_by_test_id("scan").press("Enter")
    expect(other.get_by_test_id("scan")).to_have_value(stranger.credential)
    expect(other.get_by_test_id("card-person")).to_contain_text(stranger.name)
    expect(other.get_by_test_id("card-unknown")).to_have_count(0)

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


def test_a_delegate_takes_the_child_once_and_early_pick_ups_are_confirmed(page, demo) -> None:  # type: ignore[no-untyped-def]
    """Issue #11: the delegation (委托接送) at the gate. The teacher gave the mother a code for the aunt; the
    aunt says the code, the guard types it, checks her ID, releases; the same code again is refused. Outside
    a dismissal window the guard is asked first and the release is recorded as an early pick-up."""
    from datetime import date

    from django.utils import timezone
    from tests.factories import resident_id

    from huxiao.gate.models import Release
    from huxiao.gate.services.pickup import delegation_create

    unit = Unit.objects.get(code="K01")
    dismissal_now(unit)
    child, other = Child.objects.filter(unit=unit).order_by("school_class__name", "name")[:2]
    teacher = child.school_class.teacher or unit_admin(unit)
    aunt_id = resident_id(date(1979, 4, 2), 462)
    delegation, code = delegation_create(actor=teacher, child=child, name="刘阿姨", id_number=aunt_id,
                                         date=timezone.localdate(), requested_by="母亲电话告知")
    login(page, "K01-guard", PASSWORD)
    page.goto("/gate/pickup/")
    scan = page.get_by_test_id("scan")
    scan.fill(code)
    scan.press("Enter")
    offer = page.get_by_test_id(f"delegation-{delegation.pk}")
    expect(offer).to_contain_text("刘阿姨")
    expect(offer).to_contain_text(child.name)
    page.get_by_test_id(f"delegation-id-{delegation.pk}").fill(aunt_id)
    shot(page, "gate-pickup-delegation")
    page.get_by_test_id(f"delegation-release-{delegation.pk}").click()
    expect(page.get_by_test_id("outcome-released")).to_contain_text("刘阿姨")
    assert Release.objects.get(child=child, delegation=delegation).method == "delegation"
    # Once only: the same code again finds the child gone.
    scan.fill(code)
    scan.press("Enter")
    expect(page.get_by_test_id("delegation-already")).to_contain_text("刘阿姨")
    expect(page.get_by_test_id(f"delegation-release-{delegation.pk}")).to_have_count(0)

    # No dismissal now: the guard is asked, cancels, then confirms; the release is an early pick-up.
    dismissal_now(unit, open_=False)
    mother = PickupPerson.objects.filter(child=other, revoked_at__isnull=True).order_by("pk").first()
    scan.fill(mother.credential)
    scan.press("Enter")
    page.get_by_test_id("card-person").get_by_role("button").click()
    expect(page.get_by_test_id("outcome-confirm-early")).to_contain_text(other.name)
    page.get_by_test_id("outcome-confirm-early").get_by_role("button", name="取消").click()
    expect(page.get_by_test_id("outcome-confirm-early")).to_have_count(0)
    assert not Release.objects.filter(child=other).exists()
    scan.fill(mother.credential)
    scan.press("Enter")
    page.get_by_test_id("card-person").get_by_role("button").click()
    page.get_by_test_id("confirm-early").click()
    expect(page.get_by_test_id("outcome-early")).to_be_visible()
    shot(page, "gate-pickup-early")
    assert Release.objects.get(child=other).early is True


def unit_admin(unit: Unit):  # type: ignore[no-untyped-def]
    from huxiao.core.models import User

    return User.objects.get(username=f"{unit.code}-admin")
