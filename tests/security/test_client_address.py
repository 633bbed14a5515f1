"""The client's address behind the site's own proxies: trusted entries of X-Forwarded-For only, never a claimed one.

A proxy appends the address it was connected from to X-Forwarded-For; whatever stands further left was sent by
the client and may be anything. The sign-in lockout and the audit trail rely on this address
(tests/workflow/test_sign_in.py signs in through a proxy).
"""

import pytest
from django.test import RequestFactory

from cop_kb.client_address import client_ip

PROXY = "10.0.0.2"
CLIENT = "203.0.113.7"


def request_from(remote_addr: str, forwarded_for: str | None = None):
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


@pytest.mark.parametrize("forwarded_for", [None, "198.51.100.20", "198.51.100.20, 192.0.2.1"])
def test_without_trusted_proxies_the_connecting_address_is_the_client(settings, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(request_from(CLIENT, forwarded_for)) == CLIENT


@pytest.mark.parametrize(
    ("proxies", "forwarded_for"),
    [
        (1, CLIENT),
        (1, f"198.51.100.20, {CLIENT}"),
        (1, f"not-an-address, 198.51.100.20,{CLIENT}"),
        (2, f"{CLIENT}, 10.0.0.1"),
        (2, f"198.51.100.20, {CLIENT}, 10.0.0.1"),
    ],
    ids=["one proxy", "one proxy, claimed address left", "one proxy, junk left", "two proxies", "two, claimed left"],
)
def test_behind_trusted_proxies_the_address_the_outermost_proxy_saw_is_the_client(settings, proxies, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_ip(request_from(PROXY, forwarded_for)) == CLIENT


def test_behind_a_proxy_an_ipv6_client_is_read_too(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request_from(PROXY, "2001:db8::7")) == "2001:db8::7"


@pytest.mark.parametrize(
    ("proxies", "forwarded_for"),
    [
        (1, None),
        (1, ""),
        (1, " , "),
        (1, "unknown"),
        (1, f"{CLIENT}:51234"),
        (1, f"{CLIENT}, <script>"),
        (2, CLIENT),
        (3, f"{CLIENT}, 10.0.0.1"),
    ],
    ids=["no header", "empty", "blank entries", "unknown", "with port", "junk right", "too short", "shorter"],
)
def test_a_missing_or_malformed_header_falls_back_to_the_connecting_address(settings, proxies, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_ip(request_from(PROXY, forwarded_for)) == PROXY


def test_no_request_or_no_usable_connecting_address_gives_no_address(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(None) is None
    assert client_ip(request_from("")) is None
