"""Python instructions a fresh page costs, counted by valgrind's callgrind rather than timed: for comparing two
versions of the code on a machine too busy to time them.

On the shared 2-core machines this project is measured on, the same fresh page takes a third more or less time
from one run to the next, in wall and in CPU time alike; the instructions the app's process runs for it on the same
data are the same to within 0.1 %. So a change to Python is judged here, page by page, as a ratio against another
checkout (``--against``, e.g. a ``git worktree`` of the commit before) on the same database. Only the app's own
process is counted: what the database server does (PostgreSQL planning and reading) is not, so a change to SQL is
judged with ``bench.pages`` or ``EXPLAIN ANALYZE`` instead.

    DATABASE_URL=... DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python -m bench.instructions out.json \\
        --only '^(home|list|detail)' --against /tmp/old

Each checkout's pages are asked by one process of its own Python (``.venv/bin/python``) run under callgrind with
counting off; for each page it makes three untimed fresh requests, then counts ``--requests`` more (every cache
emptied before each, as ``bench.pages`` does) between ``callgrind_control`` calls that zero, switch on, switch off
and dump its counters.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

WARM_REQUESTS = 3
HERE = Path(__file__).resolve()


def _control(*args: str) -> None:
    command = ["callgrind_control", *args, str(os.getpid())]
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603, S607 - fixed arguments, like wrk


def worker(requests: int, dumps: Path) -> None:
    """Under callgrind, in the checkout being counted: for each page path read from stdin, print its status and the
    instructions of one fresh request (the mean of ``requests``)."""
    import django

    django.setup()
    from django.core.cache import caches
    from django.test import Client

    from cop_kb.worker import settle

    settle()
    client = Client(HTTP_HOST="127.0.0.1")

    def fresh(path: str) -> int:
        for cache in caches.all():
            cache.clear()
        return client.get(path).status_code

    for line in sys.stdin:
        path = line.strip()
        for _number in range(WARM_REQUESTS):
            status = fresh(path)
        _control("-z")
        _control("-i", "on")
        for _number in range(requests):
            fresh(path)
        _control("-i", "off")
        _control("-d")
        newest = max(dumps.glob("callgrind.out.*"), key=lambda dump: int(dump.suffix[1:]))
        (totals,) = re.findall(r"^totals: (\d+)$", newest.read_text(), re.M)
        print(status, int(totals) // requests, flush=True)


def count(checkout: Path, paths: list[str], requests: int) -> list[tuple[int, int]]:
    """(status, instructions a request) for each of ``paths``, served by ``checkout``'s code."""
    with tempfile.TemporaryDirectory() as dumps:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={dumps}/callgrind.out",
            # The interpreter itself (a link to it), not a wrapper script: valgrind does not follow an exec.
            str(checkout / ".venv" / "bin" / "python"),
            str(HERE),
            "--worker",
            "--requests",
            str(requests),
            "--dumps",
            dumps,
        ]
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        worker_process = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            command,
            input="".join(f"{path}\n" for path in paths),
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    found = [tuple(map(int, line.split())) for line in worker_process.stdout.splitlines()]
    if worker_process.returncode != 0 or len(found) != len(paths):
        raise SystemExit(f"counting in {checkout} failed:\n{worker_process.stderr[-3000:]}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", nargs="?")
    parser.add_argument("--only", default="", help="Count only the pages whose name matches this regex.")
    parser.add_argument("--requests", type=int, default=3, help="Counted fresh requests per page (the mean is kept).")
    parser.add_argument("--against", type=Path, help="Another checkout to count the same pages with, for ratios.")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dumps", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    if args.worker:
        worker(args.requests, args.dumps)
        return
    if not args.output:
        parser.error("the output file is required")
    import django

    django.setup()
    from bench.common import ensure_command
    from bench.pages import page_paths

    ensure_command("valgrind", "valgrind")
    named = [(name, path) for name, path in page_paths() if re.search(args.only, name)]
    paths = [path for _name, path in named]
    checkouts = {"this": HERE.parent.parent, **({"against": args.against.resolve()} if args.against else {})}
    counted = {which: count(checkout, paths, args.requests) for which, checkout in checkouts.items()}
    pages = {}
    for number, (name, path) in enumerate(named):
        page = {"path": path}
        for which, found in counted.items():
            page[f"{which} status"], page[which] = found[number]
        if args.against:
            page["ratio"] = round(page["this"] / page["against"], 3)
        pages[name] = page
        ratio = f"  ×{page['ratio']:.3f}" if args.against else ""
        print(f"{name:45} {page['this'] / 1e6:8.2f}M{ratio}", flush=True)
    Path(args.output).write_text(json.dumps(pages, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
