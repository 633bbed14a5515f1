"""Signing in to the admin: every sign-in, failure and sign-out is audited; guessing is locked out; sessions end.

Sign-ins go through the admin's own login form with the test client (not ``force_login``), so the audit trail,
django-axes and the session cookie see exactly what a browser would send.
"""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cop_kb.records.models import AuditAction, AuditEvent

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "Wrong-guess-42-zebra"
OFFICE_IP = "203.0.113.7"
ATTACKER_IP = "198.51.100.66"
PROXY_IP = "10.0.0.2"
LOCKED_OUT_TEXT = "Sign-in temporarily locked"


def sign_in(client, username: str, password: str, ip: str = OFFICE_IP, forwarded_for: str | None = None):
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
        **headers,
    )


def signed_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


def stored_text() -> str:
    """Everything the audit trail and the lockout records hold, as one string, to look for a password in."""
    rows = [*AuditEvent.objects.values(), *AccessAttempt.objects.values()]
    return " ".join(str(value) for row in rows for value in row.values())


# ---- the audit trail of sign-ins ------------------------------------------------------------------------------


def test_admin_sign_in_is_audited_with_the_user_name_and_address(client, make_user):
    user = make_user("editor")

    response = sign_in(client, "editor", PASSWORD)

    assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert (event.user, event.username, event.ip_address) == (user, "editor", OFFICE_IP)


def test_failed_sign_in_is_audited_with_the_name_tried_and_never_the_password(client, make_user):
    make_user("editor")

    response = sign_in(client, "editor", WRONG_PASSWORD)

    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()
    assert signed_in_as(client) is None
    event = AuditEvent.objects.get()
    assert (event.action, event.username, event.ip_address) == (AuditAction.LOGIN_FAILED, "editor", OFFICE_IP)
    assert WRONG_PASSWORD not in stored_text()


def test_sign_in_with_an_unknown_name_is_audited_too(client, roles):
    sign_in(client, "nobody-by-this-name", WRONG_PASSWORD)

    event = AuditEvent.objects.get()
    assert (event.action, event.user, event.username) == (AuditAction.LOGIN_FAILED, None, "nobody-by-this-name")
    assert WRONG_PASSWORD not in stored_text()


def test_sign_out_is_audited(client, make_user):
    user = make_user("editor")
    sign_in(client, "editor", PASSWORD)

    response = client.post(reverse("admin:logout"), REMOTE_ADDR=OFFICE_IP)

    assert response.status_code == 200
    assert signed_in_as(client) is None
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert (event.user, event.username, event.ip_address) == (user, "editor", OFFICE_IP)


def test_nobody_signed_in_signing_out_writes_nothing(client, roles):
    client.post(reverse("admin:logout"))

    assert not AuditEvent.objects.exists()


# ---- lockout after repeated failures --------------------------------------------------------------------------


def fail(client, username: str, times: int, ip: str = OFFICE_IP, forwarded_for: str | None = None) -> None:
    for _ in range(times):
        sign_in(client, username, WRONG_PASSWORD, ip, forwarded_for)


def test_five_failures_lock_the_name_out_even_with_the_right_password(client, make_user):
    user = make_user("editor")
    fail(client, "editor", 5)

    response = sign_in(client, "editor", PASSWORD)

    assert response.status_code == 429
    assert LOCKED_OUT_TEXT in response.content.decode()
    assert signed_in_as(client) is None
    user.refresh_from_db()
    assert user.last_login is None
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()
    assert WRONG_PASSWORD not in stored_text()
    assert PASSWORD not in stored_text()


def test_four_failures_do_not_lock_the_name_out(client, make_user):
    make_user("editor")
    fail(client, "editor", 4)

    response = sign_in(client, "editor", PASSWORD)

    assert response.status_code == 302
    assert signed_in_as(client) is not None


def test_a_locked_out_name_does_not_lock_out_another(client, make_user):
    make_user("editor")
    other = make_user("publisher")
    fail(client, "editor", 5)

    response = sign_in(client, "publisher", PASSWORD)

    assert response.status_code == 302
    assert signed_in_as(client) == str(other.pk)


def test_lockout_is_per_name_and_address(client, make_user):
    make_user("editor")
    fail(client, "editor", 5, ip=OFFICE_IP)

    response = sign_in(client, "editor", PASSWORD, ip="198.51.100.20")

    assert response.status_code == 302


@pytest.mark.parametrize(("minutes_ago", "status"), [(14, 429), (16, 302)])
def test_lockout_lasts_fifteen_minutes(client, make_user, minutes_ago, status):
    make_user("editor")
    fail(client, "editor", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=minutes_ago))

    assert sign_in(client, "editor", PASSWORD).status_code == status


# ---- behind the TLS proxy: every request comes from the proxy's address -----------------------------------------


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_behind_a_proxy_one_client_guessing_does_not_lock_the_name_out_for_another(make_user, behind_one_proxy):
    publisher = make_user("publisher")
    attacker, colleague = Client(), Client()
    fail(attacker, "publisher", 5, ip=PROXY_IP, forwarded_for=ATTACKER_IP)

    response = sign_in(colleague, "publisher", PASSWORD, ip=PROXY_IP, forwarded_for=OFFICE_IP)

    assert response.status_code == 302
    assert signed_in_as(colleague) == str(publisher.pk)
    assert sign_in(attacker, "publisher", PASSWORD, ip=PROXY_IP, forwarded_for=ATTACKER_IP).status_code == 429


def test_behind_a_proxy_addresses_the_client_made_up_do_not_escape_the_lockout(client, make_user, behind_one_proxy):
    make_user("publisher")
    for n in range(5):
        sign_in(client, "publisher", WRONG_PASSWORD, ip=PROXY_IP, forwarded_for=f"192.0.2.{n}, {ATTACKER_IP}")

    response = sign_in(client, "publisher", PASSWORD, ip=PROXY_IP, forwarded_for=f"192.0.2.99, {ATTACKER_IP}")

    assert response.status_code == 429


def test_behind_a_proxy_the_audit_trail_records_the_address_the_proxy_saw(client, make_user, behind_one_proxy):
    make_user("editor")

    sign_in(client, "editor", WRONG_PASSWORD, ip=PROXY_IP, forwarded_for=f"192.0.2.1, {OFFICE_IP}")
    # The lockout counts the failure against the same address (a successful sign-in then clears it).
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [OFFICE_IP]
    sign_in(client, "editor", PASSWORD, ip=PROXY_IP, forwarded_for=f"192.0.2.1, {OFFICE_IP}")

    events = AuditEvent.objects.order_by("pk")
    assert [(event.action, event.ip_address) for event in events] == [
        (AuditAction.LOGIN_FAILED, OFFICE_IP),
        (AuditAction.LOGIN, OFFICE_IP),
    ]


def test_without_a_trusted_proxy_a_forwarded_for_header_is_ignored(client, make_user, settings):
    """The default (no proxy counted): a client cannot choose its address by sending the header itself."""
    settings.TRUSTED_PROXY_COUNT = 0
    make_user("editor")
    for n in range(5):
        sign_in(client, "editor", WRONG_PASSWORD, ip=ATTACKER_IP, forwarded_for=f"192.0.2.{n}")

    response = sign_in(client, "editor", PASSWORD, ip=ATTACKER_IP, forwarded_for="192.0.2.99")

    assert response.status_code == 429
    assert set(AuditEvent.objects.values_list("ip_address", flat=True)) == {ATTACKER_IP}


# ---- sessions -------------------------------------------------------------------------------------------------


def test_sessions_end_after_a_working_day_or_when_the_browser_closes():
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_admin_session_cookie_is_http_only_same_site_lax_and_ends_with_the_browser(client, make_user):
    make_user("editor")

    response = sign_in(client, "editor", PASSWORD)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    expires_in = client.session.get_expiry_date() - timezone.now()
    assert expires_in <= datetime.timedelta(hours=8)
