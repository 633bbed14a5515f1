"""The API's documentation pages in a real browser under the site's Content Security Policy: Swagger UI and ReDoc
load from our own static files, render every record type's operations, and the browser reports no CSP violation."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def watch_violations(page) -> list[str]:
    """Console messages and page errors a CSP refusal (or a broken script) produces."""
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_swagger_ui_renders_every_operation_under_the_strict_policy(page):
    problems = watch_violations(page)

    response = page.goto("/api/v1/docs/")

    # Directives come in no fixed order: compare them by name.
    parts = [part.split() for part in response.headers["content-security-policy"].split(";") if part.strip()]
    directives = {name: " ".join(values) for name, *values in parts}
    assert (directives["script-src"], directives["style-src"]) == ("'self'", "'self'")
    assert not any("unsafe" in value for value in directives.values())
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/instruments/{slug}/")).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/strategic-areas/")).to_have_count(2)
    assert problems == []


# ReDoc's side menu always shows Redocly's logo from Redocly's CDN; the policy refuses it (the image hides itself on
# error), so nothing is fetched. This test opens its own browser context to tell that one refusal from any other.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def test_redoc_renders_under_the_policy_loosened_only_for_its_styles_and_worker(browser, site):
    context = browser.new_context(base_url=site)
    page = context.new_page()
    problems = watch_violations(page)
    failed: dict[str, str] = {}
    page.on("requestfailed", lambda request: failed.setdefault(request.url, request.failure))

    response = page.goto("/api/v1/redoc/")

    policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["worker-src"] == "'self' blob:"
    expect(page.get_by_text("Record types and where to find them").first).to_be_visible()
    expect(page.get_by_text("Instruments: published records").first).to_be_attached()
    page.wait_for_timeout(500)
    context.close()
    assert failed == {REDOC_LOGO: "csp"}  # Chromium refused it for the policy: no request left
    assert [problem for problem in problems if REDOC_LOGO not in problem] == []
