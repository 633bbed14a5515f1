"""The page for partners, /data/: what it explains, and that its links and example calls answer.

The calls are read from the page as a partner reads them (each ``curl`` line and each link), not from the list the
page is built from, so a call the page shows wrongly fails here.
"""

import io
import re
import shlex
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from cop_kb.api.serializers import DETAIL_LINKS, LIST_LINKS
from cop_kb.records.registry import record_types

from ..feeds.support import parse_feed

pytestmark = pytest.mark.django_db

DATA_URL = "/data/"
_CURL = re.compile(r"<pre><code>(curl [^<]*)</code></pre>")
# Addresses the other parts of issue 12 serve (the API, CSV exports, JSON-LD and the whole-data downloads). They are
# built on other branches: on this one only the whole-page check below asks for them.
_ELSEWHERE = re.compile(r"^/api/|^/data/downloads/|\.jsonld$|[?&]format=csv")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.headings: list[str] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])
        if tag == "h2":
            self._heading = []

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)

    def handle_endtag(self, tag):
        if tag == "h2" and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None


@pytest.fixture
def page(client, framework) -> str:
    response = client.get(DATA_URL)
    assert response.status_code == 200
    return response.content.decode()


def read(page: str) -> _Links:
    reader = _Links()
    reader.feed(page)
    return reader


def example_paths(page: str) -> list[str]:
    """The address of every example call on the page, as a path with its query."""
    paths = []
    for line in _CURL.findall(page):
        url = shlex.split(unescape(line))[-1]
        parts = urlsplit(url)
        assert parts.scheme == "http" and parts.netloc == "testserver", line
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def internal_links(page: str) -> list[str]:
    return [href for href in read(page).hrefs if href.startswith("/")]


def test_the_data_page_explains_every_interface_in_order(page):
    assert read(page).headings == [
        "On this page",
        "The API",
        "CSV exports",
        "Linked data",
        "Feeds",
        "Record types and their names",
        "Identifiers",
        "Licence",
        "How to cite",
    ]
    for address in ("/api/v1/", "/api/v1/docs/", "/api/v1/schema/", "/data/downloads/cop_kb-csv.zip"):
        assert address in page, address
    assert "/data/downloads/cop_kb.jsonld" in page and "/instruments/crc.jsonld" in page
    assert "format=csv" in page


def test_the_example_calls_are_real_addresses_of_the_framework(page):
    paths = example_paths(page)
    assert "/api/v1/instruments/crc/" in paths
    assert "/feeds/countries/viet-nam.atom" in paths
    assert "/feeds/strategic-areas/preventing-impunity.atom" in paths
    assert len(paths) >= 12
    # A whole-data download is saved to a file, never printed to the terminal.
    assert all("-sSLO " in line for line in _CURL.findall(page) if "/data/downloads/" in line)


def test_the_page_states_the_api_link_bounds_and_calls_a_relations_links(client, page):
    assert f"{DETAIL_LINKS} in a record's own answer and {LIST_LINKS} for each record of a list" in page
    call = "/api/v1/instruments/crc/links/relations_in/?kind=supplements"
    assert call in example_paths(page)
    crc = client.get("/api/v1/instruments/crc/").json()
    assert f"http://testserver{call}" in [group["links_url"] for group in crc["link_groups"]]
    assert "optional" in " ".join(target["title"] for target in client.get(call).json()["results"]).lower()


def test_the_page_names_every_record_type_and_its_addresses(page):
    links = set(internal_links(page))
    for entry in record_types():
        assert {entry.list_url(), f"/api/v1/{entry.slug}/", f"/feeds/{entry.slug}.atom"} <= links, entry.slug


def test_the_licence_is_not_invented(page):
    assert "No licence has been stated for this data yet." in page
    assert "Creative Commons" not in page and "CC BY" not in page


def test_the_citation_example_is_the_crcs_own(client, page):
    crc_page = client.get("/instruments/crc/").content.decode()
    citation = re.search(r'<p class="notice">(“Convention on the Rights of the Child”[^<]*)</p>', page).group(1)
    assert citation in crc_page


def test_every_feed_and_page_the_data_page_links_or_calls_answers(client, page):
    """Everything on the page that this branch serves: feeds (as Atom) and pages. The rest is in the test below."""
    ours = [path for path in [*example_paths(page), *internal_links(page)] if not _ELSEWHERE.search(path)]
    feeds = [path for path in ours if path.startswith("/feeds/") and "<" not in path]
    assert len(feeds) >= 4 + len(record_types())
    for path in feeds:
        assert parse_feed(client.get(path)).title.startswith(f"{settings.SITE_NAME}: "), path
    for path in ours:
        if path not in feeds and not path.startswith("#"):
            assert client.get(path).status_code == 200, path


def expected_format(path: str) -> str:
    """What the Content-Type of the answer to ``path`` must name: a CSV export is CSV, not the list page."""
    for marker, content_type in (("format=csv", "csv"), (".jsonld", "json"), (".zip", "zip"), (".atom", "xml")):
        if marker in path:
            return content_type
    if path.startswith("/api/v1/schema/"):
        return ""  # OpenAPI, as YAML or JSON
    return "json" if path.startswith("/api/") and not path.startswith(("/api/v1/docs/", "/api/v1/redoc/")) else "html"


def test_every_link_and_example_on_the_data_page_answers(client, page):
    """Every link and example call on /data/, including the API, CSV and JSON-LD addresses that other branches of
    issue 12 serve: this fails until they are merged (on the feeds branch alone, for those addresses only). The
    whole-data downloads are built first, as `make run` and `make serve` do (until then they answer 503)."""
    call_command("build_downloads", stdout=io.StringIO())
    failing = []
    for path in dict.fromkeys([*example_paths(page), *internal_links(page)]):
        response = client.get(path)
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or expected_format(path) not in content_type:
            failing.append(f"{path}: {response.status_code} {content_type}")
    assert not failing, "\n".join(failing)


def test_every_page_links_to_the_data_page_from_its_footer(client, framework):
    for url in ("/", "/instruments/", "/instruments/crc/", "/search/?q=convention"):
        footer = client.get(url).content.decode().split('<footer class="site-footer">', 1)[1]
        assert f'<a href="{reverse("partners:data")}">' in footer, url
    on_itself = client.get(DATA_URL).content.decode().split('<footer class="site-footer">', 1)[1]
    assert f'<a href="{DATA_URL}" aria-current="page">' in on_itself


def test_the_data_page_is_cached_and_revalidated(client, framework):
    first = client.get(DATA_URL)
    assert first.status_code == 200 and not first.cookies
    assert client.get(DATA_URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
