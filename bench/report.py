"""The benchmark's report: its tables, targets and notes, from what ``bench/run.py`` measured (see bench/README.md).

Targets come from the issues that set them and are marked in the tables (✅ met, ❌ missed, unmarked where no
target applies at that size).
"""

import math
import statistics
from dataclasses import dataclass, field

WORKERS = 2

# Search (set when search was built): at 100k records.
TARGET_REINDEX_S = 60
TARGET_RATIO = 20  # naive p95 / search p95
TARGET_SEARCH_P95_MS = 40
TARGET_SEARCH_SHARE = 0.35  # repeated search page req/s as a share of hello-world
# Pages (speed and scale-out): repeated pages and revalidations against hello-world, fresh pages in-process.
TARGET_PAGE_SHARE = 0.60
TARGET_304_SHARE = 0.80
TARGET_QUERIES = 10
TARGET_FRESH_P95_MS = {  # size class -> page -> p95 ms
    "framework": {"home": 10, "list": 10, "detail": 10},
    "100k": {"home": 50, "list": 150, "detail": 50, "search": 60},
}
# The pages the throughput and fresh-page figures name, and where bench/pages.py's names for them come from.
PAGES = {"home": "home", "list": "list programmes.programme", "detail": "detail programmes.programme"}


@dataclass
class Result:
    database: str
    size: int
    steps: dict[str, float] = field(default_factory=dict)
    measure: dict = field(default_factory=dict)
    pages: dict = field(default_factory=dict)
    http: dict[str, dict] = field(default_factory=dict)
    cluster: dict = field(default_factory=dict)
    load: dict[str, float] = field(default_factory=dict)
    commit: str = ""
    error: str = ""
    downloads: dict = field(default_factory=dict)
    downloads_only: bool = False  # only the whole-data downloads were timed at this size


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def latencies(measure: dict, key: str) -> list[float]:
    return [sample for samples in measure.get(key, {}).values() for sample in samples]


def mark(ok: bool | None) -> str:
    return "" if ok is None else (" ✅" if ok else " ❌")


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def size_name(size: int) -> str:
    return "framework" if size == 0 else f"{size:,}"


def search_table(results: list[Result]) -> str:
    lines = [
        "| database | records | generate s | reindex s | search p50 / p95 ms | naive p50 / p95 ms | naive/search p95 |"
        " search req/s (% hello) | search fresh req/s (% hello) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        if result.error:
            failure = result.error.splitlines()[0][:80]
            lines.append(f"| {result.database} | {size_name(result.size)} | failed: {failure} |")
            continue
        big = result.size >= 100_000
        search = latencies(result.measure, "search")
        naive = latencies(result.measure, "naive")
        s50, s95 = percentile(search, 0.5), percentile(search, 0.95)
        n50, n95 = percentile(naive, 0.5), percentile(naive, 0.95)
        ratio = n95 / s95 if s95 else None
        reindex = result.measure["reindex_s"]
        hello = result.http["hello"]["rps"]
        share = result.http["search"]["rps"] / hello
        fresh = result.http["search fresh"]["rps"]
        lines.append(
            f"| {result.database} | {size_name(result.size)} | {fmt(result.steps.get('generate'))} |"
            f" {fmt(reindex)}{mark(reindex <= TARGET_REINDEX_S if big else None)} |"
            f" {fmt(s50)} / {fmt(s95)}{mark(s95 <= TARGET_SEARCH_P95_MS if big else None)} |"
            f" {fmt(n50, 0)} / {fmt(n95, 0)} | {fmt(ratio)}×{mark(ratio >= TARGET_RATIO if big else None)} |"
            f" {fmt(result.http['search']['rps'], 0)} ({share:.1%}){mark(share >= TARGET_SEARCH_SHARE)} |"
            f" {fmt(fresh, 0)} ({fresh / hello:.1%}) |"
        )
    return "\n".join(lines)


def fresh_p95(result: Result, page: str) -> float | None:
    samples = result.pages.get(page, {}).get("samples")
    return percentile(samples, 0.95) if samples else None


def fresh_target(result: Result, name: str) -> float | None:
    size_class = "framework" if result.size == 0 else "100k" if result.size >= 100_000 else ""
    return TARGET_FRESH_P95_MS.get(size_class, {}).get(name)


def pages_table(results: list[Result]) -> str:
    """Repeated pages and revalidations as shares of hello-world, fresh pages' p95 and the most SQL queries any
    public page ran."""
    names = [*PAGES, "search"]
    lines = [
        "| database | records | hello req/s | "
        + " | ".join(f"{name} repeated (÷ hello)" for name in names)
        + " | 304 (÷ hello) | "
        + " | ".join(f"{name} fresh p95 ms" for name in names)
        + " | most SQL queries on a page |",
        "|---|---:|---:|" + "---:|" * (2 * len(names) + 2),
    ]
    for result in results:
        if result.error:
            continue
        hello = result.http["hello"]["rps"]
        cells = [fmt(hello, 0)]
        for name in names:
            share = result.http[name]["rps"] / hello
            cells.append(f"{fmt(result.http[name]['rps'], 0)} ({share:.2f}){mark(share >= TARGET_PAGE_SHARE)}")
        revalidated = result.http.get("304")
        if revalidated:
            share = revalidated["rps"] / hello
            cells.append(f"{fmt(revalidated['rps'], 0)} ({share:.2f}){mark(share >= TARGET_304_SHARE)}")
        else:
            cells.append("no ETag ❌")
        for name in names:
            p95 = fresh_p95(result, PAGES.get(name, name))
            target = fresh_target(result, name)
            cells.append(fmt(p95) + mark(None if target is None or p95 is None else p95 <= target))
        most = max(result.pages.values(), key=lambda page: page["queries"], default=None)
        cells.append(f"{most['queries']} ({most['path']}){mark(most['queries'] <= TARGET_QUERIES)}" if most else "–")
        lines.append(f"| {result.database} | {size_name(result.size)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


API = ["api list", "api list fresh", "api detail", "api detail fresh"]


def api_table(results: list[Result]) -> str:
    """The API's list and detail under wrk, repeated and fresh, as shares of hello-world."""
    ok = [result for result in results if not result.error and "api list" in result.http]
    if not ok:
        return "Not measured."
    lines = ["| database | records | hello req/s | " + " | ".join(f"{name} (÷ hello)" for name in API) + " |"]
    lines.append("|---|---:|---:|" + "---:|" * len(API))
    for result in ok:
        hello = result.http["hello"]["rps"]
        cells = [fmt(hello, 0)]
        for name in API:
            measured = result.http.get(name)
            cells.append(f"{fmt(measured['rps'], 0)} ({measured['rps'] / hello:.2f})" if measured else "–")
        lines.append(f"| {result.database} | {size_name(result.size)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def downloads_table(results: list[Result]) -> str:
    """How long ``manage.py build_downloads`` took to write each whole-data file, and how big it is."""
    ok = [result for result in results if not result.error and result.downloads]
    if not ok:
        return "Not measured."
    lines = ["| database | records | CSV zip s (MB) | JSON-LD s (MB) | command s (with Django's start) |"]
    lines.append("|---|---:|---:|---:|---:|")
    for result in ok:
        cells = []
        for name in ("csv-zip", "jsonld"):
            built = result.downloads.get(name)
            cells.append(f"{built['seconds']:.1f} ({built['bytes'] / 1e6:.1f})" if built else "–")
        cells.append(fmt(result.downloads.get("command_s")))
        lines.append(f"| {result.database} | {size_name(result.size)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cluster_table(results: list[Result]) -> str:
    """Two app servers behind nginx with an edit every second and Redis stopped halfway (bench/cluster.py)."""
    ran = [result for result in results if result.cluster]
    if not ran:
        return "Not run (`--cluster-seconds 0`, or every framework-size step failed)."
    lines = [
        "| database | req/s | non-2xx | socket errors | edits | stale pages after an edit | failed page checks |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for result in ran:
        run = result.cluster
        errors = run["non_2xx"] + len(run["failed"])
        lines.append(
            f"| {result.database} | {fmt(run['rps'], 0)} | {run['non_2xx']}{mark(errors == 0)} |"
            f" {run['socket_errors'] or 'none'} | {run['edits']} | {len(run['stale'])}{mark(not run['stale'])} |"
            f" {len(run['failed'])} |"
        )
    return "\n".join(lines)


def fresh_pages_table(results: list[Result]) -> str:
    """Every public page type, fresh: SQL queries and p95 at each database and size."""
    ok = [result for result in results if not result.error and result.pages]
    if not ok:
        return ""
    names = list(dict.fromkeys(name for result in ok for name in result.pages))
    lines = [
        "| page | " + " | ".join(f"{r.database} {size_name(r.size)} queries / p95 ms" for r in ok) + " |",
        "|---|" + "---:|" * len(ok),
    ]
    for name in names:
        cells = []
        for result in ok:
            page = result.pages.get(name)
            cells.append(f"{page['queries']} / {fmt(fresh_p95(result, name))}" if page else "–")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def category_table(results: list[Result]) -> str:
    """p50 of the selector by query category: where the time goes."""
    ok = [result for result in results if not result.error]
    if not ok:
        return ""
    categories = list(dict.fromkeys(category for category, _text in ok[0].measure["queries"]))
    lines = [
        "| database | records | " + " | ".join(categories) + " |",
        "|---|---:|" + "---:|" * len(categories),
    ]
    for result in ok:
        cells = []
        for category in categories:
            samples = [
                sample
                for cat, text in result.measure["queries"]
                if cat == category
                for sample in result.measure["search"][text]
            ]
            cells.append(f"{statistics.median(samples):.1f}")
        lines.append(f"| {result.database} | {size_name(result.size)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def query_table(results: list[Result]) -> str:
    """Per query at the largest size of each database: hits and p50 for the selector and the naive baseline."""
    ok = [result for result in results if not result.error]
    largest = {}
    for result in ok:
        if result.size >= largest.get(result.database, Result(result.database, 0)).size:
            largest[result.database] = result
    if not largest:
        return ""
    columns = list(largest.values())
    header = "| category | query | " + " | ".join(
        f"{r.database} {r.size // 1000}k hits | search p50 ms | naive hits | naive p50 ms" for r in columns
    )
    lines = [header + " |", "|---|---|" + "---:|" * (4 * len(columns))]
    for category, text in columns[0].measure["queries"]:
        cells = []
        for r in columns:
            m = r.measure
            cells += [
                f"{m['search_totals'].get(text, 0):,}",
                f"{statistics.median(m['search'][text]):.1f}",
                f"{m['naive_totals'].get(text, 0):,}",
                f"{statistics.median(m['naive'][text]):.0f}" if m["naive"][text] else "–",
            ]
        lines.append(f"| {category} | `{text}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def details(results: list[Result]) -> str:
    lines = []
    for result in results:
        if result.error:
            lines.append(f"* {result.database} {size_name(result.size)}: **failed**: {result.error[:500]}")
            continue
        m = result.measure
        http = ", ".join(
            f"{name} {data['rps']:,.0f} req/s (avg latency {fmt(data['latency_ms'])} ms"
            + (f", {data['non_2xx']} non-2xx" if data["non_2xx"] else "")
            + (f", {data['socket_errors']}" if data["socket_errors"] else "")
            + ")"
            for name, data in result.http.items()
        )
        extra = f", VACUUM ANALYZE {m['vacuum_analyze_s']:.1f} s" if "vacuum_analyze_s" in m else ""
        load = ", ".join(f"{phase} {value:.2f}" for phase, value in result.load.items())
        lines.append(
            f"* {result.database} {size_name(result.size)} (code {result.commit}):"
            f" migrate {result.steps['migrate']:.1f} s, load_framework"
            f" {result.steps['load_framework']:.1f} s, generate {fmt(result.steps.get('generate'))} s, reindex"
            f" {m['reindex_s']:.1f} s ({m['documents']:,} documents){extra}; search {m['search_rounds']} timed"
            f" rounds × {len(m['queries'])} queries, naive {m['naive_rounds']} rounds; {http}; 1-min load average"
            f" at the start of each phase: {load}"
        )
    return "\n".join(lines)


def report(results: list[Result], meta: dict) -> str:
    everything = results
    results = [result for result in results if not result.downloads_only]
    return "\n".join(
        [
            "# Benchmark results",
            "",
            f"Run {meta['when']} on {meta['machine']}; {meta['versions']}; commit {meta['commit']}."
            f" Command: `{meta['command']}`.",
            "",
            "## Pages: repeated, revalidated and fresh",
            "",
            f"Targets: a repeated page ≥ {TARGET_PAGE_SHARE:.2f} of hello-world req/s, a revalidation answered 304 ≥"
            f" {TARGET_304_SHARE:.2f}; fresh p95 (in-process, every cache emptied before each request) with the"
            " framework's content ≤ 10 ms for home, list and detail, at 100,000 records list ≤ 150 ms, detail ≤ 50 ms,"
            f" home ≤ 50 ms, search ≤ 60 ms; at most {TARGET_QUERIES} SQL queries on any public page at any size.",
            "",
            pages_table(results),
            "",
            "Home `/`; list `/programmes/`; detail: the newest public programme (a synthetic one at 10k and 100k);"
            f" search `/search/?q={meta['search_query']}`. Repeated: the same address every time under"
            f" `wrk -t2 -c16` for {meta['duration']} s after a 2 s warm-up; 304: the detail page with"
            " `If-None-Match` set to the ETag it answered; hello: a one-view Django app (`bench/hello.py`) served the"
            f" same way. gunicorn {WORKERS} sync workers, settings `bench.settings` (prod, DEBUG off, no SSL"
            f" redirect); the page cache in {meta['page_cache']}.",
            "",
            "### API: list and detail, repeated and fresh",
            "",
            api_table(results),
            "",
            "`/api/v1/programmes/` (20 records a page, each with its links) and the detail page's programme at"
            " `/api/v1/programmes/<slug>/` (its links bounded per relation), under wrk as the pages above; fresh: every"
            " request with a `_` cache-buster of its own, so the page cache never answers. `bench.settings` lifts the"
            " anonymous throttle (one client address).",
            "",
            "### Whole-data downloads (`manage.py build_downloads`)",
            "",
            downloads_table(everything),
            "",
            "Each file's build as the command times it (a read-only snapshot, written to a temporary file and renamed)."
            " A request never builds one (README, Exports).",
            "",
            "### Two app servers, one database, one Redis (`bench/cluster.py`)",
            "",
            "Targets: 0 errors and 0 stale pages after an edit's response, with Redis stopped halfway through.",
            "",
            cluster_table(results),
            "",
            f"wrk `-t2 -c32` for {meta['cluster_seconds']} s through nginx (round robin over two gunicorn servers of"
            f" {WORKERS} sync workers each) over a mix of the detail, home, list, instrument list, tag list and search"
            " pages, while `bench/editor.py` retitles the detail page's programme every second (a committed"
            " `UPDATE`) and then asks each server for that page; Redis (`REDIS_URL`) is stopped after half the time.",
            "",
            "### Every public page, fresh (`bench/pages.py`)",
            "",
            fresh_pages_table(results),
            "",
            "## Search",
            "",
            f"Targets: at 100k, reindex ≤ {TARGET_REINDEX_S} s, search p95 ≤ {TARGET_SEARCH_P95_MS} ms and naive/search"
            f" p95 ≥ {TARGET_RATIO}×; the repeated search page ≥ {TARGET_SEARCH_SHARE:.0%} of hello-world req/s.",
            "",
            search_table(results),
            "",
            "Search fresh: the same search with an address of its own for every request (`bench/requests.lua`), so each"
            " runs the whole search. Latency: the `cop_kb.search.selectors.search` selector in-process, never cached"
            " (count, ranked page with highlights, facets, suggestions), one warm-up round, p50/p95 over every timed"
            " sample; naive: bench/naive.py.",
            "",
            "### Selector p50 by query category (ms)",
            "",
            category_table(results),
            "",
            "### Per query, largest size",
            "",
            query_table(results),
            "",
            "## Steps",
            "",
            details(results),
            "",
        ]
    )
