"""The JSON-LD block in a real browser, under the site's real Content-Security-Policy: read as data, never run, and
never reported as a violation, even when a title tries to close the element."""

from ..factories import make_instrument

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => window.__violations.push(event.violatedDirective));
"""
HOSTILE = "</script><script>window.__ran = true</script><!-- <script>"


def test_the_block_is_data_under_the_csp_and_a_hostile_title_stays_inside_it(site, page):
    record = make_instrument(title=HOSTILE)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.add_init_script(WATCH_VIOLATIONS)
    response = page.goto(record.get_absolute_url())
    assert "script-src 'self'" in response.headers["content-security-policy"]
    block = page.evaluate(
        """JSON.parse(document.querySelector('head script[type="application/ld+json"]').textContent)"""
    )
    assert block["name"] == HOSTILE
    assert block["@type"] == "Legislation"
    assert page.evaluate("window.__ran") is None
    # The block and the site's own two scripts, nothing else.
    scripts = page.evaluate(
        "[...document.querySelectorAll('script')].map(s => s.src ? new URL(s.src).pathname : s.type)"
    )
    assert sorted(scripts) == ["/static/js/search-suggest.js", "/static/js/site.js", "application/ld+json"]
    assert page.evaluate("window.__violations") == []
    assert not [text for text in messages if "Content Security Policy" in text]
