"""Site-wide pages: the framework at a glance and tags across every record type."""

import sys

from django.apps import apps
from django.db import InterfaceError, OperationalError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.views.decorators.http import require_safe
from taggit.models import Tag

from cop_kb.records.registry import record_models


def _public(app_label: str, model_name: str):
    return apps.get_model(app_label, model_name).objects.public()


@require_safe
def home(request):
    """The framework's parts: instruments, strategy, country- and global-level work, and how many of each exist."""
    focus_areas = _public("strategy", "FocusArea").prefetch_related(
        Prefetch("programme_set", queryset=_public("programmes", "Programme")),
        Prefetch("partnerships", queryset=_public("programmes", "Partnership")),
        Prefetch("sectors", queryset=_public("strategy", "Sector")),
    )
    focus_areas = list(focus_areas)
    context = {
        "instruments": _public("instruments", "Instrument").select_related("issuing_body"),
        "strategic_areas": _public("strategy", "StrategicArea"),
        "principles": _public("strategy", "Principle"),
        "rights": _public("strategy", "Right"),
        "stakeholders": _public("strategy", "StakeholderGroup"),
        "country_focus_areas": [area for area in focus_areas if area.level == "country"],
        "global_focus_areas": [area for area in focus_areas if area.level != "country"],
        # Programmes under no public focus area, so none disappears with its focus area.
        "other_programmes": _public("programmes", "Programme").exclude(focus_area__in=_public("strategy", "FocusArea")),
        "sections": [
            {"opts": model._meta, "count": model.objects.public().count(), "url": model.get_list_url()}
            for model in record_models()
        ],
    }
    return render(request, "home.html", context)


@require_safe
def tag_list(request):
    """Every tag used by a published record, with how many published records carry it."""
    counts: dict[str, dict] = {}
    for model in record_models():
        for slug, name, count in (
            model.objects.public()
            .filter(tags__isnull=False)
            .values_list("tags__slug", "tags__name")
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        ):
            entry = counts.setdefault(slug, {"slug": slug, "name": name, "count": 0})
            entry["count"] += count
    tags = sorted(counts.values(), key=lambda tag: tag["name"].lower())
    return render(request, "tags/tag_list.html", {"tags": tags})


@require_safe
def tag_detail(request, slug: str):
    """Published records of every type that carry one tag; a tag only drafts carry does not exist publicly."""
    if "\x00" in slug:  # no slug holds NUL, and PostgreSQL refuses it in a query
        raise Http404
    tag = get_object_or_404(Tag, slug=slug)
    groups = []
    for model in record_models():
        records = list(model.objects.public().filter(tags=tag).order_by("title"))
        if records:
            groups.append({"opts": model._meta, "records": records})
    if not groups:
        raise Http404("No published record carries this tag.")
    return render(request, "tags/tag_detail.html", {"tag": tag, "groups": groups})


def server_error(request):
    """The page for any unhandled error. When the database is unreachable, a 503 saying to retry shortly.

    It renders without a request context, so it needs neither the database nor anything that failed.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.render_to_string("500.html"), status=500)
