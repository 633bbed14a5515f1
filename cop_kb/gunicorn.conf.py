"""gunicorn's configuration for `make serve` (scripts/serve.sh): `gunicorn -c cop_kb/gunicorn.conf.py`.

The address comes from ``HOST`` and ``PORT`` (127.0.0.1:8000), the number of worker processes from
``WEB_CONCURRENCY`` (2). With ``LOCAL_HTTP`` on (plain HTTP, see cop_kb/settings/prod.py) gunicorn refuses to bind
to anything but a loopback address, so that switch can never serve another machine. Each worker settles
(``cop_kb.worker.settle``) once it has loaded the site.
"""

import ipaddress
import os

wsgi_app = "cop_kb.wsgi:application"
bind = [f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"]
_concurrency = (os.environ.get("WEB_CONCURRENCY") or "2").strip()
if not (_concurrency.isascii() and _concurrency.isdigit() and int(_concurrency) > 0):
    raise SystemExit(f"WEB_CONCURRENCY must be a whole number of worker processes, 1 or more, not {_concurrency!r}")
workers = int(_concurrency)
# Requests are short; a worker stuck for 30 s is restarted. Access lines go to standard output.
timeout = 30
accesslog = "-"


def _is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def post_worker_init(worker) -> None:
    from cop_kb.worker import settle

    settle()


def on_starting(server) -> None:
    # Anything but a clear "off" counts as on here: the stricter reading (the settings refuse other values).
    local_http = (os.environ.get("LOCAL_HTTP") or "").strip().lower() not in {"", "0", "false", "no", "off"}
    outside = [address for address in server.cfg.bind if not _is_loopback(address)]
    if local_http and outside:
        raise SystemExit(f"LOCAL_HTTP serves plain HTTP to this machine only; refusing to bind to {outside}")
