"""Browser tests: Playwright for Python driving Debian's /usr/bin/chromium (never `playwright install`).

Every page a test visits is checked with axe-core against WCAG 2.1 A and AA (see ``Axe``); a violation fails
the test, as a console error does."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# The live server runs in a thread while Playwright's sync API holds an event loop in this one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HUXIAO_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARTIFACTS = Path(os.environ.get("HUXIAO_E2E_ARTIFACTS", "test-results"))


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"  # scripts/vendor_static.sh
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# In every document, before the page's own scripts (an init script, so the app's strict CSP does not apply):
# <html data-axe-dirty> whenever the DOM has changed since the last check.
_AXE_WATCH = """(() => {
  const mark = () => document.documentElement && document.documentElement.setAttribute("data-axe-dirty", "");
  new MutationObserver(records => {
    if (records.some(r => !(r.type === "attributes" && r.attributeName === "data-axe-dirty"))) { mark(); }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  document.addEventListener("DOMContentLoaded", mark);
})();"""

# The check itself: null when there is nothing (new) to check.
_AXE_RUN = """async (tags) => {
  if (!/^https?:$/.test(location.protocol) || !window.axe) { return null; }
  if (document.readyState === "loading") {
    await new Promise(done => document.addEventListener("DOMContentLoaded", done, {once: true}));
  }
  const root = document.documentElement;
  root.removeAttribute("data-axe-dirty");
  const snapshot = root.outerHTML;
  if (window.__huxiaoAxeChecked === snapshot) { return null; }
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  window.__huxiaoAxeChecked = snapshot;
  return {url: location.href, violations: result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
  }))};
}"""


class Axe:
    """Runs axe-core on every page of every browser context a test opens (``browser.new_context`` is wrapped).

    A page is checked in its current state — the document as loaded, or as htmx and the page's scripts have
    changed it since — before each action or auto-waiting assertion (a Playwright locator handler, which unlike
    an event handler may evaluate in the page), before ``page.goto`` leaves it, at each screenshot and when its
    context closes. An unchanged DOM is not checked twice. A document left before any of these could check it
    is reported too: nothing goes unchecked silently."""

    def __init__(self) -> None:
        self.violations: dict[tuple[str, str], dict[str, Any]] = {}
        self.unchecked: list[str] = []
        self.checked: set[str] = set()  # the URLs whose pages were checked
        self.contexts: list[Any] = []

    def watch_context(self, context: Any) -> None:
        context.add_init_script(path=str(AXE_JS))
        context.add_init_script(script=_AXE_WATCH)
        self.contexts.append(context)
        new_page, close = context.new_page, context.close

        def checked_new_page(**kwargs: Any) -> Any:
            page = new_page(**kwargs)
            self.watch_page(page)
            return page

        def checked_close(**kwargs: Any) -> None:
            self.check_context(context)
            self.contexts.remove(context)
            close(**kwargs)

        context.new_page, context.close = checked_new_page, checked_close

    def watch_page(self, page: Any) -> None:
        state = {"pending": ""}  # the URL of a document not checked yet

        def loaded(_: Any) -> None:  # an event handler: it only takes notes
            if state["pending"]:
                self.unchecked.append(state["pending"])
            state["pending"] = page.url

        def check() -> None:
            if self.check(page):
                state["pending"] = ""

        page.on("domcontentloaded", loaded)
        page.add_locator_handler(page.locator("html[data-axe-dirty]"), check, no_wait_after=True)
        goto: Callable[..., Any] = page.goto

        def checked_goto(url: str, **kwargs: Any) -> Any:
            check()
            return goto(url, **kwargs)

        page.goto = checked_goto
        page._huxiao_axe_check = check

    def check(self, page: Any) -> bool:
        """Check the page as it is now; False if it could not be checked (closed, or navigating away)."""
        from playwright.sync_api import Error

        if page.is_closed() or not page.url.startswith("http"):
            return page.url == "about:blank"
        try:
            result = page.evaluate(_AXE_RUN, AXE_TAGS)
        except Error:
            return False
        if result:
            self.checked.add(result["url"])
        for v in (result or {}).get("violations", []):
            found = self.violations.setdefault((result["url"], v["id"]), {**v, "nodes": {}})
            found["nodes"].update({n["target"]: n["summary"] for n in v["nodes"]})
        return True

    def check_context(self, context: Any) -> None:
        for page in context.pages:
            check = getattr(page, "_huxiao_axe_check", None)
            if check is not None:
                check()
            else:
                self.check(page)

    def report(self) -> str:
        lines = [f"axe-core ({', '.join(AXE_TAGS)}) on {len(self.checked)} pages: violations"]
        for (url, rule), v in sorted(self.violations.items()):
            lines.append(f"- {rule} ({v['impact']}): {v['help']} — on {url}\n  {v['helpUrl']}")
            for target, summary in list(v["nodes"].items())[:8]:
                lines.append(f"    {target}: {' '.join(summary.split())[:300]}")
            if len(v["nodes"]) > 8:
                lines.append(f"    … and {len(v['nodes']) - 8} more")
        lines += [f"- not checked: {url} was left before it could be checked" for url in self.unchecked]
        return "\n".join(lines)


@pytest.fixture(autouse=True)
def axe(browser, monkeypatch) -> Iterator[Axe]:  # type: ignore[no-untyped-def]
    """Every context opened by the test (by the ``page`` fixture or by the test itself) is checked."""
    checker = Axe()
    new_context = browser.new_context

    def checked_new_context(**kwargs: Any) -> Any:
        context = new_context(**kwargs)
        checker.watch_context(context)
        return context

    monkeypatch.setattr(browser, "new_context", checked_new_context)
    yield checker
    for context in checker.contexts:  # still open: the test failed before closing it
        checker.check_context(context)
    if checker.violations or checker.unchecked:
        pytest.fail(checker.report(), pytrace=False)


@pytest.fixture
def page(browser, live_server, axe):  # type: ignore[no-untyped-def]
    """A 1280×800 tablet-sized page on the live server; console errors and axe-core violations fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url,
                                  locale="zh-CN", reduced_motion="reduce")  # screenshots catch no animation mid-way
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context.close()
    # Expected failures (a 429 on lock-out, a 400 on a bad form) log "Failed to load resource"; CSP
    # violations and script errors do not pass.
    real = [e for e in errors if "Failed to load resource" not in e]
    assert not real, f"browser console errors: {real}"


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Screenshots for the README: taken by the tests, so they stay current (not with
    HUXIAO_E2E_SCREENSHOTS=0: CI's second run, on PostgreSQL). What is shown is checked with axe-core too."""
    check = getattr(page, "_huxiao_axe_check", None)
    if check is not None:
        check()
    if os.environ.get("HUXIAO_E2E_SCREENSHOTS") == "0":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # A smooth scroll (an anchor link) must come to rest first: caught mid-way, the header is not painted.
    page.wait_for_function("""() => new Promise(done => { const y = window.scrollY;
        requestAnimationFrame(() => requestAnimationFrame(() => done(window.scrollY === y))); })""")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


PASSWORD = "E2e-Demo-Password-1"
# The demo's accounts with a second factor (police, governance) are enrolled with this secret, as API.md's
# ``HUXIAO_DEMO_TOTP_SECRET`` lets scripts do; ``login`` types their codes.
TOTP_SECRET = "JBSWY3DPEHPK3PXPE2ETESTSJBSWY3DP"


@pytest.fixture
def demo(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from huxiao.demo.build import build_demo

    monkeypatch.setenv("HUXIAO_DEMO_TOTP_SECRET", TOTP_SECRET)
    build_demo(password=PASSWORD)


def totp_code(username: str) -> str:
    """The code the user's authenticator app shows now, from the secret of their confirmed device: this time
    step's, or the next one's when this one's was used (a code works once); past that, wait for a new step."""
    import time

    from django_otp.oath import hotp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    while True:
        now = (int(time.time()) - device.t0) // device.step + device.drift
        step = max(now, device.last_t + 1)
        if step <= now + device.tolerance:
            return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.1)


def navigate(page, href: str) -> None:  # type: ignore[no-untyped-def]
    """Click the navigation's link to ``href``, as a user does: opening its menu first when the link is in one
    (the prevention pages share a menu where a role has several of them)."""
    link = page.locator(f'nav a[href="{href}"]')
    menu = page.locator(".navbar-nav .dropdown", has=page.locator(f'a[href="{href}"]'))
    if menu.count():
        menu.locator("[data-bs-toggle=dropdown]").click()
    link.click()


def login(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Log in as a user does; for the roles with a second factor, typing the app's code when the page asks."""
    import re

    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name=re.compile("登录|Log in")).click()
    page.wait_for_load_state()
    if re.search(r"/login/otp/(\?|$)", page.url):
        page.get_by_test_id("otp-code").fill(totp_code(username))
        page.get_by_role("button", name=re.compile("^(确认|Confirm)$")).click()
        page.wait_for_load_state()


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[str]:
    """Huxiao's own ASGI application under uvicorn, in a thread of this process, on the test database.
    Django's live server is WSGI, which cannot serve the live stream (server-sent events from an async view)."""
    import socket
    import threading
    import time

    import uvicorn

    from huxiao.core.asgi_handler import HuxiaoASGIHandler

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(HuxiaoASGIHandler(), host="127.0.0.1", port=port, lifespan="off", log_level="warning",
                            timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)

