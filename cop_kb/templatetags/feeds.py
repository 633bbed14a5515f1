"""Feed autodiscovery: ``<link rel="alternate">`` to the feed that follows the page (site, type or record)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from cop_kb.feeds.selectors import has_record_feeds
from cop_kb.records.registry import record_type_of

register = template.Library()


def _alternate(url: str, title: str) -> str:
    return format_html('<link rel="alternate" type="application/atom+xml" href="{}" title="{}">', url, title)


@register.simple_tag
def site_feed_link() -> str:
    return _alternate(reverse("feeds:site"), _("Latest changes (Atom)"))


@register.simple_tag
def type_feed_link(opts) -> str:
    """The feed of the record type whose model options are ``opts``."""
    record_type = record_type_of(opts.label_lower)
    title = _("Latest changes to %(plural)s (Atom)") % {"plural": record_type.plural.lower()}
    return _alternate(reverse("feeds:type", args=[record_type.slug]), title)


@register.simple_tag
def record_feed_link(record) -> str:
    """The feed of what is linked to ``record``, for the types whose records have one; otherwise nothing."""
    record_type = record_type_of(record._meta.label_lower)
    if record_type is None or not has_record_feeds(record_type):
        return ""
    title = _("Latest changes linked to %(title)s (Atom)") % {"title": record.title}
    return _alternate(reverse("feeds:record", args=[record_type.slug, record.slug]), title)
