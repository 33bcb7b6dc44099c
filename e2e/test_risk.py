"""Issue #14, must-show 3 (F-AUTH, F-RISK-1, the gate's watch list): the police officer's login asks for the
authenticator app's code; the ledger shows the overdue person first and reveals an ID number only with a
reason; a visitor on the ledger is refused at the gate screen, the guard told only "do not admit, police
informed"; the alert reaches the police console with a link to the person, who now shows the sighting.
Then the governance officer, in English, with the disputes. Two browser contexts, as two people."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, login, navigate, shot, totp_code

pytestmark = pytest.mark.e2e


def context_page(browser, base_url: str, locale: str = "zh-CN"):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=base_url, locale=locale,
                                  reduced_motion="reduce")
    return context, context.new_page()


def test_the_police_log_in_with_a_code_and_a_ledger_visitor_is_refused_at_the_gate(  # type: ignore[no-untyped-def]
        browser, demo, live_server) -> None:
    from huxiao.demo.force import resident_id
    from huxiao.demo.risk import PERSONS
    from huxiao.risk.models import GateSighting, RiskPerson

    code, name, born, *_rest = PERSONS[0]  # S02's high-level person, overdue
    person = RiskPerson.objects.get(name=name)
    police_ctx, police = context_page(browser, live_server.url)
    guard_ctx, guard = context_page(browser, live_server.url)
    try:
        # The password alone is not enough: the page asks for the code of the authenticator app.
        police.goto("/login/")
        police.fill("#id_username", "police")
        police.fill("#id_password", PASSWORD)
        police.get_by_role("button", name="登录").click()
        expect(police).to_have_url(re.compile(r"/login/otp/"))
        shot(police, "login-second-factor-zh")
        # A wrong code is refused, and the page says so.
        police.get_by_test_id("otp-code").fill("000000")
        police.get_by_role("button", name="确认").click()
        expect(police.get_by_test_id("otp-error")).to_contain_text("验证码不对")
        expect(police).to_have_url(re.compile(r"/login/otp/"))
        # django-otp throttles after a failure (1 s, doubling with each): a person retyping takes longer.
        police.wait_for_timeout(1500)
        police.get_by_test_id("otp-code").fill(totp_code("police"))
        police.get_by_role("button", name="确认").click()
        expect(police).not_to_have_url(re.compile(r"/login/"))

        # The ledger, from the navigation: the overdue person first, marked; the ID number masked.
        navigate(police, "/risk/")
        first = police.locator("tbody tr").first
        expect(first).to_contain_text(name)
        expect(first).to_have_class(re.compile("table-danger"))
        expect(police.get_by_test_id("overdue-count")).to_be_visible()
        shot(police, "risk-ledger-zh")
        first.get_by_role("link").first.click()
        expect(police.get_by_test_id("overdue")).to_be_visible()
        # The full ID number only with a reason; the reason goes to the audit log.
        reveal = police.get_by_test_id("reveal-id_number")
        reveal.locator("summary").click()
        reveal.locator("#reason-id_number").fill("核对走访对象身份")
        reveal.get_by_role("button").click()
        expect(police.get_by_test_id("revealed-id_number")).to_have_text(resident_id(born, 201))
        shot(police, "risk-person-revealed-zh")

        # The officer watches the alarm console; the guard of S02 registers a visitor with that ID number.
        police.goto("/alarms/")
        login(guard, f"{code}-guard", PASSWORD)
        guard.goto("/gate/visitors/")
        guard.fill("#v-id", resident_id(born, 201))
        guard.fill("#v-name", "郑先生")
        guard.fill("#v-purpose", "找孩子班主任")
        guard.get_by_role("button", name="登记").click()
        decision = guard.get_by_test_id("visit-decision")
        expect(decision).to_contain_text("不得放行。已通知警方。")
        # The guard is told nothing about the ledger: no level, no category, not the ledger's name.
        expect(decision).not_to_contain_text("高风险")
        expect(decision).not_to_contain_text(name)
        shot(guard, "gate-visitor-watch-list-zh")

        # The alert reaches the console within the live strip's poll, with a link to the person.
        banner = police.get_by_test_id("alert-banner")
        expect(banner).to_be_visible(timeout=8000)
        expect(banner).to_contain_text("高风险人员")
        shot(police, "alarm-console-watch-list-alert-zh")
        banner.get_by_role("link").click()
        expect(police).to_have_url(re.compile(rf"/risk/{person.pk}/$"))
        expect(police.get_by_test_id("sightings")).to_contain_text("拒绝")
        assert GateSighting.objects.filter(person=person).count() == 1
    finally:
        police_ctx.close()
        guard_ctx.close()


def test_the_governance_officer_keeps_the_disputes_in_english(browser, demo, live_server) -> None:  # type: ignore[no-untyped-def]
    context, page = context_page(browser, live_server.url, locale="en-US")
    try:
        login(page, "governance", PASSWORD)  # types the authenticator's code when the page asks
        expect(page.get_by_test_id("risk-counts-tile")).to_contain_text("High-risk persons under management")
        navigate(page, "/risk/disputes/")
        expect(page.locator("tbody")).to_contain_text("学生之间欺凌纠纷")
        shot(page, "risk-disputes-en")
        page.get_by_role("link", name=re.compile("学生之间欺凌纠纷")).click()
        page.get_by_text("Record a mediation").click()
        page.get_by_label("Mediator").fill("District mediator Wu")
        page.get_by_label("What was agreed or said").fill("Both families met with the class teacher.")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_test_id("mediations")).to_contain_text("Both families met with the class teacher.")
        shot(page, "risk-dispute-en")
    finally:
        context.close()


def test_a_first_login_enrols_the_authenticator_by_qr_code_in_english(browser, demo, live_server) -> None:  # type: ignore[no-untyped-def]
    """The governance officer without an authenticator yet: the QR code and its key, the first code, ten
    recovery codes shown once; then one of them lets a later login in, once."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user__username="governance").delete()
    context, page = context_page(browser, live_server.url, locale="en-US")
    try:
        page.goto("/login/")
        page.fill("#id_username", "governance")
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/login/otp/enrol/"))
        expect(page.get_by_test_id("otp-qr")).to_be_visible()
        shot(page, "login-enrol-en")
        # The app, here: the key typed in (as a user who cannot scan does), its current code.
        key = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        import base64

        totp = TOTP(base64.b32decode(key + "=" * (-len(key) % 8)), step=30, digits=6)
        totp.time = time.time()
        page.get_by_test_id("otp-code").fill(f"{totp.token():06d}")
        page.get_by_role("button", name="Confirm and continue").click()
        codes = page.get_by_test_id("recovery-codes").locator("li")
        expect(codes).to_have_count(10)
        recovery = codes.first.inner_text().strip()
        shot(page, "login-recovery-codes-en")
        page.get_by_test_id("recovery-continue").click()
        expect(page.get_by_test_id("risk-counts-tile")).to_be_visible()
        context.clear_cookies()
        # Phone lost: a recovery code instead of the app's code, once.
        for attempt in range(2):
            page.goto("/login/")
            page.fill("#id_username", "governance")
            page.fill("#id_password", PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.get_by_test_id("otp-code").fill(recovery)
            page.get_by_role("button", name="Confirm").click()
            if attempt == 0:
                expect(page.get_by_test_id("risk-counts-tile")).to_be_visible()
                context.clear_cookies()
            else:
                expect(page.get_by_test_id("otp-error")).to_be_visible()
    finally:
        context.close()
