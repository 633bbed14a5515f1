"""Benchmark the site with synthetic demo data on SQLite and PostgreSQL, at several sizes.

For each database and size: a fresh database, ``migrate``, ``load_framework``, ``generate_demo_data``; then the full
reindex time, search latency (the app's selector against a naive ``icontains`` baseline, in-process) and
throughput under gunicorn (search, list and detail pages next to a hello-world Django app, with wrk). Prints a
Markdown table and writes it to bench/results.md. See bench/README.md.

Only 127.0.0.1 is ever contacted. Every wait and loop has a bound in count and time, and every server this script
starts is stopped (its whole process group) before it moves on, also on errors and Ctrl-C.
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PG_PORT = "5432"
PG_ROLE = PG_PASSWORD = "cop_kb"  # noqa: S105 - the local role of scripts/pg-setup.sh
PG_DB = "cop_kb_bench"
PG_URL = f"postgres://{PG_ROLE}:{PG_PASSWORD}@{HOST}:{PG_PORT}/{PG_DB}"
DEFAULT_SIZES = (10_000, 100_000)
QUICK_SIZES = (1_000,)
SEED = 1
SEARCH_QUERY = "online grooming"
WRK_THREADS, WRK_CONNECTIONS = 2, 16
WORKERS = 2

# Targets from the brief, checked in the table.
TARGET_REINDEX_S = 60  # at 100k
TARGET_RATIO = 20  # naive p95 / search p95
TARGET_SEARCH_P95_MS = 40  # at 100k
TARGET_SEARCH_SHARE = 0.35  # search req/s as a share of hello-world


class BenchError(Exception):
    pass


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def run(args: list[str], *, env: dict | None = None, timeout: float = 600, what: str = "") -> tuple[float, str]:
    """Run a command to completion (killed after ``timeout`` seconds); return seconds taken and its stdout."""
    started = time.perf_counter()
    try:
        done = subprocess.run(  # noqa: S603 - fixed argument lists, no shell
            args, cwd=ROOT, env=env, timeout=timeout, capture_output=True, text=True, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{what or args[0]} took longer than {timeout:.0f} s") from exc
    if done.returncode:
        raise BenchError(f"{what or ' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return time.perf_counter() - started, done.stdout


# ---- PostgreSQL -------------------------------------------------------------------------------------------------


def superuser_psql() -> list[str] | None:
    """A psql command line with superuser rights, found the way scripts/pg-setup.sh finds it."""
    candidates = [["psql", "-X", "-w", "-h", HOST, "-p", PG_PORT, "-U", "postgres"]]
    if os.geteuid() == 0 and shutil.which("runuser"):
        candidates.append(["runuser", "-u", "postgres", "--", "psql", "-X", "-w", "-p", PG_PORT])
    for command in candidates:
        try:
            run([*command, "-d", "postgres", "-Atqc", "SELECT 1"], timeout=20)
        except (BenchError, FileNotFoundError):
            continue
        return [*command, "-q", "-v", "ON_ERROR_STOP=1"]
    return None


def postgres_ready() -> tuple[list[str] | None, str]:
    """The superuser psql command, or None with the reason PostgreSQL cannot be used."""
    try:
        run(["pg_isready", "-q", "-h", HOST, "-p", PG_PORT], timeout=10)
    except (BenchError, FileNotFoundError):
        return None, f"PostgreSQL is not answering on {HOST}:{PG_PORT} (start it with scripts/pg-setup.sh)"
    psql = superuser_psql()
    if psql is None:
        return None, "no superuser access to PostgreSQL (tried psql -U postgres and runuser -u postgres)"
    role_query = f"SELECT 1 FROM pg_roles WHERE rolname = '{PG_ROLE}'"  # noqa: S608 - constants only
    _seconds, found = run([*psql, "-d", "postgres", "-Atc", role_query])
    if found.strip() != "1":
        log(f"role {PG_ROLE} missing: running scripts/pg-setup.sh")
        run(["bash", str(ROOT / "scripts" / "pg-setup.sh")], timeout=300, what="scripts/pg-setup.sh")
    return psql, ""


def postgres_recreate(psql: list[str]) -> None:
    run([*psql, "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"], what="drop database")
    run([*psql, "-d", "postgres", "-c", f"CREATE DATABASE {PG_DB} OWNER {PG_ROLE}"], what="create database")


def postgres_drop(psql: list[str]) -> None:
    run([*psql, "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"], what="drop database")


def postgres_version(psql: list[str]) -> str:
    return run([*psql, "-d", "postgres", "-Atc", "SHOW server_version"])[1].strip()


# ---- servers ----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 30) -> int:
    """GET a 127.0.0.1 URL; the status code (0 when nothing answers)."""
    if not url.startswith(f"http://{HOST}:"):
        raise BenchError(f"refusing to contact {url}: only {HOST} is benchmarked")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http://127.0.0.1 only
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


@contextmanager
def gunicorn(app: str, env: dict, ready_path: str, log_path: Path):
    """Serve ``app`` with gunicorn on a free 127.0.0.1 port; yield its base URL; always stop it."""
    port = free_port()
    command = [str(BIN / "gunicorn"), app, "--bind", f"{HOST}:{port}", "--workers", str(WORKERS)]
    command += ["--worker-class", "sync", "--log-level", "warning", "--timeout", "120"]
    with open(log_path, "ab") as server_log:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, start_new_session=True, stdout=server_log, stderr=server_log
        )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn {app} exited:\n{tail(log_path)}")
            if fetch(base + ready_path, timeout=10) == 200:
                break
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn {app} did not answer 200 on {ready_path} within 60 s:\n{tail(log_path)}")
            time.sleep(0.5)
        yield base
    finally:
        stop(process)


def tail(path: Path, size: int = 3000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-size:] if path.exists() else ""


def stop(process: subprocess.Popen) -> None:
    """TERM the server's process group (master and workers), then KILL whatever is left after 15 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def wait_for_quiet(limit: float, wait: float) -> float:
    """Wait (at most ``wait`` seconds) until the 1-minute load average is at most ``limit``; return it.

    Other work on a 2-core machine skews every figure, so each measured phase starts on a quiet machine when it
    can, and the load it started with is reported next to its figures either way.
    """
    deadline = time.monotonic() + wait
    load = os.getloadavg()[0]
    if load > limit:
        log(f"load average {load:.2f} > {limit}: waiting up to {wait:.0f} s for a quieter machine")
    while load > limit and time.monotonic() < deadline:
        time.sleep(5)
        load = os.getloadavg()[0]
    return load


# Gives every request its own address (a parameter the site ignores) so that none is answered from a cache.
FRESH_SCRIPT = ROOT / "bench" / "fresh.lua"


def wrk(url: str, seconds: int, *, fresh: bool = False) -> dict:
    """Requests per second (and failures) for one URL with ``wrk -t2 -c16``; ``fresh``: a new address each time."""
    if fetch(url) != 200:
        raise BenchError(f"{url} does not answer 200; not measuring it")
    script = ["-s", str(FRESH_SCRIPT)] if fresh else []
    _taken, output = run(
        ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s", *script, url],
        timeout=seconds + 60,
        what=f"wrk {url}",
    )
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    latency = re.search(r"Latency\s+([\d.]+)(us|ms|s)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    if not rate:
        raise BenchError(f"could not read wrk's output:\n{output}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "rps": float(rate.group(1)),
        "latency_ms": float(latency.group(1)) * scale[latency.group(2)] if latency else None,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
    }


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise BenchError("wrk is missing: install it (apt-get install -y --no-install-recommends wrk)")
    log("installing wrk")
    run(
        ["apt-get", "install", "-y", "--no-install-recommends", "wrk"],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        timeout=300,
        what="apt-get install wrk",
    )


# ---- one database at one size -----------------------------------------------------------------------------------


@dataclass
class Result:
    database: str
    size: int
    steps: dict[str, float] = field(default_factory=dict)
    measure: dict = field(default_factory=dict)
    http: dict[str, dict] = field(default_factory=dict)
    load: dict[str, float] = field(default_factory=dict)
    commit: str = ""
    error: str = ""


def bench_one(database: str, size: int, env: dict, args, psql: list[str] | None) -> Result:
    result = Result(database, size)
    python = sys.executable
    log(f"{database} {size:,}: fresh database")
    if database == "postgresql":
        postgres_recreate(psql)
    else:
        for path in (Path(env["BENCH_WORKDIR"]) / "sqlite").glob("db.sqlite3*"):
            path.unlink()
    manage = [python, "manage.py"]
    result.steps["migrate"], _out = run([*manage, "migrate", "--noinput", "-v0"], env=env, what="migrate")
    result.steps["load_framework"], _out = run([*manage, "load_framework"], env=env, what="load_framework")
    log(f"{database} {size:,}: generate_demo_data")
    result.steps["generate"], _out = run(
        [*manage, "generate_demo_data", "--records", str(size), "--seed", str(args.seed), "--no-index"],
        env=env,
        timeout=3600,
        what="generate_demo_data",
    )
    log(f"{database} {size:,}: reindex and search latency (in-process)")
    result.load["measure"] = wait_for_quiet(args.quiet_load, args.quiet_wait)
    # Others may be changing the code while a long run goes on: say which search code each step measured.
    result.commit = code_version()
    with tempfile.NamedTemporaryFile(suffix=".json") as output:
        naive_runs = args.naive_runs if size < 50_000 else max(1, min(args.naive_runs, 2))
        run(
            [python, "-m", "bench.measure", output.name, "--runs", str(args.runs), "--naive-runs", str(naive_runs)]
            + ["--budget", str(args.budget)],
            env=env,
            timeout=7200,
            what="bench.measure",
        )
        result.measure = json.loads(Path(output.name).read_text(encoding="utf-8"))
    log(f"{database} {size:,}: throughput under gunicorn")
    result.load["wrk"] = wait_for_quiet(args.quiet_load, args.quiet_wait)
    server_log = Path(env["BENCH_WORKDIR"]) / f"gunicorn-{database}-{size}.log"
    hello_env = {key: value for key, value in env.items() if key != "DJANGO_SETTINGS_MODULE"}
    with gunicorn("bench.hello:application", hello_env, "/", server_log) as base:
        wrk(base + "/", 2)  # warm-up
        result.http["hello"] = wrk(base + "/", args.duration)
    search_path = f"/search/?q={urllib.parse.quote_plus(args.search_query)}"
    # (name, path, fresh): "search" asks the same search again and again, as visitors following a shared link
    # do (answered from the search cache after the first time); "search fresh" gives each request its own
    # address, so every one runs the whole search.
    pages = [
        ("search", search_path, False),
        ("search fresh", search_path, True),
        ("list", "/programmes/", False),
        ("detail", "/programmes/demo-programme-000001/", False),
    ]
    with gunicorn("cop_kb.wsgi:application", env, "/programmes/", server_log) as base:
        for name, path, fresh in pages:
            wrk(base + path, 2, fresh=fresh)  # warm-up: both workers connected, caches filled
            result.http[name] = wrk(base + path, args.duration, fresh=fresh)
            result.http[name]["path"] = path
    result.load["end"] = os.getloadavg()[0]
    return result


# ---- reporting --------------------------------------------------------------------------------------------------


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


def table(results: list[Result]) -> str:
    lines = [
        "| database | records | generate s | reindex s | search p50 / p95 ms | naive p50 / p95 ms | naive/search p95 |"
        " hello req/s | search req/s (% hello) | search fresh req/s (% hello) | list req/s (% hello) |"
        " detail req/s (% hello) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        if result.error:
            lines.append(f"| {result.database} | {result.size:,} | failed: {result.error.splitlines()[0][:80]} |")
            continue
        big = result.size >= 100_000
        search = latencies(result.measure, "search")
        naive = latencies(result.measure, "naive")
        s50, s95 = percentile(search, 0.5), percentile(search, 0.95)
        n50, n95 = percentile(naive, 0.5), percentile(naive, 0.95)
        ratio = n95 / s95 if s95 else None
        reindex = result.measure["reindex_s"]
        hello = result.http["hello"]["rps"]
        shares = {name: result.http[name]["rps"] / hello for name in ("search", "search fresh", "list", "detail")}
        search_ok = mark(shares["search"] >= TARGET_SEARCH_SHARE)
        lines.append(
            f"| {result.database} | {result.size:,} | {fmt(result.steps['generate'])} |"
            f" {fmt(reindex)}{mark(reindex <= TARGET_REINDEX_S if big else None)} |"
            f" {fmt(s50)} / {fmt(s95)}{mark(s95 <= TARGET_SEARCH_P95_MS if big else None)} |"
            f" {fmt(n50, 0)} / {fmt(n95, 0)} | {fmt(ratio)}×{mark(ratio >= TARGET_RATIO if big else None)} |"
            f" {fmt(hello, 0)} |"
            f" {fmt(result.http['search']['rps'], 0)} ({shares['search']:.1%}){search_ok} |"
            f" {fmt(result.http['search fresh']['rps'], 0)} ({shares['search fresh']:.1%}) |"
            f" {fmt(result.http['list']['rps'], 0)} ({shares['list']:.1%}) |"
            f" {fmt(result.http['detail']['rps'], 0)} ({shares['detail']:.1%}) |"
        )
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
        lines.append(f"| {result.database} | {result.size:,} | " + " | ".join(cells) + " |")
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
            lines.append(f"* {result.database} {result.size:,}: **failed**: {result.error[:500]}")
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
            f"* {result.database} {result.size:,} (code {result.commit}): migrate {result.steps['migrate']:.1f} s,"
            f" load_framework"
            f" {result.steps['load_framework']:.1f} s, generate {result.steps['generate']:.1f} s, reindex"
            f" {m['reindex_s']:.1f} s ({m['documents']:,} documents){extra}; search {m['search_rounds']} timed"
            f" rounds × {len(m['queries'])} queries, naive {m['naive_rounds']} rounds; {http}; 1-min load average"
            f" at the start of each phase: {load}"
        )
    return "\n".join(lines)


def report(results: list[Result], meta: dict) -> str:
    return "\n".join(
        [
            "# Benchmark results",
            "",
            f"Run {meta['when']} on {meta['machine']}; {meta['versions']}; commit {meta['commit']}."
            f" Command: `{meta['command']}`.",
            "",
            f"Targets: at 100k, reindex ≤ {TARGET_REINDEX_S} s, search p95 ≤ {TARGET_SEARCH_P95_MS} ms and naive/search"
            f" p95 ≥ {TARGET_RATIO}×; search page ≥ {TARGET_SEARCH_SHARE:.0%} of hello-world req/s"
            " (✅ met, ❌ missed; unmarked: no target at that size).",
            "",
            table(results),
            "",
            f"Search page: `/search/?q={meta['search_query']}`, the same address every time (after the first"
            " request the search cache answers, until the index changes); search fresh: the same search with an"
            " address of its own for every request (`bench/fresh.lua`), so each runs the whole search; list page:"
            " `/programmes/`; detail page: `/programmes/demo-programme-000001/`. wrk `-t2 -c16`"
            f" for {meta['duration']} s per page after a 2 s warm-up; gunicorn {WORKERS} sync workers, settings"
            " `bench.settings` (prod, DEBUG off, no SSL redirect). Latency: the"
            " `cop_kb.search.selectors.search` selector in-process, never cached (count, ranked page with"
            " highlights, facets, suggestions), one warm-up round, p50/p95 over every timed sample; naive:"
            " bench/naive.py.",
            "",
            "## Selector p50 by query category (ms)",
            "",
            category_table(results),
            "",
            "## Per query, largest size",
            "",
            query_table(results),
            "",
            "## Steps",
            "",
            details(results),
            "",
        ]
    )


def code_version() -> str:
    """The commit, and whether the search app or its callers differ from it right now."""
    commit = run(["git", "rev-parse", "--short", "HEAD"])[1].strip()
    dirty = run(["git", "status", "--porcelain", "--", "search", "directory", "programmes", "cop_kb"])[1].strip()
    return commit + (" + uncommitted changes" if dirty else "")


def meta_data(args, psql) -> dict:
    versions = [f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}"]
    if psql:
        versions.append(f"PostgreSQL {postgres_version(psql)}")
    return {
        "when": f"{datetime.datetime.now():%Y-%m-%d %H:%M}",
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "versions": ", ".join(versions),
        "commit": code_version(),
        "command": "python bench/run.py " + " ".join(sys.argv[1:]),
        "search_query": urllib.parse.quote_plus(args.search_query),
        "duration": args.duration,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", help="Comma-separated record counts (default 10000,100000).")
    parser.add_argument("--quick", action="store_true", help="1000 records only, fewer rounds, 5 s of wrk.")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql or both (default).")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--runs", type=int, default=5, help="Timed rounds of the 31 queries for the selector.")
    parser.add_argument("--naive-runs", type=int, default=3, help="Timed rounds for the naive baseline.")
    parser.add_argument("--budget", type=float, default=300, help="No new round starts after this many seconds.")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of wrk per page.")
    parser.add_argument("--search-query", default=SEARCH_QUERY, help="Query of the search page under wrk.")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--keep", action="store_true", help="Keep the last database (PostgreSQL: cop_kb_bench).")
    parser.add_argument("--quiet-load", type=float, default=1.0, help="Load average a measured phase waits for.")
    parser.add_argument("--quiet-wait", type=float, default=300, help="Longest wait for it, in seconds.")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")] if args.sizes else list(DEFAULT_SIZES)
    if args.quick:
        sizes = list(QUICK_SIZES)
        args.runs, args.naive_runs, args.duration = min(args.runs, 3), min(args.naive_runs, 2), min(args.duration, 5)
    databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")

    ensure_wrk()
    psql = None
    if "postgresql" in databases:
        psql, reason = postgres_ready()
        if psql is None:
            raise BenchError(reason + "; or run with --databases sqlite")
    workdir = Path(tempfile.mkdtemp(prefix="cop_kb_bench_"))
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": secrets.token_urlsafe(48),  # prod wants 50+ random characters
        "ALLOWED_HOSTS": HOST,
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        "PYTHONPATH": str(ROOT),
        "BENCH_WORKDIR": str(workdir),
    }
    envs = {
        "sqlite": {
            **base_env,
            # An absolute path: "sqlite:///" followed by "/tmp/...".
            "DATABASE_URL": f"sqlite:///{workdir / 'sqlite' / 'db.sqlite3'}",
        },
        "postgresql": {**base_env, "DATABASE_URL": PG_URL},
    }
    (workdir / "sqlite").mkdir()
    results: list[Result] = []
    meta = meta_data(args, psql)
    try:
        log(f"collectstatic into {workdir / 'static'}")
        run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=envs["sqlite"], what="static")
        for database in databases:
            for size in sizes:
                try:
                    results.append(bench_one(database, size, envs[database], args, psql))
                except BenchError as exc:
                    log(f"{database} {size:,} failed: {exc}")
                    results.append(Result(database, size, error=str(exc)))
                text = report(results, meta)
                args.output.write_text(text, encoding="utf-8")  # after every step, so a long run shows progress
    finally:
        if psql and not args.keep:
            postgres_drop(psql)
        if args.keep:
            log(f"kept: {workdir} and PostgreSQL database {PG_DB}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(report(results, meta))
    log(f"written to {args.output}")
    return 1 if any(result.error for result in results) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(2)
