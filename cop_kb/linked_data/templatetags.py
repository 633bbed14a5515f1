"""The detail page's JSON-LD block and its link to the record's ``.jsonld`` address.

The block is a data block (``type="application/ld+json"``): browsers never run it, so the site's strict
Content-Security-Policy (``script-src 'self'``, no inline script) neither blocks it nor needs a nonce or hash for it.
Its text is written by ``script_json``, so no value can end the element or change how the page is read.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from cop_kb.records.script_json import script_json

from .graph import jsonld_address, record_document, site_iri

register = template.Library()


@register.simple_tag(takes_context=True)
def record_linked_data(context) -> str:
    """The record's JSON-LD block, on a public detail page only (never on a staff preview)."""
    record, request = context.get("object"), context.get("request")
    if record is None or request is None or context.get("preview") or not record.is_public:
        return ""
    document = record_document(record, context.get("link_groups", []), site_iri(request))
    return format_html(
        '<link rel="alternate" type="application/ld+json" href="{}">\n  <script type="application/ld+json">{}</script>',
        jsonld_address(record),
        mark_safe(script_json(document)),  # noqa: S308 - JSON with every character HTML could read escaped
    )
