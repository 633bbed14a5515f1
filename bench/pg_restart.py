"""Database-restart resilience, proven against a real gunicorn and a real PostgreSQL restart.

Run as root (it restarts the local cluster) from the project root::

    .venv/bin/python bench/pg_restart.py

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

Environment: ``PG_CLUSTER`` (default ``15 main``), ``PG_HOST``/``PG_PORT`` (127.0.0.1:5432), and
``PG_RESTART_SETTINGS`` to force a settings module (it must still turn the HTTPS redirect off).
"""

from __future__ import annotations

import functools
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess  # noqa: S404 - fixed argument lists only, never a shell
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PYTHON = sys.executable

PG_HOST = os.environ.get("PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("PG_PORT", "5432")
PG_VERSION, PG_NAME = os.environ.get("PG_CLUSTER", "15 main").split()
DB_NAME = "cop_kb_restart"
DB_ROLE = DB_PASSWORD = "cop_kb"  # noqa: S105 - the local test role from scripts/pg-setup.sh
DATABASE_URL = f"postgres://{DB_ROLE}:{DB_PASSWORD}@{PG_HOST}:{PG_PORT}/{DB_NAME}"

HTTP_HOST = "127.0.0.1"
LIST_PATH = "/instruments/"
EXTRA_DOWN_PATHS = ["/", "/search/?q=grooming"]  # scenario c also asks the home and search pages
REQUEST_TIMEOUT = 10.0
GRACE = 1.0  # seconds after pg_isready before every answer must be 200 again
PG_WAIT = 30.0  # longest wait for pg_isready after a start

# The friendly 503 page (templates/503.html) and what must never leak into an error page.
FRIENDLY_503 = "cop_kb is temporarily unavailable"
LEAKS = (
    "Traceback",
    'File "',
    "psycopg",
    "OperationalError",
    "InterfaceError",
    "django.db",
    "connection to server",
    "Exception Value",
    "SECRET_KEY",
    "DATABASES",
    "5432",
)


# ---- small helpers -----------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(args: list[str], *, env: dict | None = None, check: bool = True, timeout: float = 300) -> str:
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def pg_ready() -> bool:
    result = subprocess.run(  # noqa: S603
        ["pg_isready", "-q", "-h", PG_HOST, "-p", PG_PORT],  # noqa: S607
        capture_output=True,
        timeout=10,
        check=False,
    )
    return result.returncode == 0


def wait_pg_ready(limit: float = PG_WAIT) -> float:
    """Poll pg_isready every 50 ms; return the moment it first said yes."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if pg_ready():
            return time.monotonic()
        time.sleep(0.05)
    raise RuntimeError(f"PostgreSQL on {PG_HOST}:{PG_PORT} not ready after {limit:.0f} s")


def checkpoint() -> None:
    """Flush dirty pages while the server is still up, so the shutdown checkpoint (and the outage) is short."""
    run([*superuser_psql(), "-d", "postgres", "-c", "CHECKPOINT"], check=False, timeout=120)


def pg_ctl(action: str) -> None:
    run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, PG_NAME, action], timeout=120)


def ensure_pg_running() -> None:
    """Whatever happened, leave the shared server up."""
    if pg_ready():
        return
    log(f"PostgreSQL is down: starting cluster {PG_VERSION}/{PG_NAME}")
    try:
        pg_ctl("start")
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        log(f"start reported: {exc}")  # it may already be starting; wait anyway
    wait_pg_ready()
    log("PostgreSQL is running")


@functools.cache
def superuser_psql() -> list[str]:
    """A psql command line for the superuser: TCP as postgres, else the postgres OS user (as pg-setup.sh)."""
    tcp = ["psql", "-X", "-w", "-q", "-v", "ON_ERROR_STOP=1", "-h", PG_HOST, "-p", PG_PORT, "-U", "postgres"]
    probe = subprocess.run([*tcp, "-d", "postgres", "-Atc", "SELECT 1"], capture_output=True, check=False)  # noqa: S603
    if probe.returncode == 0:
        return tcp
    return ["runuser", "-u", "postgres", "--", "psql", "-X", "-w", "-q", "-v", "ON_ERROR_STOP=1", "-p", PG_PORT]


def create_database(psql: list[str]) -> None:
    run([*psql, "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'])
    run([*psql, "-d", "postgres", "-c", f'CREATE DATABASE "{DB_NAME}" OWNER "{DB_ROLE}"'])
    run(
        [
            *psql,
            "-d",
            DB_NAME,
            "-c",
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "-c",
            "CREATE EXTENSION IF NOT EXISTS unaccent",
        ]
    )


def drop_database(psql: list[str]) -> None:
    run([*psql, "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'], check=False)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HTTP_HOST, 0))
        return sock.getsockname()[1]


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
        ALLOWED_HOSTS=HTTP_HOST,
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
        result = subprocess.run(  # noqa: S603
            [PYTHON, "-c", f"import django; django.setup(); {probe}"],
            env=trial,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            log(f"settings {module}: cannot load ({result.stderr.strip().splitlines()[-1:]})")
            continue
        ssl_redirect, debug, max_age, health, root = result.stdout.strip().split("|")
        log(
            f"settings {module}: SECURE_SSL_REDIRECT={ssl_redirect} DEBUG={debug} CONN_MAX_AGE={max_age} "
            f"CONN_HEALTH_CHECKS={health} STATIC_ROOT={root}"
        )
        if ssl_redirect == "False" and debug == "False":
            return trial, module
    raise RuntimeError("neither cop_kb.settings.prod nor bench.settings runs with the HTTPS redirect off")


# ---- HTTP -------------------------------------------------------------------------------------------------


@dataclass
class Answer:
    path: str
    started: float
    ended: float
    status: int | None = None  # None: connection-level error
    error: str = ""
    body: str = ""
    retry_after: str | None = None

    def describe(self) -> str:
        what = f"HTTP {self.status}" if self.status is not None else f"connection error {self.error}"
        snippet = re.sub(r"\s+", " ", self.body)[:160]
        return f"{self.path} {what} at t={self.started:.3f}s {snippet!r}"


def fetch(port: int, path: str, origin: float) -> Answer:
    started = time.monotonic() - origin
    connection = http.client.HTTPConnection(HTTP_HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers={"Host": HTTP_HOST, "Connection": "close"})
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return Answer(
            path, started, time.monotonic() - origin, response.status, "", body, response.getheader("Retry-After")
        )
    except (OSError, http.client.HTTPException) as exc:
        return Answer(path, started, time.monotonic() - origin, None, f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()


def friendly_503_problem(answer: Answer) -> str:
    """Why a 503 is not the friendly page, or '' when it is."""
    if FRIENDLY_503 not in answer.body:
        return "503 without the friendly text"
    if not answer.retry_after:
        return "503 without Retry-After"
    return leak_problem(answer)


def leak_problem(answer: Answer) -> str:
    leaked = [marker for marker in LEAKS if marker in answer.body]
    return f"body leaks {leaked}" if leaked else ""


@dataclass
class Scenario:
    name: str
    answers: list[Answer] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    after_recovery: int = 0  # answers that had to be 200
    failures_after_recovery: int = 0
    notes: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def summary(self) -> str:
        statuses = Counter(answer.status for answer in self.answers)
        errors = statuses.pop(None, 0)
        others = {status: n for status, n in statuses.items() if status not in (200, 503)}
        lines = [
            f"scenario {self.name}: {'PASS' if not self.failures else 'FAIL'}",
            f"  requests {len(self.answers)}, 200s {statuses.get(200, 0)}, 503s {statuses.get(503, 0)}, "
            f"other statuses {others or 0}, connection errors {errors}",
            f"  requests that had to be 200 after recovery {self.after_recovery}, "
            f"failures after recovery {self.failures_after_recovery}",
        ]
        lines += [f"  note: {note}" for note in self.notes]
        lines += [f"  FAILED: {failure}" for failure in self.failures[:15]]
        if len(self.failures) > 15:
            lines.append(f"  ... and {len(self.failures) - 15} more failures")
        return "\n".join(lines)


def parallel(port: int, paths: list[str], origin: float, threads: int = 4) -> list[Answer]:
    """Each path once, spread over ``threads`` threads so both workers serve some."""
    answers: list[Answer] = []
    lock = threading.Lock()
    queue = list(paths)

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            answer = fetch(port, path, origin)
            with lock:
                answers.append(answer)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sorted(answers, key=lambda answer: answer.started)


def expect_all_200(scenario: Scenario, answers: list[Answer], *, after_recovery: bool) -> None:
    for answer in answers:
        scenario.answers.append(answer)
        if after_recovery:
            scenario.after_recovery += 1
        if answer.status != 200:
            scenario.fail(f"expected 200: {answer.describe()}")
            if after_recovery:
                scenario.failures_after_recovery += 1


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


def scenario_restart_under_load(port: int, paths: list[str]) -> Scenario:
    scenario = Scenario("b. restart under load")
    origin = time.monotonic()
    expect_all_200(scenario, warm_up(port, paths, origin), after_recovery=False)
    scenario.answers.clear()  # the warm-up is not part of this scenario's counts
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
    scenario.notes.append(f"restart issued at t={down:.2f}s, pg_isready at t={up:.2f}s (outage {up - down:.2f} s)")
    recovered = up + GRACE
    phases = Counter()
    for answer in sorted(answers, key=lambda answer: answer.started):
        scenario.answers.append(answer)
        if answer.ended < down:
            phase = "before"
            if answer.status != 200:
                scenario.fail(f"before the restart, expected 200: {answer.describe()}")
        elif answer.started >= recovered:
            phase = "after grace"
            scenario.after_recovery += 1
            if answer.status != 200:
                scenario.failures_after_recovery += 1
                scenario.fail(f"after recovery, expected 200: {answer.describe()}")
        else:
            phase = "outage" if answer.started < up else "pg_isready..grace"
            if answer.status == 503:
                problem = friendly_503_problem(answer)
                if problem:
                    scenario.fail(f"during the outage, {problem}: {answer.describe()}")
            elif answer.status not in (200, None):
                scenario.fail(f"during the outage, unacceptable status: {answer.describe()}")
            elif answer.status == 200 and leak_problem(answer):
                scenario.fail(f"during the outage, {leak_problem(answer)}: {answer.describe()}")
        phases[(phase, answer.status)] += 1
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


def start_gunicorn(env: dict, port: int, log_file: Path) -> subprocess.Popen:
    gunicorn = VENV_BIN / "gunicorn"
    if not gunicorn.exists():
        raise RuntimeError(f"{gunicorn} is missing: pip install gunicorn into the venv")
    handle = log_file.open("w")
    process = subprocess.Popen(  # noqa: S603
        [
            str(gunicorn),
            "cop_kb.wsgi:application",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"{HTTP_HOST}:{port}",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--error-logfile",
            "-",
            "--log-level",
            "info",
        ],
        env=env,
        cwd=ROOT,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    handle.close()
    deadline = time.monotonic() + 30
    origin = time.monotonic()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{log_file.read_text()}")
        if fetch(port, LIST_PATH, origin).status == 200:
            return process
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer 200 on {LIST_PATH} within 30 s:\n{log_file.read_text()}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def detail_path(port: int) -> str:
    body = fetch(port, LIST_PATH, time.monotonic()).body
    match = re.search(r'href="(/instruments/[a-z0-9-]+/)"', body)
    if not match:
        raise RuntimeError(f"no instrument detail link on {LIST_PATH}")
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


def main() -> int:
    if not pg_ready():
        log(f"PostgreSQL is not accepting connections on {PG_HOST}:{PG_PORT}; run scripts/pg-setup.sh first")
        return 2
    psql = superuser_psql()
    scratch = Path(tempfile.mkdtemp(prefix="pg_restart-"))
    gunicorn: subprocess.Popen | None = None
    scenarios: list[Scenario] = []
    log_file = scratch / "gunicorn.log"
    try:
        log(f"creating database {DB_NAME}")
        create_database(psql)
        env, module = app_environment(scratch / "static")
        log(f"using {module}; migrate, load_framework, collectstatic")
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env)
        log(run([PYTHON, "manage.py", "load_framework"], env=env).strip())
        # bench.settings collects into the scratch directory; prod into the project's staticfiles/ (`make static`).
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env)
        port = free_port()
        gunicorn = start_gunicorn(env, port, log_file)
        paths = [LIST_PATH, detail_path(port)]
        log(f"gunicorn pid {gunicorn.pid} on http://{HTTP_HOST}:{port}/ (2 sync workers), pages {paths}")
        for scenario_function in (scenario_idle_restart, scenario_restart_under_load, scenario_while_down):
            scenario = scenario_function(port, paths)
            scenarios.append(scenario)
            print(scenario.summary(), flush=True)
    finally:
        ensure_pg_running()
        log_notes = gunicorn_log_notes(log_file) if log_file.exists() else []  # before shutdown adds its lines
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        drop_database(psql)
        log(f"database {DB_NAME} dropped; PostgreSQL ready: {pg_ready()}")

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
