"""Real servers started by tests on their own ports: Redis, and app servers (gunicorn) for tests of several of them;
and ``python``, our own interpreter run to its end (settings that refuse to load, checks, a server that refuses).

Ports come from 64100-64199. The SQLite and PostgreSQL runs of the suite go side by side, so each takes its own half.
Every server is started with a deadline and always stopped by the fixture that started it.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def python(*args: str, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    """Our own interpreter run with ``args`` in the project directory and ``env``, to its end; output captured."""
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def port(offset: int) -> int:
    """A port of this run's own: 64100 + offset on SQLite, 64150 + offset on PostgreSQL."""
    return (64150 if connection.vendor == "postgresql" else 64100) + offset


def wait_for_port(number: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {number} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", number), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {number} within {seconds} s")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class RedisServer:
    """A throwaway redis-server that keeps nothing on disk; it can be killed, paused and started again."""

    def __init__(self, number: int) -> None:
        self.port = number
        self.url = f"redis://127.0.0.1:{number}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def pause(self) -> None:
        """Stop answering while keeping connections open: a Redis that is slow, not down."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()
        stop(self.process)

    def keys(self) -> int:
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2).dbsize()


def app_server(number: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """gunicorn serving the site on 127.0.0.1:``number`` with one worker, its output in ``log``."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [str(BIN / "gunicorn"), "cop_kb.wsgi:application", "--bind", f"127.0.0.1:{number}", "--workers", "1"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    wait_for_port(number, process)
    return process
