"""Reading Atom feeds as a feed reader does: parsed as XML, never searched as text."""

import xml.etree.ElementTree as ET  # noqa: S405 - our own feeds, parsed in tests
from dataclasses import dataclass
from datetime import datetime

ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    updated: datetime
    summary: str
    category: str


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    updated: datetime
    alternate: str
    entries: list[Entry]
    stylesheet: str

    @property
    def titles(self) -> list[str]:
        return [entry.title for entry in self.entries]


def _text(element, name: str) -> str:
    found = element.find(ATOM + name)
    return "" if found is None or found.text is None else found.text


def parse_feed(response) -> ParsedFeed:
    """The feed in ``response`` (a 200 in Atom), its entries in document order."""
    assert response.status_code == 200, response.status_code
    # application/xml, not application/atom+xml, so that browsers apply the stylesheet (cop_kb/feeds/views.py)
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    body = response.content.decode()
    root = ET.fromstring(response.content)  # noqa: S314 - our own feeds
    assert root.tag == ATOM + "feed"
    stylesheet = body.split("<?xml-stylesheet ", 1)[1].split("?>", 1)[0] if "<?xml-stylesheet " in body else ""
    alternate = next(link.get("href") for link in root.findall(ATOM + "link") if link.get("rel") == "alternate")
    entries = [
        Entry(
            id=_text(entry, "id"),
            title=_text(entry, "title"),
            link=entry.find(ATOM + "link").get("href"),
            updated=datetime.fromisoformat(_text(entry, "updated")),
            summary=_text(entry, "summary"),
            category=entry.find(ATOM + "category").get("term"),
        )
        for entry in root.findall(ATOM + "entry")
    ]
    return ParsedFeed(
        title=_text(root, "title"),
        updated=datetime.fromisoformat(_text(root, "updated")),
        alternate=alternate,
        entries=entries,
        stylesheet=stylesheet,
    )
