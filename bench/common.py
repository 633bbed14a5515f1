"""What every benchmark script shares: running commands, serving an app with gunicorn, asking it with wrk.

Only 127.0.0.1 is ever contacted. Every wait has a bound in time, and every server started here is stopped (its
whole process group) when its ``with`` block ends, also on errors and Ctrl-C.
"""

import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
WRK_THREADS, WRK_CONNECTIONS = 2, 16
WORKERS = 2


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def ask(url: str, *, headers: dict | None = None, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """GET a 127.0.0.1 URL: its status (0 when nothing answers), headers and body."""
    if not url.startswith(f"http://{HOST}:"):
        raise BenchError(f"refusing to contact {url}: only {HOST} is benchmarked")
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - http://127.0.0.1 only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, {}, b""


def fetch(url: str, timeout: float = 30) -> int:
    """GET a 127.0.0.1 URL; the status code (0 when nothing answers)."""
    return ask(url, timeout=timeout)[0]


@contextmanager
def serving(command: list[str], *, env: dict, log_path: Path, ready_url: str, within: float, ready=None):
    """Start a server (``command``, in a process group of its own, output to ``log_path``); once ``ready_url``
    answers a status ``ready`` accepts (by default 200), yield the process; always stop the whole group."""
    ready = ready or (lambda status: status == 200)
    with open(log_path, "ab") as server_log:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, start_new_session=True, stdout=server_log, stderr=server_log
        )
    try:
        deadline = time.monotonic() + within
        while not ready(fetch(ready_url, timeout=10)):
            if process.poll() is not None:
                raise BenchError(f"{command[0]} exited:\n{tail(log_path)}")
            if time.monotonic() > deadline:
                raise BenchError(f"{command[0]} did not answer {ready_url} within {within:.0f} s:\n{tail(log_path)}")
            time.sleep(0.5)
        yield process
    finally:
        stop(process)


@contextmanager
def gunicorn(app: str, env: dict, ready_path: str, log_path: Path, options: tuple[str, ...] = ()):
    """Serve ``app`` with gunicorn on a free 127.0.0.1 port; yield its base URL; always stop it. ``options`` go
    after the usual ones (gunicorn takes the last of a repeated option)."""
    port = free_port()
    command = [str(BIN / "gunicorn"), app, "--bind", f"{HOST}:{port}", "--workers", str(WORKERS)]
    command += ["--worker-class", "sync", "--log-level", "warning", "--timeout", "120", *options]
    base = f"http://{HOST}:{port}"
    with serving(command, env=env, log_path=log_path, ready_url=base + ready_path, within=60):
        yield base


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


# The request patterns wrk sends: fresh addresses, or a mix of paths (see the script).
REQUESTS_SCRIPT = ROOT / "bench" / "requests.lua"


def wrk(url: str, seconds: int, *, fresh: bool = False, etag: str = "") -> dict:
    """Requests per second (and failures) for one URL with ``wrk -t2 -c16``; ``fresh``: a new address each time;
    ``etag``: every request a revalidation (``If-None-Match``), which must be answered 304."""
    expected = 304 if etag else 200
    status = ask(url, headers={"If-None-Match": etag} if etag else None)[0]
    if status != expected:
        raise BenchError(f"{url} answers {status}, not {expected}; not measuring it")
    options = ["-s", str(REQUESTS_SCRIPT)] if fresh else []
    if etag:
        options += ["-H", f"If-None-Match: {etag}"]
    _taken, output = run(
        ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s", *options, url],
        timeout=seconds + 60,
        what=f"wrk {url}",
    )
    return parse_wrk(output)


def parse_wrk(output: str) -> dict:
    """req/s, mean latency and failures from wrk's report."""
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


def ensure_command(command: str, package: str) -> None:
    """Install a Debian package for a missing command when running as root; otherwise say what to install."""
    if shutil.which(command):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise BenchError(f"{command} is missing: install it (apt-get install -y --no-install-recommends {package})")
    log(f"installing {package}")
    run(
        ["apt-get", "install", "-y", "--no-install-recommends", package],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        timeout=300,
        what=f"apt-get install {package}",
    )
