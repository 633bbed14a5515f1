"""Helpers for the search suite: run a search, read what the results page shows, build records, post admin forms."""

import html
import re
from html.parser import HTMLParser

from django.http import QueryDict
from django.urls import reverse

from cop_kb.records.models import Record
from cop_kb.search.selectors import SearchPage, search
from programmes.models import Programme

from ..factories import make

SEARCH_URL = reverse("search:search")
AUTOCOMPLETE_URL = reverse("search:autocomplete")


def search_for(q: str, **filters: str) -> SearchPage:
    """The selector's answer for what a reader would put in the URL."""
    params = QueryDict(mutable=True)
    params["q"] = q
    for key, value in filters.items():
        params[key] = value
    return search(params)


def hit_titles(page: SearchPage) -> list[str]:
    return [hit.title for hit in page.hits]


def facet_counts(page: SearchPage, param: str) -> dict[str, int]:
    """``{value: count}`` of one facet group as offered on the page ({} when the group is not offered)."""
    for group in page.facets:
        if group.param == param:
            return {choice.value: choice.count for choice in group.options}
    return {}


def record(model: type[Record] = Programme, *, title: str, summary: str = "", body: str = "", **overrides) -> Record:
    """A published record whose searchable text is exactly what the test says (no builder filler text)."""
    return make(model, title=title, summary=summary, body=body, **overrides)


_RESULTS = re.compile(r'<ol class="record-list search-results"[^>]*>(.*?)</ol>', re.S)
_HIT = re.compile(r"<li>(.*?)</li>", re.S)
_LINK = re.compile(r'<h2><a href="(?P<url>[^"]*)">(?P<title>.*?)</a></h2>', re.S)
_ALIAS = re.compile(r'<span class="alias">(.*?)</span>', re.S)
_SNIPPET = re.compile(r'<p class="snippet">(.*?)</p>', re.S)
_SUBTITLE = re.compile(r'<p class="subtitle">(.*?)</p>', re.S)


class ShownHit:
    """One result as the page renders it: link, title, short name, "matched alias" line and snippet (HTML as
    served)."""

    def __init__(self, item: str):
        link = _LINK.search(item)
        alias = _ALIAS.search(item)
        snippet = _SNIPPET.search(item)
        subtitle = _SUBTITLE.search(item)
        self.url = link["url"]
        self.title_html = link["title"]
        self.title = html.unescape(link["title"])
        self.subtitle = html.unescape(subtitle.group(1)) if subtitle else ""
        self.alias = html.unescape(alias.group(1)) if alias else ""
        self.snippet = snippet.group(1) if snippet else ""

    def __repr__(self) -> str:
        return f"<ShownHit {self.url} {self.title!r} alias={self.alias!r}>"


def shown_hits(response) -> list[ShownHit]:
    """The results the page lists, in order."""
    results = _RESULTS.search(response.content.decode())
    return [ShownHit(item) for item in _HIT.findall(results.group(1))] if results else []


def shown_titles(response) -> list[str]:
    return [hit.title for hit in shown_hits(response)]


def get_search(client, q: str, **params: str):
    return client.get(SEARCH_URL, {"q": q, **params})


class _FormReader(HTMLParser):
    """Reads a form's fields and current values the way a browser would submit them (no buttons)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data[self._textarea] = ["".join(self._text).removeprefix("\n")]
            self._textarea = None


def admin_form_data(page: str) -> dict[str, list[str]]:
    """Every field of an admin change form with its current value, to post back with changes."""
    reader = _FormReader()
    reader.feed(page)
    return {name: values for name, values in reader.data.items() if name != "csrfmiddlewaretoken"}
