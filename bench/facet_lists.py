"""In-process cost of fresh list pages with their facet counts, unfiltered and filtered, at a few sizes.

    DATABASE_URL=postgres://... python -m bench.facet_lists OUT.json --sizes 1000 10000

The database named by ``DATABASE_URL`` is migrated and given the framework once, then for each size the demo
records are replaced by ``size`` new ones (``generate_demo_data --replace``; with ``--keep`` the demo records already
there are measured first, as they are, to compare two versions of the code on the same data) and every record
type's list page is
asked fresh (every cache emptied before each request, as ``bench.pages`` does): unfiltered, and narrowed by the most
used value of its first facet. The record types and facets come from the registry. Sizes above 10,000 are refused:
the machine this runs on is shared.
"""

import argparse
import json
import os
import secrets
import statistics
import tempfile
import time

MAX_SIZE = 10_000


def list_paths() -> list[tuple[str, str]]:
    """(name, path) of every record type's list, unfiltered and narrowed by its first facet's most used value."""
    from django.http import QueryDict

    from cop_kb.records.registry import record_types
    from cop_kb.records.selectors import records_for_list

    paths = []
    for entry in record_types():
        url = entry.list_url()
        paths.append((f"list {entry.label}", url))
        facets = records_for_list(entry.model, QueryDict()).facets
        if facets and facets[0].options:
            top = max(facets[0].options, key=lambda option: option.count)
            paths.append((f"filtered {entry.label}", url + top.url))
    return paths


def facet_samples(path: str, *, runs: int) -> list[float]:
    """Milliseconds of the list's own reads alone, ``runs`` times: its facet counts (one query, run at once) and
    the filtered records (a lazy query, not run), without rendering, to tell the counting from the rest."""
    from django.http import QueryDict

    from cop_kb.records.registry import record_types
    from cop_kb.records.selectors import records_for_list

    list_path, _, query = path.partition("?")
    model = next(entry.model for entry in record_types() if entry.list_url() == list_path)
    samples = []
    for _run in range(runs):
        begin = time.perf_counter()
        records_for_list(model, QueryDict(query))
        samples.append((time.perf_counter() - begin) * 1000)
    return samples


def demo_records() -> int:
    """How many demo records the database holds (their slugs say so)."""
    from cop_kb.records.registry import record_models

    return sum(model.objects.filter(slug__startswith="demo-").count() for model in record_models())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000])
    parser.add_argument("--runs", type=int, default=10, help="Fresh requests per page (one untimed before).")
    parser.add_argument("--budget", type=float, default=10.0, help="Seconds after which a page gets no new sample.")
    parser.add_argument("--keep", action="store_true", help="First measure the demo records already there.")
    args = parser.parse_args()
    if max(args.sizes, default=0) > MAX_SIZE:
        parser.error(f"at most {MAX_SIZE:,} records on a shared machine")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("BENCH_STATIC_ROOT", tempfile.mkdtemp(prefix="cop_kb_facets_static_"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.pages import measure

    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_framework", verbosity=0)
    results = {}
    sizes = ([None] if args.keep else []) + args.sizes
    for size in sizes:
        if size is None:
            size = demo_records()
        else:
            started = time.perf_counter()
            call_command("generate_demo_data", "--records", str(size), "--replace", "--no-index", verbosity=0)
            print(f"{size:>6} demo records generated in {time.perf_counter() - started:.1f} s", flush=True)
        if connection.vendor == "postgresql":
            # Planner statistics as autovacuum leaves them soon after a bulk load, the same for every code version.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        warm = Client(HTTP_HOST="127.0.0.1")
        pages = {}
        for name, path in list_paths():
            warm.get(path)  # templates compiled and connections open, as in a running server
            pages[name] = measure(path, runs=args.runs, budget=args.budget)
            pages[name]["facets"] = facet_samples(path, runs=args.runs)
            median = statistics.median(pages[name]["samples"])
            facets = statistics.median(pages[name]["facets"])
            queries = pages[name]["queries"]
            print(f"{size:>6} {name:<40} {median:8.1f} ms page {facets:7.1f} ms facets {queries} queries", flush=True)
        results[size] = pages
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump({"load": os.getloadavg(), "results": results}, handle)


if __name__ == "__main__":
    main()
