"""What the security tests share: fetching a public URL and reading every link it offers (HTML, XML, JSON)."""

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.apps import apps

# Not public pages (the admin has its own tests) and files, not pages.
SKIPPED_PREFIXES = ("/static/", "/admin/", "/preview/")
_LOC = re.compile(r"<loc>([^<]*)</loc>")
_ATOM_LINK = re.compile(r'<link href="([^"]*)"')
ATOM_NAMESPACE = 'xmlns="http://www.w3.org/2005/Atom"'
# Keys whose values are addresses in JSON answers: a page's url, the API's records and pages, JSON-LD's @id.
JSON_LINKS = ("url", "api_url", "next", "previous", "@id")


class _Links(HTMLParser):
    """Every URL an HTML page points at: links, sources, form targets (entities already decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src", "action", "formaction", "poster", "data"} and value is not None:
                self.urls.append(value)


@dataclass
class Fetched:
    """One response, reduced to what the tests compare and search."""

    url: str
    status: int
    content_type: str
    location: str
    body: str
    headers: dict[str, str]
    urls: list[str] = field(default_factory=list)  # Every URL the body points at, as written.

    def internal_targets(self) -> set[str]:
        """Paths (with query) on this site the body leads to, skipping static files and the admin."""
        found = {internal_target(self.url, url) for url in self.urls}
        if self.location:
            found.add(internal_target(self.url, self.location))
        return found - {None}


def internal_target(base: str, href: str, skipped: tuple[str, ...] = SKIPPED_PREFIXES) -> str | None:
    """The path (and query) an href leads to on this site, or None for other sites, mail, fragments and paths
    starting with one of ``skipped``."""
    absolute, _fragment = urldefrag(urljoin("http://testserver" + base, href.strip()))
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    if parts.path.startswith(skipped):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def urls_in(content_type: str, body: str) -> list[str]:
    """The URLs a response body offers a reader or a crawler: hrefs in HTML, links in Atom feeds, <loc> in
    sitemaps, links in JSON."""
    if "html" in content_type:
        reader = _Links()
        reader.feed(body)
        reader.close()
        return reader.urls
    if "xml" in content_type and ATOM_NAMESPACE in body[:500]:
        return [unescape(url) for url in _ATOM_LINK.findall(body)]
    if "xml" in content_type:
        return _LOC.findall(body)
    if "json" in content_type:
        found: list[str] = []

        def walk(value) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    if key in JSON_LINKS and isinstance(item, str):
                        found.append(item)
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk(json.loads(body))
        return found
    return []


def fetch(client, url: str, **extra) -> Fetched:
    response = client.get(url, **extra)
    content_type = response.get("Content-Type", "")
    streaming = getattr(response, "streaming", False)
    raw = b"".join(response.streaming_content) if streaming else response.content
    if content_type == "application/zip" and response.status_code == 200:
        raw = unzipped_text(raw)
    body = raw.decode("utf-8", errors="replace")
    return Fetched(
        url=url,
        status=response.status_code,
        content_type=content_type,
        location=response.get("Location", ""),
        body=body,
        headers=dict(response.items()),
        urls=urls_in(content_type, body) if response.status_code == 200 else [],
    )


def unzipped_text(data: bytes) -> bytes:
    """A zip's members, each named and followed by its text, so a download is read like any other response."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(name.encode() + b"\n" + archive.read(name) + b"\n" for name in sorted(archive.namelist()))


def row_counts() -> dict[str, int]:
    """How many rows every table holds (unmanaged models have no table of their own)."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
