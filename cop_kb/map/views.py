"""The world map page, ``/map/``, and the same map as a picture, ``/map/world.svg`` (the home page shows it)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from .drawing import BORDER, NO_RECORD, base_layer, draw, map_title
from .selectors import country_counts
from .world import world


def _context() -> dict:
    return {
        "drawing": draw(country_counts()),
        "world": world(),
        "base_layer": base_layer(),
        "border": BORDER,
        "no_record": NO_RECORD,
        "map_title": map_title(),
    }


@require_safe
def world_map(request):
    """Every published country on a world map, shaded by its published records, with the same in a table."""
    return render(request, "map/world.html", _context())


@require_safe
def world_map_picture(request):
    """The map alone as an SVG image, shaded as on the map page but without its links (an image cannot lead
    anywhere): the home page shows it inside a link to the map, and the page cache keeps it like any page."""
    return render(request, "map/world.svg", _context(), content_type="image/svg+xml; charset=utf-8")
