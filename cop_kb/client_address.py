"""The address a request came from, for the sign-in lockout (django-axes) and the audit trail alike."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` proxies the one the outermost saw.

    Each proxy appends the address it was connected from to X-Forwarded-For, so behind N trusted proxies the last N
    entries are theirs and the N-th from the right is the client; anything further left was sent by the client and
    is ignored. A header that is missing, too short or not an address there (a request that went round a proxy, or
    a proxy that does not set it) falls back to REMOTE_ADDR, the peer that really connected.
    """
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies == 0:
        return remote
    entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(entries) < proxies:
        return remote
    return _address(entries[-proxies]) or remote
