"""Site-wide pages: tags across every record type, the about page and the favicon, and the page for unhandled
errors."""

import sys
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db import InterfaceError, OperationalError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from taggit.models import Tag

from cop_kb.records.batch import prepared_rows
from cop_kb.records.facet_counts import kept_across, linked_count
from cop_kb.records.facets import TAG_FACET
from cop_kb.records.registry import record_models

# What the home page (programmes/home.py) and a tag's page show of each part; each links to its whole list for more.
HOME_LIMIT = 12
# The tag index lists this many tags a page.
TAGS_PER_PAGE = 200


@require_safe
def tag_list(request):
    """Every tag used by a published record, with how many published records carry it (one query, from the counts
    the lists' tag facets keep), A–Z, ``TAGS_PER_PAGE`` a page; a bad page number is a 404."""
    models = record_models()

    def counted_tags() -> list[QuerySet]:
        totals = kept_across(models, TAG_FACET).filter(target=OuterRef("pk")).values("total")
        return [
            Tag.objects.annotate(count=Subquery(totals))
            .filter(count__isnull=False)
            .values_list("slug", "name", "count")
            .order_by()
        ]

    # Built only when the process first reads it (``prepared_rows``); later requests just run it.
    rows = prepared_rows(("tag counts", *models), counted_tags)
    tags = sorted(
        ({"slug": slug, "name": name, "count": count} for slug, name, count in rows[0]),
        key=lambda tag: (tag["name"].lower(), tag["slug"]),
    )
    try:
        page = Paginator(tags, TAGS_PER_PAGE).page(request.GET.get("page", "1"))
    except InvalidPage as exc:
        raise Http404("No such page of tags.") from exc
    return render(request, "tags/tag_list.html", {"tags": page.object_list, "page_obj": page})


def _tagged(model, tag_pk: int) -> QuerySet:
    """The first public records of ``model`` with the tag, by title, each with how many there are in all."""
    tagged = model.objects.public().filter(tags=tag_pk)
    count = linked_count(tagged, model, TAG_FACET.path, tag_pk)
    return (
        tagged.annotate(tagged=count)
        .order_by("title", "pk")
        .values_list("slug", "title", "summary", "tagged")[:HOME_LIMIT]
    )


@require_safe
def tag_detail(request, slug: str):
    """Published records of every type that carry one tag; a tag only drafts carry does not exist publicly.

    Each type shows its first ``HOME_LIMIT`` records by title, how many carry the tag (from the counts the lists'
    tag facets keep, so a tag on 30,000 records is not counted again) and links to its list narrowed by the tag,
    which has them all: two queries however many records carry it.
    """
    if "\x00" in slug:  # no slug holds NUL, and PostgreSQL refuses it in a query
        raise Http404
    tag = get_object_or_404(Tag, slug=slug)
    models = record_models()
    per_type = prepared_rows(
        ("tagged records", *models),
        lambda tag_pk: [_tagged(model, tag_pk) for model in models],
        tag.pk,
    )
    groups = [
        {
            "opts": model._meta,
            "records": [
                model.shown(slug=slug, title=title, summary=summary, status="published")
                for slug, title, summary, _n in rows
            ],
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
