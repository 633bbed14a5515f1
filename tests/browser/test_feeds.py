"""A feed opened in a browser: found from the page that names it, and readable under the site's strict CSP."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def _in_feed(path: str) -> str:
    """An XPath to Atom elements (the document is XML in the Atom namespace, not HTML)."""
    return "xpath=" + "".join(f"/*[local-name()='{name}']" for name in path.split("/"))


def test_a_feed_found_from_its_list_page_reads_as_a_list_with_no_csp_violation(page):
    complaints, failed = [], []

    def note(message) -> None:
        if message.type in ("error", "warning") and "Failed to load resource" not in message.text:
            complaints.append(message.text)  # a CSP violation, say; failed loads are checked by address below

    page.on("console", note)
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.goto("/instruments/")
    href = page.locator('link[rel="alternate"][type="application/atom+xml"]').get_attribute("href")
    assert href == "/feeds/instruments.atom"

    response = page.goto(href)

    assert response.status == 200
    title = page.locator(_in_feed("feed/title"))
    assert title.evaluate("element => getComputedStyle(element).fontWeight") == "700"
    entries = page.locator(_in_feed("feed/entry/title"))
    assert "Convention on the Rights of the Child" in entries.all_text_contents()
    assert entries.first.is_visible()
    # Ids and the feed's own bookkeeping are for feed readers; a person sees titles, addresses and dates.
    assert not page.locator(_in_feed("feed/entry/id")).first.is_visible()
    address = page.locator(_in_feed("feed/entry/link")).first
    assert address.evaluate("element => getComputedStyle(element, '::after').content").startswith('"http://')
    assert not complaints, complaints
    # Browsers ask every document's site for /favicon.ico too: the site answers it (with its SVG icon).
    assert failed == []
