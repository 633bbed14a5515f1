"""Requests during a database outage, and what their answers must look like (``bench/pg_restart.py``).

Only 127.0.0.1 is asked, one connection a request (``Connection: close``).
"""

import http.client
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from .common import HOST

REQUEST_TIMEOUT = 10.0

# The friendly 503 page (templates/503.html) and what must never leak into an error page.
FRIENDLY_503 = "Knowledge Base is temporarily unavailable"
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
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers={"Host": HOST, "Connection": "close"})
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
