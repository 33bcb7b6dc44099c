"""F-API: the browsable API docs (Swagger UI, served locally) render under Huxiao's CSP, for a logged-in
integrator, and pass the same accessibility check as every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, login, shot

pytestmark = pytest.mark.e2e


def test_the_api_docs_render_and_list_the_contracts_paths(page, demo) -> None:  # type: ignore[no-untyped-def]
    login(page, "admin", PASSWORD)
    page.goto("/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    # An integrator looks a resource up by name in the filter box (the page renders long lists lazily).
    page.locator("input.operation-filter-input").fill("pickups")
    expect(page.get_by_text("/api/v1/pickups/", exact=True).first).to_be_visible()
    # An operation opened: its parameters and responses pass too.
    page.locator("#operations-pickups-v1_pickups_create .opblock-summary-control").click()
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
    shot(page, "api-docs")
