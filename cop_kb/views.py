"""Site-wide pages: the framework at a glance, tags across every record type, and the about page."""

import sys
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db import InterfaceError, OperationalError
from django.db.models import Count, Prefetch, Value, Window
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from taggit.models import Tag

from cop_kb.records.batch import rows_of_each
from cop_kb.records.registry import record_models

# What the home page shows of each part of the framework; each part links to its whole list (or record) for more.
HOME_LIMIT = 12
# The tag index lists this many tags a page.
TAGS_PER_PAGE = 200


def _public(app_label: str, model_name: str):
    return apps.get_model(app_label, model_name).objects.public()


def _record_counts() -> dict[type, int]:
    """How many public records of each type there are, in one query."""
    models = record_models()
    counts = rows_of_each(
        [
            model.objects.public().order_by().values(one=Value(1)).annotate(n=Count("pk")).values_list("n")
            for model in models
        ]
    )
    return {model: rows[0][0] if rows else 0 for model, rows in zip(models, counts, strict=True)}


def _headlines(querysets: dict[str, object]) -> dict[str, list]:
    """The first records of several lists that show only titles (and summaries), in one query: each list's
    first ``HOME_LIMIT + 1`` records, so a page can tell that there are more."""
    rows = rows_of_each(
        [queryset.values_list("slug", "title", "summary")[: HOME_LIMIT + 1] for queryset in querysets.values()]
    )
    return {
        name: [queryset.model(slug=slug, title=title, summary=summary) for slug, title, summary in part]
        for (name, queryset), part in zip(querysets.items(), rows, strict=True)
    }


def _focus_areas() -> list:
    """Public focus areas, each with its first sectors, programmes and partnerships (``HOME_LIMIT`` of each; ``more``
    says whether it has others, which its own page lists)."""
    first = slice(0, HOME_LIMIT + 1)
    areas = list(
        _public("strategy", "FocusArea").prefetch_related(
            Prefetch("programme_set", queryset=_public("programmes", "Programme")[first], to_attr="home_programmes"),
            Prefetch("partnerships", queryset=_public("programmes", "Partnership")[first], to_attr="home_partnerships"),
            Prefetch("sectors", queryset=_public("strategy", "Sector")[first], to_attr="home_sectors"),
        )
    )
    for area in areas:
        lists = (area.home_programmes, area.home_partnerships, area.home_sectors)
        area.more = any(len(records) > HOME_LIMIT for records in lists)
        for records in lists:
            del records[HOME_LIMIT:]
    return areas


@require_safe
def home(request):
    """The framework's parts: instruments, strategy, country- and global-level work, and how many of each exist.

    Each part shows at most ``HOME_LIMIT`` records and links to the rest, so the page and its queries stay the same
    size however many records there are.
    """
    focus_areas = _focus_areas()
    counts = _record_counts()
    lists = {
        "strategic_areas": _public("strategy", "StrategicArea"),
        "principles": _public("strategy", "Principle"),
        "rights": _public("strategy", "Right"),
        "stakeholders": _public("strategy", "StakeholderGroup"),
        # Programmes under no public focus area, so none disappears with its focus area.
        "other_programmes": _public("programmes", "Programme").exclude(focus_area__in=_public("strategy", "FocusArea")),
    }
    headlines = _headlines(lists)
    other_programmes = headlines.pop("other_programmes")
    instrument = apps.get_model("instruments", "Instrument")
    context = {
        "instruments": list(instrument.objects.public().select_related("issuing_body")[:HOME_LIMIT]),
        "more_instruments": instrument.get_list_url() if counts[instrument] > HOME_LIMIT else "",
        **{name: records[:HOME_LIMIT] for name, records in headlines.items()},
        # Where to see all of a part that shows only its first records.
        "more": {
            name: lists[name].model.get_list_url() for name, records in headlines.items() if len(records) > HOME_LIMIT
        },
        "country_focus_areas": [area for area in focus_areas if area.level == "country"],
        "global_focus_areas": [area for area in focus_areas if area.level != "country"],
        "other_programmes": other_programmes[:HOME_LIMIT],
        "more_other_programmes": lists["other_programmes"].model.get_list_url()
        if len(other_programmes) > HOME_LIMIT
        else "",
        "sections": [
            {"opts": model._meta, "count": counts[model], "url": model.get_list_url()} for model in record_models()
        ],
    }
    return render(request, "home.html", context)


@require_safe
def tag_list(request):
    """Every tag used by a published record, with how many published records carry it (one query), A–Z,
    ``TAGS_PER_PAGE`` a page; a bad page number is a 404."""
    counts: dict[str, dict] = {}
    per_type = rows_of_each(
        [
            model.objects.public()
            .filter(tags__isnull=False)
            .values_list("tags__slug", "tags__name")
            .annotate(n=Count("pk", distinct=True))
            .order_by()
            for model in record_models()
        ]
    )
    for slug, name, count in (row for rows in per_type for row in rows):
        entry = counts.setdefault(slug, {"slug": slug, "name": name, "count": 0})
        entry["count"] += count
    tags = sorted(counts.values(), key=lambda tag: (tag["name"].lower(), tag["slug"]))
    try:
        page = Paginator(tags, TAGS_PER_PAGE).page(request.GET.get("page", "1"))
    except InvalidPage as exc:
        raise Http404("No such page of tags.") from exc
    return render(request, "tags/tag_list.html", {"tags": page.object_list, "page_obj": page})


@require_safe
def tag_detail(request, slug: str):
    """Published records of every type that carry one tag; a tag only drafts carry does not exist publicly.

    Each type shows its first ``HOME_LIMIT`` records by title and links to its list narrowed by the tag, which has
    them all: two queries however many records carry it.
    """
    if "\x00" in slug:  # no slug holds NUL, and PostgreSQL refuses it in a query
        raise Http404
    tag = get_object_or_404(Tag, slug=slug)
    models = record_models()
    per_type = rows_of_each(
        [
            model.objects.public()
            .filter(tags=tag)
            .annotate(tagged=Window(Count("*")))
            .order_by("title", "pk")
            .values_list("slug", "title", "summary", "tagged")[:HOME_LIMIT]
            for model in models
        ]
    )
    groups = [
        {
            "opts": model._meta,
            "records": [model(slug=slug, title=title, summary=summary) for slug, title, summary, _n in rows],
            "count": rows[0][3],
            "all_url": f"{model.get_list_url()}?{urlencode({'tag': tag.slug})}" if rows[0][3] > len(rows) else "",
        }
        for model, rows in zip(models, per_type, strict=True)
        if rows
    ]
    if not groups:
        raise Http404("No published record carries this tag.")
    return render(request, "tags/tag_detail.html", {"tag": tag, "groups": groups})


@require_safe
def about(request):
    """What the knowledge base is, where its facts come from, how to cite it and how to report an error. The same for
    every visitor, so the page cache keeps it like any public page."""
    return render(request, "about.html")


# Browsers ask for /favicon.ico whatever a page links to. It leads to the SVG icon the pages name, whose address
# carries the file's hash (a new icon gets a new address), so the redirect is temporary and kept for a day.
@require_safe
@cache_control(max_age=86400)
def favicon(request):
    return redirect(static("img/favicon.svg"))


def server_error(request):
    """The page for any unhandled error. When the database is unreachable, a 503 saying to retry shortly.

    It renders without a request context, so it needs neither the database nor anything that failed.
    """
    error = sys.exc_info()[1]
    context = {"site_name": settings.SITE_NAME}
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html", context), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.render_to_string("500.html", context), status=500)
