"""Database-restart resilience, proven against a real gunicorn and a real PostgreSQL restart.

Run as root (it restarts the local cluster) from the project root::

    .venv/bin/python -m bench.pg_restart

What it does:

1. creates a fresh database ``cop_kb_restart`` (as the ``postgres`` superuser over 127.0.0.1, like
   scripts/pg-setup.sh), migrates it and loads the framework;
2. starts gunicorn (2 sync workers, 127.0.0.1, a free port) on the production settings with a random
   SECRET_KEY, ``ALLOWED_HOSTS=127.0.0.1``, ``DATABASE_URL`` and the HTTPS redirect off (``cop_kb.settings.prod``
   when it honours ``SECURE_SSL_REDIRECT=false`` from the environment, otherwise ``bench.settings``, which is
   prod with the redirect and HSTS off);
3. runs three scenarios against 127.0.0.1 only, each bounded in request count and time:

   a. idle restart: warm both workers up, restart PostgreSQL with no request in flight, wait for pg_isready,
      then every request must be 200;
   b. restart under load: 4 threads request a list and a detail page continuously while PostgreSQL restarts.
      Before the restart every answer must be 200; during it only 200, the friendly 503 (with Retry-After)
      or a connection-level error; from 1 s after pg_isready says the server is back, only 200. Never a 500,
      never a traceback;
   c. while down: stop PostgreSQL, request database pages (friendly 503 with Retry-After, no stack, no
      settings), start it again, and the same pages must be 200 again.

It prints a summary per scenario and exits 1 if any expectation failed. gunicorn is stopped, the database
dropped, and PostgreSQL is always left running (every outage sits in try/finally and lasts a few seconds;
other people's tests share the server).

Environment: ``PG_CLUSTER`` (default ``15 main``), ``PG_HOST``/``PG_PORT`` (127.0.0.1:5432) (see
``bench/pg_control.py``), and ``PG_RESTART_SETTINGS`` to force a settings module (it must still turn the HTTPS
redirect off). The requests and what their answers must be are in ``bench/outage.py``.
"""

import argparse
import os
import re
import secrets
import shutil
import string
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

from .common import BIN, HOST, BenchError, gunicorn, log, run
from .outage import Answer, Scenario, expect_all_200, fetch, friendly_503_problem, leak_problem, parallel
from .pg_control import (
    DATABASE_URL,
    DB_NAME,
    PG_HOST,
    PG_PORT,
    checkpoint,
    create_database,
    drop_database,
    ensure_pg_running,
    pg_ctl,
    pg_ready,
    superuser_psql,
    wait_pg_ready,
)

PYTHON = sys.executable
LIST_PATH = "/instruments/"
EXTRA_DOWN_PATHS = ["/", "/search/?q=grooming"]  # scenario c also asks the home and search pages
GRACE = 1.0  # seconds after pg_isready before every answer must be 200 again
# After bench.common's usual options; at level info gunicorn logs the "Booting worker" lines gunicorn_log_notes counts.
GUNICORN_OPTIONS = ("--timeout", "30", "--graceful-timeout", "5", "--log-level", "info")


def random_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(50))


def app_environment(static_root: Path) -> tuple[dict, str]:
    """The environment for manage.py and gunicorn, and which settings module it uses.

    Prod is used as is when it reads SECURE_SSL_REDIRECT from the environment; otherwise bench.settings.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "SECURE_", "BENCH_", "CONN_"))
    }
    env.update(
        SECRET_KEY=random_secret_key(),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=DATABASE_URL,
        SECURE_SSL_REDIRECT="false",
        DEBUG="false",
        PYTHONUNBUFFERED="1",
    )
    probe = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.DEBUG, s.DATABASES['default']['CONN_MAX_AGE'], "
        "s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.STATIC_ROOT, sep='|')"
    )
    forced = os.environ.get("PG_RESTART_SETTINGS")  # e.g. a negative control with health checks off
    for module in [forced] if forced else ["cop_kb.settings.prod", "bench.settings"]:
        trial = {**env, "DJANGO_SETTINGS_MODULE": module, "BENCH_STATIC_ROOT": str(static_root)}
        try:
            _taken, output = run([PYTHON, "-c", f"import django; django.setup(); {probe}"], env=trial, timeout=120)
        except BenchError as exc:
            log(f"settings {module}: cannot load ({str(exc).strip().splitlines()[-1:]})")
            continue
        ssl_redirect, debug, max_age, health, root = output.strip().split("|")
        log(
            f"settings {module}: SECURE_SSL_REDIRECT={ssl_redirect} DEBUG={debug} CONN_MAX_AGE={max_age} "
            f"CONN_HEALTH_CHECKS={health} STATIC_ROOT={root}"
        )
        if ssl_redirect == "False" and debug == "False":
            return trial, module
    raise BenchError("neither cop_kb.settings.prod nor bench.settings runs with the HTTPS redirect off")


# ---- scenarios ----------------------------------------------------------------------------------------------


def warm_up(port: int, paths: list[str], origin: float) -> list[Answer]:
    # Several rounds in parallel: both sync workers end up holding a persistent connection.
    return parallel(port, paths * 6, origin)


def scenario_idle_restart(port: int, paths: list[str]) -> Scenario:
    scenario = Scenario("a. idle restart")
    origin = time.monotonic()
    expect_all_200(scenario, warm_up(port, paths, origin), after_recovery=False)
    checkpoint()
    log("a: restarting PostgreSQL with no request in flight")
    down = time.monotonic()
    try:
        pg_ctl("restart")
        up = wait_pg_ready()
    finally:
        ensure_pg_running()
    scenario.notes.append(f"outage (restart command to pg_isready) {up - down:.2f} s")
    # No grace here: the very first request after pg_isready must already succeed.
    expect_all_200(scenario, parallel(port, paths * 20, origin), after_recovery=True)
    return scenario


def restart_under_load(port: int, paths: list[str], origin: float) -> tuple[list[Answer], float, float]:
    """Four threads request ``paths`` in turn while PostgreSQL restarts (bounded: 5000 requests each, 60 s): their
    answers, and when the restart was issued and pg_isready said yes again (seconds since ``origin``)."""
    stop = threading.Event()
    lock = threading.Lock()
    answers: list[Answer] = []
    max_per_thread = 5000
    hard_deadline = time.monotonic() + 60

    def hammer(offset: int) -> None:
        for i in range(max_per_thread):
            if stop.is_set() or time.monotonic() > hard_deadline:
                return
            answer = fetch(port, paths[(i + offset) % len(paths)], origin)
            with lock:
                answers.append(answer)

    pool = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for thread in pool:
        thread.start()
    try:
        time.sleep(2.0)
        checkpoint()
        log("b: restarting PostgreSQL under load")
        down = time.monotonic() - origin
        try:
            pg_ctl("restart")
            up = wait_pg_ready() - origin
        finally:
            ensure_pg_running()
        time.sleep(GRACE + 4.0)
    finally:
        stop.set()
        for thread in pool:
            thread.join()
    return answers, down, up


def judge_under_load(scenario: Scenario, answer: Answer, down: float, up: float) -> str:
    """Check one answer of scenario b against what its moment allows; return the phase it fell in."""
    if answer.ended < down:
        if answer.status != 200:
            scenario.fail(f"before the restart, expected 200: {answer.describe()}")
        return "before"
    if answer.started >= up + GRACE:
        scenario.after_recovery += 1
        if answer.status != 200:
            scenario.failures_after_recovery += 1
            scenario.fail(f"after recovery, expected 200: {answer.describe()}")
        return "after grace"
    if answer.status == 503:
        problem = friendly_503_problem(answer)
        if problem:
            scenario.fail(f"during the outage, {problem}: {answer.describe()}")
    elif answer.status not in (200, None):
        scenario.fail(f"during the outage, unacceptable status: {answer.describe()}")
    elif answer.status == 200 and leak_problem(answer):
        scenario.fail(f"during the outage, {leak_problem(answer)}: {answer.describe()}")
    return "outage" if answer.started < up else "pg_isready..grace"


def scenario_restart_under_load(port: int, paths: list[str]) -> Scenario:
    scenario = Scenario("b. restart under load")
    origin = time.monotonic()
    expect_all_200(scenario, warm_up(port, paths, origin), after_recovery=False)
    scenario.answers.clear()  # the warm-up is not part of this scenario's counts
    answers, down, up = restart_under_load(port, paths, origin)
    scenario.notes.append(f"restart issued at t={down:.2f}s, pg_isready at t={up:.2f}s (outage {up - down:.2f} s)")
    phases = Counter()
    for answer in sorted(answers, key=lambda answer: answer.started):
        scenario.answers.append(answer)
        phases[(judge_under_load(scenario, answer, down, up), answer.status)] += 1
    for phase in ("before", "outage", "pg_isready..grace", "after grace"):
        counts = {str(status): n for (p, status), n in sorted(phases.items(), key=str) if p == phase}
        scenario.notes.append(f"{phase}: {counts or 'none'}")
    if not any(phase == "before" for phase, _status in phases):
        scenario.fail("no request completed before the restart: the load did not run")
    if scenario.after_recovery < 20:
        scenario.fail(f"only {scenario.after_recovery} requests after recovery: too few to prove anything")
    return scenario


def scenario_while_down(port: int, paths: list[str]) -> Scenario:
    scenario = Scenario("c. while down")
    paths = [*paths, *EXTRA_DOWN_PATHS]
    origin = time.monotonic()
    expect_all_200(scenario, warm_up(port, paths, origin), after_recovery=False)
    scenario.answers.clear()
    checkpoint()
    log("c: stopping PostgreSQL")
    down_answers: list[Answer] = []
    stopped = time.monotonic()
    try:
        pg_ctl("stop")
        # Both workers, both pages, a few times each; bounded to ~5 s of outage.
        for _round in range(3):
            if time.monotonic() - stopped > 5:
                break
            down_answers += parallel(port, paths, origin)
    finally:
        log("c: starting PostgreSQL")
        try:
            pg_ctl("start")
        finally:
            ensure_pg_running()
    scenario.notes.append(f"outage {time.monotonic() - stopped:.2f} s")
    for answer in down_answers:
        scenario.answers.append(answer)
        if answer.status != 503:
            scenario.fail(f"while down, expected 503: {answer.describe()}")
            continue
        problem = friendly_503_problem(answer)
        if problem:
            scenario.fail(f"while down, {problem}: {answer.describe()}")
    if down_answers and down_answers[0].status == 503:
        scenario.notes.append(f"Retry-After: {down_answers[0].retry_after}")
    time.sleep(GRACE)
    expect_all_200(scenario, parallel(port, paths * 5, origin), after_recovery=True)
    return scenario


# ---- set-up and tear-down -------------------------------------------------------------------------------


def detail_path(port: int) -> str:
    body = fetch(port, LIST_PATH, time.monotonic()).body
    match = re.search(r'href="(/instruments/[a-z0-9-]+/)"', body)
    if not match:
        raise BenchError(f"no instrument detail link on {LIST_PATH}")
    return match.group(1)


def gunicorn_log_notes(log_file: Path) -> list[str]:
    text = log_file.read_text(errors="replace")
    boots = len(re.findall(r"Booting worker", text))
    notes = [f"gunicorn workers booted: {boots} (2 means no worker died or was replaced)"]
    for marker in ("WORKER TIMEOUT", "Worker exiting", "SIGKILL", "Internal Server Error", "Service Unavailable"):
        count = text.count(marker)
        if count:
            notes.append(f"gunicorn log: {count} x {marker!r}")
    # The last line of each logged traceback: which database errors the outage produced.
    raised = Counter(
        f"{name}: {message[:90]}"
        for name, message in re.findall(r"^((?:django\.db\.utils|psycopg[\w.]*)\.\w+): (.*)$", text, re.MULTILINE)
    )
    notes += [f"logged exception {n:>3} x {what}" for what, n in raised.most_common()]
    return notes


def prepare(psql: list[str], scratch: Path) -> dict:
    """A fresh database with the framework's content, and the environment that serves it."""
    log(f"creating database {DB_NAME}")
    create_database(psql)
    env, module = app_environment(scratch / "static")
    log(f"using {module}; migrate, load_framework, collectstatic")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env)
    log(run([PYTHON, "manage.py", "load_framework"], env=env)[1].strip())
    # bench.settings collects into the scratch directory; prod into the project's staticfiles/ (`make static`).
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env)
    return env


def run_scenarios(base: str) -> list[Scenario]:
    port = urllib.parse.urlsplit(base).port
    paths = [LIST_PATH, detail_path(port)]
    log(f"gunicorn on {base}/ (2 sync workers), pages {paths}")
    scenarios = []
    for scenario_function in (scenario_idle_restart, scenario_restart_under_load, scenario_while_down):
        scenario = scenario_function(port, paths)
        scenarios.append(scenario)
        print(scenario.summary(), flush=True)
    return scenarios


def main() -> int:
    argparse.ArgumentParser(
        prog="python -m bench.pg_restart", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    if not pg_ready():
        log(f"PostgreSQL is not accepting connections on {PG_HOST}:{PG_PORT}; run scripts/pg-setup.sh first")
        return 2
    if not (BIN / "gunicorn").exists():
        raise BenchError(f"{BIN / 'gunicorn'} is missing: pip install gunicorn into the venv")
    psql = superuser_psql()
    scratch = Path(tempfile.mkdtemp(prefix="pg_restart-"))
    scenarios: list[Scenario] = []
    log_file = scratch / "gunicorn.log"
    log_notes: list[str] = []
    try:
        env = prepare(psql, scratch)
        with gunicorn("cop_kb.wsgi:application", env, LIST_PATH, log_file, GUNICORN_OPTIONS) as base:
            try:
                scenarios = run_scenarios(base)
            finally:
                ensure_pg_running()
                log_notes = gunicorn_log_notes(log_file)  # before shutdown adds its lines
    finally:
        ensure_pg_running()
        drop_database(psql)
        log(f"database {DB_NAME} dropped; PostgreSQL ready: {pg_ready()}")
    return report(scenarios, log_notes, scratch, log_file)


def report(scenarios: list[Scenario], log_notes: list[str], scratch: Path, log_file: Path) -> int:
    print()
    print("==== summary ====")
    for note in log_notes:
        print(f"  {note}")
    for scenario in scenarios:
        print(scenario.summary())
    failed = [scenario.name for scenario in scenarios if scenario.failures]
    complete = len(scenarios) == 3
    if failed or not complete:
        print(f"RESULT: FAIL ({', '.join(failed) or 'not every scenario ran'}); gunicorn log kept at {log_file}")
        return 1
    shutil.rmtree(scratch, ignore_errors=True)
    print("RESULT: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
