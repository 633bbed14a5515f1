"""An editor's and a publisher's daily work in the admin, in Chromium with the framework loaded: the queue of what
waits for review on the admin home, the status badge, the warning on publishing a record with no source, link
pickers that tell records apart and keep a record picked twice, and the slug filled in from the title.

Every admin page these flows visit (the admin home with the queue, a change list, a change form with its link pickers
open, the add form) is scanned whole with axe at desktop and phone width: Django's admin as the project styles it
(``static/css/admin-overrides.css``) and labels it (``static/js/admin-link-pickers.js``). No page may log a console
error — a style or script the Content-Security-Policy refuses among them — or fail to load a resource.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Permission, User
from playwright.sync_api import Page, expect

from cop_kb.records.models import Status
from cop_kb.records.services import record_transition
from instruments.models import Instrument
from programmes.models import Programme

from ..factories import make
from .conftest import DESKTOP, PASSWORD, PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# Sources and aliases are edited on a record's page, as the Editors group may.
MODELS = ("programme", "instrument", "source", "alias")


def staff(username: str, *, publisher: bool = False) -> User:
    """A staff member who may view and change programmes and instruments, and publish them if ``publisher``."""
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=True)
    codenames = [f"{action}_{model}" for action in ("view", "change", "add", "delete") for model in MODELS]
    if publisher:
        codenames.append("publish_records")
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def watch(page: Page) -> list[str]:
    """Console errors, script errors and resources that failed to load, as the page is used."""
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response", lambda response: response.status >= 400 and problems.append(f"{response.url}: {response.status}")
    )
    page.on("requestfailed", lambda request: problems.append(f"{request.url}: {request.failure}"))
    return problems


def axe_problems(page: Page) -> list[str]:
    """axe's violations on the whole page: each rule broken, with the elements that break it.

    Without ``preload``: axe would copy the page's style sheets into ``<style>`` elements, which the strict
    Content-Security-Policy refuses (so it could not read them anyway), logging an error on a page that made none.
    """
    # After a click, the page's elements can be asserted on before its deferred scripts have run: axe waits for the
    # page the user is left with, which admin-accessibility.js has finished naming.
    page.wait_for_load_state()
    results = Axe().run(page, options={"resultTypes": ["violations"], "preload": False})
    return [
        f"{page.url}: {violation['id']}: {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
    ]


def test_the_admin_home_lists_what_waits_for_review_and_the_record_shows_its_status(open_page, site):
    editor = staff("editor")
    staff("publisher", publisher=True)
    programme = Programme.objects.get(slug="digital-citizenship-and-safety")
    for step in ("withdraw", "return"):
        record_transition(record=programme, action=step, user=User.objects.get(username="publisher"))
    record_transition(record=programme, action="submit", user=editor)
    problems = []
    for viewport in (DESKTOP, PHONE):
        page = open_page(viewport=viewport)
        problems += watch(page)
        sign_in(page, "publisher")

        queue = page.get_by_role("table", name="Waiting for review (1)")
        row = queue.get_by_role("row", name=programme.title)
        expect(row).to_contain_text("Programme")
        expect(row).to_contain_text("editor")
        # The queue comes before the report of records due for review.
        due = page.get_by_role("link", name="Records due for review")
        assert queue.bounding_box()["y"] < due.bounding_box()["y"]
        # The whole table fits the page's width, on a phone too.
        box = queue.bounding_box()
        assert box["x"] + box["width"] <= page.viewport_size["width"]
        problems += axe_problems(page)

        row.get_by_role("link", name=programme.title).click()
        expect(page.locator(".record-status")).to_have_text("Status: In review")
        problems += axe_problems(page)

        page.goto("/admin/programmes/programme/")
        expect(page.get_by_role("link", name=programme.title)).to_be_visible()
        problems += axe_problems(page)
    assert not problems, "\n".join(problems)


def test_publishing_a_record_with_no_source_warns_and_says_where_to_add_one(page: Page, site):
    staff("publisher", publisher=True)
    record = make(Instrument, status=Status.IN_REVIEW, title="Convention with nothing to cite")
    problems = watch(page)
    sign_in(page, "publisher")
    page.goto(f"/admin/instruments/instrument/{record.pk}/change/")

    page.get_by_role("button", name="Publish", exact=True).click()

    expect(page.locator(".record-status")).to_have_text("Status: Published")
    warning = page.locator(".messagelist .warning")
    expect(warning).to_contain_text("Published with no source")
    warning.get_by_role("link", name="Convention with nothing to cite").click()
    expect(page.get_by_role("heading", name="Sources")).to_be_in_viewport()
    record.refresh_from_db()
    assert record.status == Status.PUBLISHED
    problems += axe_problems(page)
    assert not problems, "\n".join(problems)


def test_link_pickers_name_short_name_and_type_and_keep_a_record_picked_twice(open_page, site):
    staff("editor")
    programme = Programme.objects.get(slug="digital-citizenship-and-safety")
    programme.instruments.clear()
    problems = []
    for viewport in (DESKTOP, PHONE):
        page = open_page(viewport=viewport)
        problems += watch(page)
        sign_in(page, "editor")
        page.goto(f"/admin/programmes/programme/{programme.pk}/change/")
        picker = page.locator(".field-instruments .select2-selection")
        chosen = page.locator(".field-instruments .select2-selection__choice")

        for _time in range(2):
            picker.click()
            page.keyboard.type("Council of Europe")
            results = page.locator(".select2-results__option")
            expect(results).to_have_count(2)
            expect(results.first).to_have_text(
                "Budapest Convention — Council of Europe Convention on Cybercrime (Instrument)"
            )
            expect(results.nth(1)).to_contain_text(
                "Lanzarote Convention — Council of Europe Convention on the Protection"
            )
            # The open picker's search box is named after its field, for a screen reader and for axe.
            expect(page.get_by_role("searchbox", name="Instruments")).to_be_focused()
            problems += axe_problems(page)
            results.filter(has_text="Lanzarote Convention").click()
            # Picked again, the convention stays chosen (Select2 alone would remove it).
            expect(chosen).to_have_count(1)
            expect(chosen).to_contain_text("Lanzarote Convention")

        # Readable: the picker takes the form's width up to about 34 characters' worth of em, never overflowing.
        box = page.locator(".field-instruments .select2-container").bounding_box()
        assert box["width"] >= min(500, page.viewport_size["width"] - 120)
        assert box["x"] + box["width"] <= page.viewport_size["width"]
        # The × still removes it.
        chosen.locator(".select2-selection__choice__remove").click()
        page.keyboard.press("Escape")
        expect(chosen).to_have_count(0)
    assert not problems, "\n".join(problems)


def test_the_slug_follows_the_title_on_a_new_record_and_stays_on_a_saved_one(page: Page, site):
    staff("editor")
    problems = watch(page)
    sign_in(page, "editor")
    page.goto("/admin/programmes/programme/add/")
    expect(page.get_by_text("filled in from the title as you type it")).to_be_visible()

    page.get_by_label("Title:", exact=True).press_sequentially("Safer Internet Day in Viet Nam")

    expect(page.get_by_label("Slug")).to_have_value("safer-internet-day-in-viet-nam")
    problems += axe_problems(page)

    programme = Programme.objects.get(slug="digital-citizenship-and-safety")
    page.goto(f"/admin/programmes/programme/{programme.pk}/change/")
    page.get_by_label("Title:", exact=True).press_sequentially(" (revised)")
    expect(page.get_by_label("Slug")).to_have_value("digital-citizenship-and-safety")
    assert not problems, "\n".join(problems)
