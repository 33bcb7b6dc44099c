"""Browser tests: Playwright for Python driving Debian's /usr/bin/chromium (never `playwright install`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    """A 1280×800 tablet-sized page on the live server; console errors fail the test."""
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
    HUXIAO_E2E_SCREENSHOTS=0: CI's second run, on PostgreSQL)."""
    if os.environ.get("HUXIAO_E2E_SCREENSHOTS") == "0":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # A smooth scroll (an anchor link) must come to rest first: caught mid-way, the header is not painted.
    page.wait_for_function("""() => new Promise(done => { const y = window.scrollY;
        requestAnimationFrame(() => requestAnimationFrame(() => done(window.scrollY === y))); })""")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


PASSWORD = "E2e-Demo-Password-1"


@pytest.fixture
def demo(transactional_db: None) -> None:
    from huxiao.demo.build import build_demo

    build_demo(password=PASSWORD)


def login(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    import re

    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name=re.compile("登录|Log in")).click()


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
