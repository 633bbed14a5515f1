from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cop_kb.records.script_json import ScriptSafeJSONEncoder

from .selectors import PageNotFound, autocomplete, search, search_facet_values


@require_safe
def search_page(request):
    """Ranked results with highlights, facets and suggestions; the URL carries the whole search."""
    try:
        page = search(request.GET)
    except PageNotFound as exc:
        raise Http404("No such page of results.") from exc
    return render(request, "search/search.html", {"results": page})


@require_safe
def search_facet_page(request, param: str):
    """Every value of one search facet with its count, keeping the search and its other filters; a page at a
    time. An unknown facet or a bad page number is a 404."""
    try:
        values = search_facet_values(request.GET, param)
    except (LookupError, PageNotFound) as exc:
        raise Http404("No such filter or page.") from exc
    return render(request, "search/facet_values.html", {"values": values, "text": request.GET.get("q", "")[:200]})


@require_safe
def autocomplete_json(request):
    """Titles that start with what was typed, for the search box's suggestions (works without it too)."""
    return JsonResponse({"results": autocomplete(request.GET.get("q", ""))}, encoder=ScriptSafeJSONEncoder)
