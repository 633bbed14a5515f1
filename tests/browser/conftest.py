"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

The live server answers on 127.0.0.1 and Chromium resolves no host name, so nothing leaves the machine; a page that
tried to load something from elsewhere fails its test instead of making a silent network call. A test that fails
leaves a full-page screenshot of each page it opened in ``test-results/<test-name>.png``, and of a relationship graph
on it (or of the world map) in ``test-results/<test-name>-graph.png``.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright import sync_api
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in the test's thread, which Django takes for an async context and so
# refuses ORM calls there (loading content, creating records). The tests themselves are plain synchronous code,
# so the guard against sharing a connection between coroutines does not apply to them.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# Serve the live server on the IPv4 loopback address, the only host the browser is allowed to reach.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Every host name resolves to nothing, so no page (and no part of Chromium) can reach past the live server on
    # 127.0.0.1. Cheaper than intercepting each request in Python, which slows every page load.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
TIMEOUT_MS = 10_000
ALLOWED_HOSTS = {"127.0.0.1"}
# The password of the staff users admin tests make.
PASSWORD = "Correct-horse-battery-9"

expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items) -> None:
    """Every browser test is marked ``browser``, and ``database_independent``: what a browser checks (layout, keyboard,
    scripts, axe) is the same whichever database served the page, and what the database decides (which records, in
    which order, counted how) is checked on both by the tests outside this folder. Runs before the root conftest's
    hook, which skips such tests on PostgreSQL."""
    for item in items:
        if "tests/browser/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.database_independent)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "browser: drives a real browser against the live server")


@pytest.fixture(scope="session")
def playwright() -> Iterator:
    with sync_api.sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright) -> Iterator:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def site(live_server, loaded_framework) -> str:
    """The live server's address, with the framework in the (flushed-after-each-test) database.

    Its rows are copied from the run's snapshot (``tests/snapshot.py``), taken once, not loaded for every test.
    """
    loaded_framework.restore()
    return live_server.url


@pytest.fixture
def open_page(browser, site, request) -> Iterator[Callable]:
    """Open a page in a fresh browser context: ``open_page(viewport=PHONE, java_script_enabled=False)``.

    Each context starts clean (no cookies, no cache), has relative URLs resolved against the live server, a 10 s
    default timeout and no way out to the network. The pages opened are remembered for failure screenshots, and a
    test fails if any page tried to reach a host other than the live server.
    """
    contexts = []
    pages = []
    elsewhere = []
    request.node._browser_pages = pages

    def _note(browser_request) -> None:
        url = browser_request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname not in ALLOWED_HOSTS:
            elsewhere.append(url)

    def _open(viewport: dict = DESKTOP, java_script_enabled: bool = True):
        context = browser.new_context(base_url=site, viewport=viewport, java_script_enabled=java_script_enabled)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.on("request", _note)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield _open
    for context in contexts:
        context.close()
    if elsewhere:
        pytest.fail(f"pages tried to reach hosts other than the live server: {sorted(set(elsewhere))}")


@pytest.fixture
def page(open_page):
    """A desktop-sized (1280×900) page with JavaScript on."""
    return open_page()


@pytest.fixture
def phone_page(open_page):
    """A phone-sized (375×740) page with JavaScript on."""
    return open_page(viewport=PHONE)


@pytest.fixture
def no_js_page(open_page):
    """A desktop-sized page with JavaScript switched off."""
    return open_page(java_script_enabled=False)


def sign_in(page, username: str) -> None:
    """Sign in to the admin as ``username`` (password ``PASSWORD``) and wait until the admin says so."""
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out"))).to_be_visible()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    pages = getattr(item, "_browser_pages", None)
    if report.when != "call" or not report.failed or not pages:
        return
    results = Path(item.config.rootpath) / "test-results"
    results.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", item.name)
    for number, page in enumerate(pages):
        if page.is_closed():
            continue
        suffix = "" if number == 0 else f"-{number + 1}"
        path = results / f"{name}{suffix}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            # A picture (a relationship graph, the world map, the timeline's years) is also kept on its own, at its
            # natural size (the page may have scaled it down).
            graphs = page.locator(".graph-figure, .map-figure, .tl-years")
            if graphs.count():
                graph_path = results / f"{name}{suffix}-graph.png"
                graphs.first.screenshot(path=str(graph_path))
                report.sections.append(("screenshot", str(graph_path)))
        except sync_api.Error as exc:  # a crashed page cannot be photographed; the failure itself still reports
            report.sections.append(("screenshot", f"could not save {path}: {exc}"))
        else:
            report.sections.append(("screenshot", str(path)))
