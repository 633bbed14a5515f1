"""The API's documentation pages in a real browser under the site's Content Security Policy: Swagger UI and ReDoc
load from our own static files, render every record type's operations, and the browser reports no CSP violation
and no console error."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


# Runs before the page's own scripts, outside its policy (Playwright injects it), to count what the policy refused.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def watch_violations(page) -> list[str]:
    """Console errors, page errors and failed requests: what a CSP refusal (or a broken script) produces."""
    problems: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"{request.url}: {request.failure}"))
    return problems


def csp_violations(page) -> list[str]:
    page.wait_for_timeout(500)  # let late images and workers report
    return page.evaluate("window.cspViolations")


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
    assert csp_violations(page) == []
    assert problems == []


# ReDoc's side menu always asks Redocly's CDN for Redocly's logo; static/js/redoc-without-cdn-logo.js stops that
# request before it is made, so the policy has nothing to refuse and the browser nothing to report.
def test_redoc_renders_under_the_policy_loosened_only_for_its_styles_and_worker(page):
    problems = watch_violations(page)

    response = page.goto("/api/v1/redoc/")

    policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["worker-src"] == "'self' blob:"
    assert policy["img-src"] == "'self' data:"
    expect(page.get_by_text("Record types and where to find them").first).to_be_attached()
    expect(page.get_by_text("Instruments: published records").first).to_be_attached()
    credit = page.get_by_role("link", name="API docs by Redocly")
    expect(credit).to_be_attached()
    expect(credit.locator("img")).to_have_count(0)
    assert csp_violations(page) == []
    assert problems == []
