"""Benchmark the site with synthetic demo data on SQLite and PostgreSQL, at several sizes.

For each database and size (0: the framework's own content only): a fresh database, ``migrate``,
``load_framework``, ``generate_demo_data``; then in-process the full reindex time, search latency (the app's selector
against a naive ``icontains`` baseline) and every public page fresh (latency and SQL queries); then throughput under
gunicorn with wrk: the home, list, detail and search pages asked again and again, a revalidation answered 304 and a
search nobody asked before, next to a hello-world Django app. Prints Markdown tables and writes them to
bench/results.md. See bench/README.md.

Only 127.0.0.1 is ever contacted. Every wait and loop has a bound in count and time, and every server this script
starts is stopped (its whole process group) before it moves on, also on errors and Ctrl-C.
"""

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import sqlite3
import sys
import tempfile
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from .cluster import redis_server, two_servers
from .common import HOST, ROOT, BenchError, ask, ensure_command, gunicorn, log, run, wait_for_quiet, wrk
from .report import PAGES, Result, report

PG_PORT = "5432"
PG_ROLE = PG_PASSWORD = "cop_kb"  # noqa: S105 - the local role of scripts/pg-setup.sh
PG_DB = "cop_kb_bench"
PG_URL = f"postgres://{PG_ROLE}:{PG_PASSWORD}@{HOST}:{PG_PORT}/{PG_DB}"
DEFAULT_SIZES = (0, 10_000, 100_000)
QUICK_SIZES = (0, 1_000)
SEED = 1
SEARCH_QUERY = "online grooming"


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


# ---- one database at one size -----------------------------------------------------------------------------------


def bench_one(database: str, size: int, env: dict, args, psql: list[str] | None) -> Result:
    result = Result(database, size, downloads_only=size in args.downloads_only)
    prepare(result, env, args, psql)
    result.load["downloads"] = wait_for_quiet(args.quiet_load, args.quiet_wait)
    result.downloads = build_downloads(env)
    if result.downloads_only:
        result.commit = code_version()
        return result
    log(f"{database} {size:,}: reindex, search latency and fresh pages (in-process)")
    result.load["measure"] = wait_for_quiet(args.quiet_load, args.quiet_wait)
    # Others may be changing the code while a long run goes on: say which code each step measured.
    result.commit = code_version()
    naive_runs = args.naive_runs if size < 50_000 else max(1, min(args.naive_runs, 2))
    result.measure = in_process(
        "bench.measure",
        ["--runs", str(args.runs), "--naive-runs", str(naive_runs), "--budget", str(args.budget)],
        env,
    )
    result.pages = in_process("bench.pages", ["--runs", str(args.page_runs)], env)
    log(f"{database} {size:,}: throughput under gunicorn")
    result.load["wrk"] = wait_for_quiet(args.quiet_load, args.quiet_wait)
    throughput(result, env, args)
    if size == 0 and args.cluster_seconds:
        result.load["cluster"] = wait_for_quiet(args.quiet_load, args.quiet_wait)
        server_log = Path(env["BENCH_WORKDIR"]) / f"cluster-{database}.log"
        mix = [result.http["detail"]["path"], "/", result.http["list"]["path"], "/instruments/", "/tags/"]
        mix.append(result.http["search"]["path"])
        result.cluster = two_servers(env, mix, seconds=args.cluster_seconds, log_path=server_log)
    result.load["end"] = os.getloadavg()[0]
    return result


def prepare(result: Result, env: dict, args, psql: list[str] | None) -> None:
    """A fresh database with the framework and ``result.size`` synthetic records (not indexed yet)."""
    log(f"{result.database} {result.size:,}: fresh database")
    if result.database == "postgresql":
        postgres_recreate(psql)
    else:
        for path in (Path(env["BENCH_WORKDIR"]) / "sqlite").glob("db.sqlite3*"):
            path.unlink()
    manage = [sys.executable, "manage.py"]
    result.steps["migrate"], _out = run([*manage, "migrate", "--noinput", "-v0"], env=env, what="migrate")
    result.steps["load_framework"], _out = run([*manage, "load_framework"], env=env, what="load_framework")
    if result.size:
        log(f"{result.database} {result.size:,}: generate_demo_data")
        result.steps["generate"], _out = run(
            [*manage, "generate_demo_data", "--records", str(result.size), "--seed", str(args.seed), "--no-index"],
            env=env,
            timeout=3600,
            what="generate_demo_data",
        )


def build_downloads(env: dict) -> dict:
    """``manage.py build_downloads`` on the prepared database: each whole-data file's build time and size, as the
    command reports them (its own clock, around each build), and the whole command's wall time."""
    seconds, output = run([sys.executable, "manage.py", "build_downloads"], env=env, timeout=7200, what="downloads")
    built = {"command_s": seconds}
    for name, size, taken in re.findall(r"^([\w-]+): \S+ \(([\d,]+) bytes\) in ([\d.]+) s$", output, re.M):
        built[name] = {"bytes": int(size.replace(",", "")), "seconds": float(taken)}
    return built


def in_process(module: str, options: list[str], env: dict) -> dict:
    """Run one of the in-process measuring modules on the prepared database; what it wrote."""
    with tempfile.NamedTemporaryFile(suffix=".json") as output:
        run([sys.executable, "-m", module, output.name, *options], env=env, timeout=7200, what=module)
        return json.loads(Path(output.name).read_text(encoding="utf-8"))


def throughput(result: Result, env: dict, args) -> None:
    """req/s of hello-world, then of the site's pages: repeated, revalidated (304) and, for search, fresh."""
    server_log = Path(env["BENCH_WORKDIR"]) / f"gunicorn-{result.database}-{result.size}.log"
    hello_env = {key: value for key, value in env.items() if key != "DJANGO_SETTINGS_MODULE"}
    with gunicorn("bench.hello:application", hello_env, "/", server_log) as base:
        wrk(base + "/", 2)  # warm-up
        result.http["hello"] = wrk(base + "/", args.duration)
    paths = {name: result.pages[source]["path"] for name, source in PAGES.items()}
    paths["search"] = f"/search/?q={urllib.parse.quote_plus(args.search_query)}"
    # (name, path, fresh, revalidate): "search fresh" gives each request its own address, so every one runs the
    # whole search; "304" asks for the detail page with the ETag it answered, as a browser revalidating does.
    runs = [(name, path, False, False) for name, path in paths.items()]
    runs += [("search fresh", paths["search"], True, False), ("304", paths["detail"], False, True)]
    # The API's list and detail of the same type and record: repeated, and fresh (a "_" cache-buster of their own).
    api_list, api_detail = "/api/v1" + paths["list"], "/api/v1" + paths["detail"]
    runs += [("api list", api_list, False, False), ("api list fresh", api_list + "?_=0", True, False)]
    runs += [("api detail", api_detail, False, False), ("api detail fresh", api_detail + "?_=0", True, False)]
    with gunicorn("cop_kb.wsgi:application", env, "/", server_log) as base:
        for name, path, fresh, revalidate in runs:
            etag = ask(base + path)[1].get("ETag", "") if revalidate else ""
            if revalidate and not etag:
                log(f"{path} answers without an ETag: no revalidation to measure")
                continue
            wrk(base + path, 2, fresh=fresh, etag=etag)  # warm-up: both workers connected, caches filled
            result.http[name] = wrk(base + path, args.duration, fresh=fresh, etag=etag)
            result.http[name]["path"] = path


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
        "command": "python -m bench.run " + " ".join(sys.argv[1:]),
        "search_query": urllib.parse.quote_plus(args.search_query),
        "duration": args.duration,
        "cluster_seconds": args.cluster_seconds,
        "page_cache": "Redis (`--redis`, one `redis-server` per step)" if args.redis else "each process's memory",
    }


@contextmanager
def redis_for(wanted: bool, workdir: Path):
    """``{"REDIS_URL": ...}`` for a Redis of the step's own if ``wanted`` (stopped afterwards), else nothing."""
    if not wanted:
        yield {}
        return
    with redis_server(workdir) as (url, _process):
        yield {"REDIS_URL": url}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", help="Comma-separated synthetic record counts (default 0,10000,100000).")
    parser.add_argument("--quick", action="store_true", help="0 and 1000 records, fewer rounds, 5 s of wrk.")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql or both (default).")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--runs", type=int, default=5, help="Timed rounds of the 31 queries for the selector.")
    parser.add_argument("--naive-runs", type=int, default=3, help="Timed rounds for the naive baseline.")
    parser.add_argument(
        "--cluster-seconds", type=int, default=60, help="Two servers under load with edits (0: leave out)."
    )
    parser.add_argument("--page-runs", type=int, default=30, help="Fresh requests per public page type.")
    parser.add_argument("--budget", type=float, default=300, help="No new round starts after this many seconds.")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of wrk per page.")
    parser.add_argument("--search-query", default=SEARCH_QUERY, help="Query of the search page under wrk.")
    parser.add_argument(
        "--downloads-only",
        default="",
        help="Comma-separated sizes (also given in --sizes) at which only the whole-data downloads' build is timed.",
    )
    parser.add_argument(
        "--redis", action="store_true", help="The page cache in a Redis started here (REDIS_URL), not process memory."
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--keep", action="store_true", help="Keep the last database (PostgreSQL: cop_kb_bench).")
    parser.add_argument("--quiet-load", type=float, default=1.0, help="Load average a measured phase waits for.")
    parser.add_argument("--quiet-wait", type=float, default=300, help="Longest wait for it, in seconds.")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")] if args.sizes else list(DEFAULT_SIZES)
    args.downloads_only = {int(size) for size in args.downloads_only.split(",") if size.strip()}
    if args.quick:
        sizes = list(QUICK_SIZES)
        args.runs, args.naive_runs, args.duration = min(args.runs, 3), min(args.naive_runs, 2), min(args.duration, 5)
        args.page_runs, args.cluster_seconds = min(args.page_runs, 10), min(args.cluster_seconds, 20)
    databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")

    ensure_command("wrk", "wrk")
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
                    with redis_for(args.redis, workdir) as redis_env:
                        results.append(bench_one(database, size, {**envs[database], **redis_env}, args, psql))
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
