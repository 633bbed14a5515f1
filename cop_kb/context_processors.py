"""Values every template needs: the main navigation with its current item, and the search box's query."""

import functools

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    ("home", _("Framework")),
    ("instruments:list", _("Instruments")),
    ("instruments:concordance", _("Concordance")),
    ("strategy:area-list", _("Strategic areas")),
    ("strategy:focus-area-list", _("Focus areas")),
    ("programmes:list", _("Programmes")),
    ("programmes:partnership-list", _("Partnerships")),
    ("directory:country-list", _("Countries")),
    ("programmes:coverage", _("Coverage")),
    ("about", _("About")),
]


@functools.cache
def _navigation_urls(script_prefix: str) -> tuple[str, ...]:
    """``NAVIGATION``'s addresses, reversed once per script prefix (which reverse() reads) rather than on every page."""
    return tuple(reverse(name) for name, _label in NAVIGATION)


def site(request) -> dict:
    """The navigation marks the section the page belongs to (its URL prefix), so detail pages highlight it too."""
    items = []
    for (_name, label), url in zip(NAVIGATION, _navigation_urls(get_script_prefix()), strict=True):
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"url": url, "label": label, "current": current})
    return {"navigation": items, "search_query": request.GET.get("q", "")[:200], "site_name": settings.SITE_NAME}
