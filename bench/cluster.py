"""Two app servers behind one balancer, on one database and one Redis: errors and stale pages under load.

``bench/run.py`` runs this once per database with the framework's content. Two gunicorn servers (2 sync workers
each) share the database and a Redis started here (``REDIS_URL``); nginx balances between them (round robin, the
way a deployment would put them behind one address). For ``--cluster-seconds`` (default 60) wrk sends a mix of
pages with 32 connections through nginx while ``bench/editor.py`` edits a programme every second and asks each
server for its page right after the edit. Halfway through, Redis is stopped: the servers must go on answering,
uncached. Reported: req/s, every non-2xx answer and socket error, edits, and pages that still showed the old title.
"""

import json
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from .common import (
    HOST,
    REQUESTS_SCRIPT,
    ROOT,
    BenchError,
    ensure_command,
    fetch,
    free_port,
    gunicorn,
    log,
    parse_wrk,
    stop,
)

CONNECTIONS = 32
NGINX_CONF = """
worker_processes 1;
daemon off;
user root;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream app {{
        server {first};
        server {second};
        keepalive 32;
    }}
    server {{
        listen {listen};
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }}
    }}
}}
"""


@contextmanager
def redis_server(workdir: Path):
    """A Redis of its own on a free 127.0.0.1 port that keeps nothing on disk; yields (URL, process)."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        command, cwd=workdir, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        ping = ["redis-cli", "-h", HOST, "-p", str(port), "ping"]
        while subprocess.run(ping, capture_output=True, check=False).returncode:  # noqa: S603, S607 - fixed arguments
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"redis-server on port {port} did not start")
            time.sleep(0.2)
        yield f"redis://{HOST}:{port}/0", process
    finally:
        stop(process)


@contextmanager
def balancer(workdir: Path, upstreams: list[str]):
    """nginx on a free port, round robin over ``upstreams`` (base URLs); yields its base URL."""
    directory = workdir / "nginx"
    directory.mkdir(exist_ok=True)
    port = free_port()
    hosts = [upstream.removeprefix("http://") for upstream in upstreams]
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=directory, first=hosts[0], second=hosts[1], listen=f"{HOST}:{port}"))
    process = subprocess.Popen(  # noqa: S603 - fixed arguments; nginx found on PATH like wrk
        ["nginx", "-c", str(conf), "-p", str(directory)],  # noqa: S607
        start_new_session=True,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 20
        while fetch(base + "/", timeout=5) != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError("nginx did not start: " + (directory / "nginx-error.log").read_text()[-2000:])
            time.sleep(0.2)
        yield base
    finally:
        stop(process)


def two_servers(env: dict, paths: list[str], *, seconds: int, log_path: Path) -> dict:
    """The whole run: see the module's docstring. ``paths`` is the page mix; its first path is the edited page."""
    ensure_command("nginx", "nginx")
    workdir = Path(env["BENCH_WORKDIR"])
    with redis_server(workdir) as (redis_url, redis_process):
        server_env = {**env, "REDIS_URL": redis_url}
        with (
            gunicorn("cop_kb.wsgi:application", server_env, "/", log_path) as first,
            gunicorn("cop_kb.wsgi:application", server_env, "/", log_path) as second,
            balancer(workdir, [first, second]) as front,
            tempfile.NamedTemporaryFile(suffix=".json") as edits_file,
        ):
            log(f"two servers behind nginx: {seconds} s of mixed pages, an edit every second, Redis stopped halfway")
            editor = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "bench.editor", edits_file.name, "--seconds", str(seconds)]
                + ["--server", first, "--server", second],
                cwd=ROOT,
                env=server_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            load = subprocess.Popen(  # noqa: S603
                ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s", "-s", str(REQUESTS_SCRIPT)]
                + [front + "/", "--", *paths],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            time.sleep(seconds / 2)
            stop(redis_process)
            output, _ = load.communicate(timeout=seconds + 60)
            _out, editor_errors = editor.communicate(timeout=seconds + 60)
            if editor.returncode:
                raise BenchError(f"bench.editor failed:\n{editor_errors[-3000:]}")
            result = parse_wrk(output)
            result.update(json.loads(Path(edits_file.name).read_text(encoding="utf-8")))
            result["paths"] = paths
            return result
