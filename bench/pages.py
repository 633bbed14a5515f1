"""In-process cost of fresh (uncached) public pages on one prepared database: latency and SQL queries per page.

Run by ``bench/run.py`` (``python -m bench.pages OUT.json``) with ``DJANGO_SETTINGS_MODULE=bench.settings`` and the
database named in the environment. Every page type the public sees is asked as an anonymous visitor through
Django's test client (the whole middleware stack, templates, the database) with every cache emptied before each
request, so each sample is what a visitor gets when nobody asked that page since the content last changed. The
record types come from the registry, so a new record type is measured without touching this file.
"""

import argparse
import json
import os
import re
import time


def page_paths() -> list[tuple[str, str]]:
    """(name, path) of every public page type, with the most recently created public record of each type as the
    detail page (at the larger sizes a synthetic record, linked like the real ones), and the pictures: each type's
    explore page at both depths for that record and for its oldest one (a real record, which at the larger sizes
    thousands of synthetic records link to), the oldest one's detail page (its compact graph) and, for a type with
    briefs, the oldest one's brief, the map (and its picture) and the timeline, plain and narrowed to a strategic
    area."""
    from django.db.models import Count
    from taggit.models import Tag

    from cop_kb.graph.views import explore_url
    from cop_kb.records.briefs import brief_url
    from cop_kb.records.registry import record_types
    from cop_kb.timeline.selectors import area_type

    paths = [("home", "/"), ("tag list", "/tags/")]
    pictures = []
    for entry in record_types():
        paths.append((f"list {entry.label}", entry.list_url()))
        public = entry.model.objects.public()
        latest, oldest = public.order_by("-pk").first(), public.order_by("pk").first()
        if latest is None:
            continue
        paths.append((f"detail {entry.label}", latest.get_absolute_url()))
        pictures.append((f"detail {entry.label} oldest", oldest.get_absolute_url()))
        if brief_url(oldest):
            pictures.append((f"brief {entry.label} oldest", brief_url(oldest)))
        for which, record in (("latest", latest), ("oldest", oldest)):
            pictures += [
                (f"explore {entry.label} {which}", explore_url(record)),
                (f"explore2 {entry.label} {which}", f"{explore_url(record)}?depth=2"),
            ]
    areas = area_type()
    area = areas.model.objects.public().order_by("pk").first() if areas else None
    pictures += [("map", "/map/"), ("map picture", "/map/world.svg"), ("timeline", "/timeline/")]
    if area is not None:
        pictures.append(("timeline area", f"/timeline/?area={area.slug}"))
    tag = Tag.objects.annotate(uses=Count("taggit_taggeditem_items")).order_by("-uses").first()
    if tag is not None:
        paths.append(("tag detail", f"/tags/{tag.slug}/"))
    paths += [
        ("search", "/search/?q=online+grooming"),
        ("autocomplete", "/search/autocomplete/?q=onl"),
        ("coverage", "/coverage/"),
        ("sitemap", "/sitemap.xml"),
    ]
    return paths + pictures


# Untimed fresh requests for a page before its timed ones.
WARM_REQUESTS = 7


def measure(path: str, *, runs: int, budget: float) -> dict:
    """Milliseconds of ``runs`` fresh requests for ``path`` (fewer if ``budget`` seconds run out), after the SQL
    queries of one more fresh request, untimed (recording the statements costs time a server never spends), and
    ``WARM_REQUESTS`` more."""
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def empty_caches() -> None:
        for cache in caches.all():
            cache.clear()

    client = Client(HTTP_HOST="127.0.0.1")
    empty_caches()
    with CaptureQueriesContext(connection) as captured:
        status = client.get(path).status_code
    # Read now: the next request empties the connection's log of statements, which ``captured_queries`` reads.
    queries = len(captured.captured_queries)
    # As on a server that has been running a while: PostgreSQL prepares a statement on its second run and settles
    # on a generic plan after five more (see README, Databases); until then the page is planned afresh each time.
    for _number in range(WARM_REQUESTS):
        empty_caches()
        client.get(path)
    samples: list[float] = []
    started = time.perf_counter()
    for _number in range(runs):
        if samples and time.perf_counter() - started > budget:
            break
        empty_caches()
        begin = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - begin) * 1000)
    return {"path": path, "status": status, "queries": queries, "samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output")
    parser.add_argument("--runs", type=int, default=30, help="Fresh requests per page (after one untimed).")
    parser.add_argument("--budget", type=float, default=20.0, help="Seconds after which a page gets no new sample.")
    parser.add_argument("--only", default="", help="Measure only the pages whose name matches this regex.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from cop_kb.worker import settle

    # As a gunicorn worker does before its first request (cop_kb/gunicorn.conf.py).
    settle()
    pages = {}
    for name, path in page_paths():
        if not re.search(args.only, name):
            continue
        pages[name] = measure(path, runs=args.runs, budget=args.budget)
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(pages, handle)


if __name__ == "__main__":
    main()
