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
import time


def page_paths() -> list[tuple[str, str]]:
    """(name, path) of every public page type, with the most recently created public record of each type as the
    detail page (at the larger sizes a synthetic record, linked like the real ones)."""
    from django.db.models import Count
    from taggit.models import Tag

    from cop_kb.records.registry import record_types

    paths = [("home", "/"), ("tag list", "/tags/")]
    for entry in record_types():
        paths.append((f"list {entry.label}", entry.list_url()))
        latest = entry.model.objects.public().order_by("-pk").first()
        if latest is not None:
            paths.append((f"detail {entry.label}", latest.get_absolute_url()))
    tag = Tag.objects.annotate(uses=Count("taggit_taggeditem_items")).order_by("-uses").first()
    if tag is not None:
        paths.append(("tag detail", f"/tags/{tag.slug}/"))
    paths += [
        ("search", "/search/?q=online+grooming"),
        ("autocomplete", "/search/autocomplete/?q=onl"),
        ("coverage", "/coverage/"),
        ("sitemap", "/sitemap.xml"),
    ]
    return paths


def measure(path: str, *, runs: int, budget: float) -> dict:
    """Milliseconds of ``runs`` fresh requests for ``path`` (fewer if ``budget`` seconds run out) and the SQL
    queries of the first one."""
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    samples: list[float] = []
    queries = 0
    status = 0
    started = time.perf_counter()
    for number in range(runs):
        if samples and time.perf_counter() - started > budget:
            break
        for cache in caches.all():
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            begin = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - begin) * 1000)
        if number == 0:
            queries, status = len(captured.captured_queries), response.status_code
    return {"path": path, "status": status, "queries": queries, "samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output")
    parser.add_argument("--runs", type=int, default=30, help="Fresh requests per page (one untimed before).")
    parser.add_argument("--budget", type=float, default=20.0, help="Seconds after which a page gets no new sample.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.test import Client

    warm = Client(HTTP_HOST="127.0.0.1")
    pages = {}
    for name, path in page_paths():
        warm.get(path)  # templates compiled and connections open, as in a running server
        pages[name] = measure(path, runs=args.runs, budget=args.budget)
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(pages, handle)


if __name__ == "__main__":
    main()
