"""An editor at work in the admin, in a real browser: typing, then pressing a workflow button, loses nothing."""

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import Page, expect

from cop_kb.records.models import Status
from instruments.models import Instrument

from ..factories import make
from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor() -> User:
    user = User.objects.create_user("editor", "editor@example.org", PASSWORD, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_instrument", "change_instrument"]))
    return user


def test_typing_then_pressing_submit_for_review_saves_the_typing_and_submits(page: Page, site, editor):
    record = make(Instrument, status=Status.DRAFT, title="Browser draft convention")
    sign_in(page, "editor")
    page.goto(f"/admin/instruments/instrument/{record.pk}/change/")

    page.get_by_label("Summary").fill("Typed in the browser, then submitted.")
    page.get_by_role("button", name="Submit for review").click()

    expect(page.get_by_text("is now in review")).to_be_visible()
    expect(page.get_by_label("Summary")).to_have_value("Typed in the browser, then submitted.")
    record.refresh_from_db()
    assert (record.status, record.summary) == (Status.IN_REVIEW, "Typed in the browser, then submitted.")


def test_a_step_with_an_invalid_form_shows_the_error_and_keeps_the_typing(page: Page, site, editor):
    record = make(Instrument, status=Status.DRAFT, title="Browser draft with an error")
    sign_in(page, "editor")
    page.goto(f"/admin/instruments/instrument/{record.pk}/change/")

    page.locator("#id_title").fill("")
    page.get_by_label("Summary").fill("Typed before the error.")
    page.get_by_role("button", name="Submit for review").click()

    expect(page.get_by_text("Please correct the error below.").first).to_be_visible()
    expect(page.get_by_label("Summary")).to_have_value("Typed before the error.")
    record.refresh_from_db()
    assert (record.status, record.title) == (Status.DRAFT, "Browser draft with an error")
