"""The editor of the two-server run (``bench/cluster.py``): an edit every second, each checked on both servers.

Run as ``python -m bench.editor OUT.json --seconds N --server URL --server URL`` with the servers' settings and
database in the environment. Each second it gives one published programme a new title, committed, then asks every
server for that programme's page once: a page without the new title is **stale** (served from a copy that outlived
the edit). The edit is a plain ``UPDATE``, as the database sees any edit, so it measures the content version and the
cache, not the cost of the write path. The original title is put back at the end.
"""

import argparse
import json
import os
import time
import urllib.error
import urllib.request

HOST_PREFIX = "http://127.0.0.1:"


def page(url: str) -> tuple[int, str]:
    if not url.startswith(HOST_PREFIX):
        raise ValueError(f"refusing to contact {url}: only 127.0.0.1 is benchmarked")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - http://127.0.0.1 only
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--server", action="append", required=True, help="Base URL of one app server.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.utils.html import escape

    from programmes.models import Programme

    programme = Programme.objects.public().order_by("-pk").first()  # the page bench/pages.py measures
    original = programme.title
    path = programme.get_absolute_url()
    edits, stale, failed = 0, [], []
    deadline = time.monotonic() + args.seconds
    try:
        while time.monotonic() < deadline:
            started = time.monotonic()
            edits += 1
            title = f"{original} (edit {edits})"
            Programme.objects.filter(pk=programme.pk).update(title=title)
            for base in args.server:
                status, body = page(base + path)
                if status != 200:
                    failed.append(f"{base}{path}: {status}")
                elif escape(title) not in body:
                    stale.append(f"{base}{path} after edit {edits}")
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    finally:
        Programme.objects.filter(pk=programme.pk).update(title=original)
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump({"path": path, "edits": edits, "stale": stale, "failed": failed}, handle)


if __name__ == "__main__":
    main()
