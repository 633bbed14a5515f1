"""``/data/``: the API, exports, linked data, feeds, identifiers, licence and citation, with example calls.

The examples are addresses of the loaded framework (the CRC, Viet Nam, a strategic area) written out here once, so
the page and its test read the same list. Addresses of the API, the CSV exports and the JSON-LD are the ones the
project agreed for them (issue 12); they are written as paths, not reversed, since this module imports none of them.
"""

from dataclasses import dataclass

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from cop_kb.feeds.selectors import has_record_feeds
from cop_kb.records.citations import page_citation
from cop_kb.records.registry import record_type_by_slug, record_types

# Records of the framework the examples name.
EXAMPLE_INSTRUMENT = "crc"
EXAMPLE_COUNTRY = "viet-nam"
EXAMPLE_AREA = "preventing-impunity"


@dataclass(frozen=True)
class Example:
    """One call a partner can make: what it answers, and its path (with query) on this site."""

    what: str
    path: str

    def command(self, site: str) -> str:
        """The call as a curl line against ``site``: redirects followed (a renamed record's address redirects),
        and a whole-data download saved to a file rather than printed."""
        save = "O" if self.path.startswith("/data/downloads/") else ""
        return f"curl -sSL{save} '{site}{self.path}'"


def examples() -> dict[str, list[Example]]:
    """The example calls of each section of the page, by section."""
    crc = reverse("instruments:detail", args=[EXAMPLE_INSTRUMENT])
    return {
        "api": [
            Example(_("Every record type and the address of its list"), "/api/v1/"),
            Example(_("Instruments, a page at a time, with next and previous links"), "/api/v1/instruments/"),
            Example(
                _("The CRC: its fields and its typed links in both directions"),
                f"/api/v1/instruments/{EXAMPLE_INSTRUMENT}/",
            ),
            Example(
                _("Every instrument that supplements the CRC (a link group's links_url), a page at a time"),
                f"/api/v1/instruments/{EXAMPLE_INSTRUMENT}/links/relations_in/?kind=supplements",
            ),
            Example(
                _("What changed since a date, for an incremental sync"), "/api/v1/instruments/?updated_since=2026-01-01"
            ),
            Example(_("The OpenAPI 3.1 schema"), "/api/v1/schema/"),
        ],
        "exports": [
            Example(_("Every published instrument as CSV (the list's filters apply)"), "/instruments/?format=csv"),
            Example(_("A search as CSV: every match, not one page"), "/search/?q=cybercrime&format=csv"),
            Example(
                _("Everything: one CSV per record type and one for links, zipped"), "/data/downloads/cop_kb-csv.zip"
            ),
        ],
        "linked_data": [
            Example(_("The CRC as JSON-LD (schema.org)"), crc.removesuffix("/") + ".jsonld"),
            Example(_("The whole public graph as JSON-LD"), "/data/downloads/cop_kb.jsonld"),
        ],
        "feeds": [
            Example(_("What changed anywhere"), reverse("feeds:site")),
            Example(_("What changed among instruments"), reverse("feeds:type", args=["instruments"])),
            Example(
                _("What changed among records linked to Viet Nam"),
                reverse("feeds:record", args=["countries", EXAMPLE_COUNTRY]),
            ),
            Example(
                _("What changed among records linked to a strategic area"),
                reverse("feeds:record", args=["strategic-areas", EXAMPLE_AREA]),
            ),
        ],
    }


def _type_rows() -> list[dict]:
    """Each record type's public name and the addresses that use it, from the registry."""
    return [
        {
            "plural": entry.plural,
            "slug": entry.slug,
            "page": entry.list_url(),
            "api": f"/api/v1/{entry.slug}/",
            "feed": reverse("feeds:type", args=[entry.slug]),
            "record_feeds": has_record_feeds(entry),
        }
        for entry in record_types()
    ]


def _example_citation(request) -> str:
    """The CRC's citation as its page gives it, or "" when it is not public."""
    instruments = record_type_by_slug("instruments")
    record = instruments.model.objects.public().filter(slug=EXAMPLE_INSTRUMENT).first() if instruments else None
    return page_citation(record, request.build_absolute_uri(record.get_absolute_url())) if record else ""


@require_safe
def data_page(request):
    """The page for partners; the same for every visitor, so the page cache keeps it."""
    site = request.build_absolute_uri("/").removesuffix("/")
    context = {
        "site": site,
        "sections": {
            name: [{"what": example.what, "path": example.path, "command": example.command(site)} for example in calls]
            for name, calls in examples().items()
        },
        "type_rows": _type_rows(),
        "citation": _example_citation(request),
        "crc_url": reverse("instruments:detail", args=[EXAMPLE_INSTRUMENT]),
    }
    return render(request, "partners/data.html", context)
