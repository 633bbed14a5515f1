"""In-process measurements on one prepared database: full reindex time, then search latency for the app's search
selector and for the naive baseline over the same fixed queries.

Run by ``bench/run.py`` (``python -m bench.measure OUT.json``) with ``DJANGO_SETTINGS_MODULE=bench.settings`` and
the database named in the environment; writes every sample to OUT.json for run.py to summarise.
"""

import argparse
import json
import os
import time
from collections.abc import Callable

# (category, query): single words common to rare, two words, phrases, exclusion, OR, aliases, typos, words found
# through links (a real country or organisation that demo records link to, with a word of their own) and words
# seldom found together (few results: the near misses are looked for too). The demo vocabulary
# (programmes/demo_text.py) fixes roughly how often each appears.
QUERIES: list[tuple[str, str]] = [
    ("common", "online"),
    ("common", "child"),
    ("common", "protection"),
    ("common", "policy"),
    ("medium", "grooming"),
    ("medium", "moderation"),
    ("medium", "helpline"),
    ("medium", "cyberbullying"),
    ("medium", "livestreaming"),
    ("medium", "sextortion"),
    ("rare", "ombudsperson"),
    ("rare", "extraterritorial"),
    ("rare", "geofencing"),
    ("rare", "Türkiye"),
    ("two words", "online grooming"),
    ("two words", "parental consent"),
    ("two words", "helpline funding"),
    ("two words", "school policy"),
    ("two words", "sextortion livestreaming"),
    ("phrase", '"age verification"'),
    ("phrase", '"duty of care"'),
    ("phrase", '"child sexual abuse material"'),
    ("exclusion", "grooming -livestreaming"),
    ("exclusion", "helpline -hotline"),
    ("OR", "sextortion OR blackmail"),
    ("OR", "hotline OR helpline"),
    ("alias", "Lanzarote Convention"),
    ("alias", "UNCRC"),
    ("typo", "groomng"),
    ("typo", "sextorsion"),
    ("typo", "helpine"),
    ("linked", "Zambia helpline"),
    ("linked", "Innocenti grooming"),
    ("near misses", "geofencing ombudsperson extraterritorial"),
    ("near misses", "Lanzarote sextortion geofencing"),
]


def timed_rounds(
    run: Callable[[str], int], *, warmup_rounds: int, rounds: int, budget: float
) -> tuple[dict[str, list[float]], int, dict[str, int]]:
    """Run every query ``warmup_rounds`` times untimed, then up to ``rounds`` timed rounds (milliseconds).

    A round is every query once, in a fixed order. No new round starts once ``budget`` seconds have passed since
    the timed rounds began, so a slow engine gives fewer samples instead of an endless run; at least one round
    always completes. ``run`` returns the number of hits, which is returned per query too.
    """
    for _round in range(warmup_rounds):
        for _category, text in QUERIES:
            run(text)
    samples: dict[str, list[float]] = {text: [] for _category, text in QUERIES}
    totals: dict[str, int] = {}
    started = time.perf_counter()
    done = 0
    for _round in range(rounds):
        if done and time.perf_counter() - started > budget:
            break
        for _category, text in QUERIES:
            begin = time.perf_counter()
            totals[text] = run(text)
            samples[text].append((time.perf_counter() - begin) * 1000)
        done += 1
    return samples, done, totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output")
    parser.add_argument("--runs", type=int, default=5, help="Timed rounds of the search selector.")
    parser.add_argument("--naive-runs", type=int, default=3, help="Timed rounds of the naive baseline.")
    parser.add_argument("--budget", type=float, default=300.0, help="Seconds after which no new round starts.")
    parser.add_argument("--skip-reindex", action="store_true", help="Measure the index as it is.")
    parser.add_argument("--skip-naive", action="store_true", help="Leave out the naive baseline.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.db import connection
    from django.http import QueryDict

    from cop_kb.search.selectors import search
    from cop_kb.search.services import indexable_models, search_index_rebuild

    from .naive import naive_search

    def selector(text: str) -> int:
        params = QueryDict(mutable=True)
        params["q"] = text
        return search(params).total

    result: dict = {"vendor": connection.vendor, "queries": QUERIES}
    if not args.skip_reindex:
        begin = time.perf_counter()
        result["documents"] = search_index_rebuild()
        result["reindex_s"] = time.perf_counter() - begin
    if connection.vendor == "postgresql" and not args.skip_reindex:
        # Autovacuum would get there within minutes; doing it now keeps it out of the timings.
        begin = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        result["vacuum_analyze_s"] = time.perf_counter() - begin
    result["records"] = sum(model.objects.public().count() for model in indexable_models())

    result["search"], result["search_rounds"], result["search_totals"] = timed_rounds(
        selector, warmup_rounds=1, rounds=args.runs, budget=args.budget
    )
    if not args.skip_naive:
        # The naive scan gains nothing from warming each query: one query warms the page cache for all of them.
        naive_search(QUERIES[0][1])
        result["naive"], result["naive_rounds"], result["naive_totals"] = timed_rounds(
            lambda text: naive_search(text)[0], warmup_rounds=0, rounds=args.naive_runs, budget=args.budget
        )
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
