"""A page's ``<meta name="description">``: what search engines and link previews show under its title."""

from django import template
from django.conf import settings
from django.utils.translation import gettext as _

register = template.Library()

# Search engines show about this many characters; a longer description is cut off wherever they choose.
DESCRIPTION_LENGTH = 160


@register.filter
def meta_description(text) -> str:
    """``text`` on one line, at most ``DESCRIPTION_LENGTH`` characters, cut after a whole word and ended with "…".

    Returned unmarked, so the template escapes it like any value (a summary is the editors' plain text)."""
    words = " ".join(str(text).split())
    if len(words) <= DESCRIPTION_LENGTH:
        return words
    kept = words[: DESCRIPTION_LENGTH - 1]
    if words[DESCRIPTION_LENGTH - 1] != " " and " " in kept:
        kept = kept.rsplit(" ", 1)[0]
    return kept.rstrip(" ,;:.—–-") + "…"


@register.filter
def record_description(record) -> str:
    """A record's description: its summary, or for a record without one, its type and title."""
    if record.summary.strip():
        return meta_description(record.summary)
    kind = str(record._meta.verbose_name).capitalize()
    return meta_description(
        _("%(kind)s in the %(site)s: %(title)s.") % {"kind": kind, "site": settings.SITE_NAME, "title": record.title}
    )
