from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import PageNotFound, autocomplete, search


@require_GET
def search_page(request):
    """Ranked results with highlights, facets and suggestions; the URL carries the whole search."""
    try:
        page = search(request.GET)
    except PageNotFound as exc:
        raise Http404("No such page of results.") from exc
    return render(request, "search/search.html", {"results": page})


@require_GET
def autocomplete_json(request):
    """Titles that start with what was typed, for the search box's suggestions (works without it too)."""
    response = JsonResponse({"results": autocomplete(request.GET.get("q", ""))})
    response["Cache-Control"] = "public, max-age=60"
    return response
