"""The compact relationship graph a detail page shows beside its lists of links: ``{% record_graph %}``."""

from django import template
from django.utils.translation import gettext as _

from .drawing import COMPACT_LABEL_CHARS, draw
from .neighbourhood import compact_neighbourhood
from .views import explore_url

register = template.Library()


@register.inclusion_tag("graph/compact.html", takes_context=True)
def record_graph(context) -> dict:
    """Draw the record on the page and the records its link groups hold (already loaded: no query). A staff
    preview of an unpublished record has no explore page, so it gets no link there."""
    record = context["object"]
    drawing = draw(compact_neighbourhood(record, context["link_groups"]), label_chars=COMPACT_LABEL_CHARS)
    return {
        "object": record,
        "drawing": drawing,
        "title": _("Links of %(title)s") % {"title": record.title},
        "explore_url": "" if context.get("preview") else explore_url(record),
    }
