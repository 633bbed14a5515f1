"""The world map page: ``/map/``."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from .drawing import BORDER, NO_RECORD, base_layer, draw, map_title
from .selectors import country_counts
from .world import world


@require_safe
def world_map(request):
    """Every published country on a world map, shaded by its published records, with the same in a table."""
    drawing = draw(country_counts())
    context = {
        "drawing": drawing,
        "world": world(),
        "base_layer": base_layer(),
        "border": BORDER,
        "no_record": NO_RECORD,
        "map_title": map_title(),
    }
    return render(request, "map/world.html", context)
