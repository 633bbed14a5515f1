"""Links written in a body lead only to public records: a link to a record the public cannot see is shown as its text.

The link follows the record it names: it appears when that record is published (or renamed to the address the link
uses) and goes when it is withdrawn, returned to draft or deleted. The data-quality report lists the bodies that
link to records that are not public.
"""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.body_links import records_linking_to_hidden
from cop_kb.records.models import BodyLink, Status
from cop_kb.search.models import SearchDocument
from instruments.models import Instrument

from ..factories import make
from .support import admin_url, edit_in_admin, transition_url
from .test_review import SOURCE, listed

pytestmark = pytest.mark.django_db

BODY = 'See [the new country](/countries/new-x/ "Republic of New X") and [every country](/countries/).'
AS_TEXT = "<p>See the new country and"
AS_LINK = '<p>See <a href="/countries/new-x/" title="Republic of New X" rel="noopener noreferrer">the new country</a>'


def public_page(client, record) -> str:
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def indexed_body(record) -> str:
    content_type = ContentType.objects.get_for_model(record)
    return SearchDocument.objects.get(content_type=content_type, object_id=record.pk).body


def test_a_published_body_shows_a_link_to_a_draft_as_its_text_alone(client):
    make(Country, slug="new-x", title="Republic of New X", status=Status.DRAFT)
    page = make(Instrument, title="Links to a draft", body=BODY)

    shown = public_page(client, page)

    assert AS_TEXT in shown
    assert "/countries/new-x/" not in shown
    assert "Republic of New X" not in shown
    assert indexed_body(page) == "See the new country and every country ."


def test_links_to_public_records_other_pages_other_sites_and_within_the_page_are_kept(client):
    make(Country, slug="new-x", status=Status.DRAFT)
    make(Country, slug="out-there")
    kept = [
        "/countries/out-there/",
        "/countries/",
        "https://elsewhere.example/countries/new-x/",
        "mailto:new-x@example.org",
        "#new-x",
    ]
    links = " ".join(f"[kept {number}]({address})" for number, address in enumerate(kept))
    page = make(Instrument, body=f"{links} [gone](/countries/new-x/)")

    shown = public_page(client, page)

    assert [f'<a href="{address}"' in shown for address in kept] == [True] * len(kept)
    assert " gone</p>" in shown


@pytest.mark.parametrize(
    "address",
    [
        "/countries/new-x/",
        "/countries/new-x",
        "/countries/new-x/#history",
        "http://testserver/countries/new-x/",
        "//testserver/countries/new-x/?tab=links",
        "../../countries/new-x/",
    ],
)
def test_every_way_of_writing_a_link_to_a_draft_is_shown_as_text(client, address):
    make(Country, slug="new-x", status=Status.DRAFT)
    page = make(Instrument, body=f"Read [about it]({address}).")

    assert "<p>Read about it.</p>" in public_page(client, page)


def test_the_link_appears_when_the_draft_is_published_and_goes_when_it_is_withdrawn(client, publisher_client):
    target = make(Country, slug="new-x", title="Republic of New X", status=Status.DRAFT)
    page = make(Instrument, title="Links to a draft", body=BODY)

    publisher_client.post(transition_url(target, "publish"))
    published = public_page(client, page)
    publisher_client.post(transition_url(target, "withdraw"))
    withdrawn = public_page(client, page)

    assert AS_LINK in published
    assert AS_TEXT in withdrawn and "/countries/new-x/" not in withdrawn
    assert indexed_body(page) == "See the new country and every country ."


def test_the_link_goes_when_the_record_is_deleted(client, publisher_client):
    target = make(Country, slug="new-x", title="Republic of New X")
    page = make(Instrument, title="Links to a country", body=BODY)
    assert AS_LINK in public_page(client, page)

    response = publisher_client.post(admin_url(Country, "delete", target.pk), {"post": "yes"})

    assert response.status_code == 302
    assert AS_TEXT in public_page(client, page)


def test_the_link_appears_when_a_record_is_renamed_to_its_address_and_its_former_address_keeps_working(
    client, admin_client
):
    target = make(Country, slug="old-x", title="Republic of New X")
    ahead = make(Instrument, title="Links ahead", body=BODY)
    behind = make(Instrument, title="Links behind", body="Read [about it](/countries/old-x/).")
    assert AS_TEXT in public_page(client, ahead)

    edit_in_admin(admin_client, target, slug="new-x")

    assert AS_LINK in public_page(client, ahead)
    assert '<a href="/countries/old-x/"' in public_page(client, behind)


def test_publishing_a_record_renders_the_bodies_that_link_to_it_in_a_fixed_number_of_queries(publisher_client):
    few, many = make(Country, status=Status.DRAFT), make(Country, status=Status.DRAFT)
    linking = {
        record: [make(Instrument, body=f"[it]({record.get_absolute_url()})") for _ in range(count)]
        for record, count in ((few, 2), (many, 20))
    }
    counts = {}
    assert not any(
        f'<a href="{many.get_absolute_url()}"' in public_page(publisher_client, page) for page in linking[many]
    )

    for record in (few, many):
        with CaptureQueriesContext(connection) as queries:
            publisher_client.post(transition_url(record, "publish"))
        counts[record] = len(queries)

    assert counts[few] == counts[many]
    for record, pages in linking.items():
        shown = [f'<a href="{record.get_absolute_url()}"' in public_page(publisher_client, page) for page in pages]
        assert shown == [True] * len(pages)


def test_refresh_body_links_renders_bodies_saved_before_links_were_stored(client, publisher_client):
    target = make(Country, slug="new-x", title="Republic of New X", status=Status.DRAFT)
    page = make(Instrument, title="Saved long ago", body=BODY)
    # As an older version saved it: the link in the HTML, nothing stored.
    Instrument.objects.filter(pk=page.pk).update(body_html=f"{AS_LINK} and more.</p>")
    BodyLink.objects.all().delete()

    call_command("refresh_body_links", stdout=io.StringIO())

    assert AS_TEXT in public_page(client, page)
    publisher_client.post(transition_url(target, "publish"))
    assert AS_LINK in public_page(client, page)


@pytest.mark.parametrize("links", [2, 20])
def test_rendering_a_body_looks_its_links_up_in_a_fixed_number_of_queries(links):
    drafts = [make(Country, status=Status.DRAFT) for _ in range(links // 2)]
    public = [make(Organisation) for _ in range(links // 2)]
    body = "\n\n".join(f"[{record.title}]({record.get_absolute_url()})" for record in [*drafts, *public])
    page = make(Instrument, status=Status.DRAFT)

    page.body = body
    with CaptureQueriesContext(connection) as queries:
        page.save()

    # Per linked record type, its former slugs and its records; the update; the links stored in place of the old.
    assert len(queries) == 2 * 2 + 1 + 2
    assert page.body_html.count("<a ") == len(public)
    assert all(f'href="{draft.get_absolute_url()}"' not in page.body_html for draft in drafts)


def test_data_quality_report_lists_records_whose_bodies_link_to_records_that_are_not_public(editor_client):
    make(Country, slug="new-x", title="Republic of New X", status=Status.DRAFT)
    make(Organisation, slug="gone", status=Status.WITHDRAWN)
    make(Country, slug="out-there")
    complete = {"sources": [SOURCE], "issuing_body": make(Organisation, sources=[SOURCE])}
    make(Instrument, title="Links to a draft", body=BODY, **complete)
    make(Instrument, title="Links to two", body="[a](/countries/new-x/) [b](/organisations/gone/)", **complete)
    make(Instrument, title="Links to a public record", body="[c](/countries/out-there/)", **complete)
    make(Instrument, title="Links to nothing there", body="[d](/countries/never-was/)", **complete)

    rows = listed(editor_client, "admin-data-quality")

    assert rows["Links to a draft"] == "body links to records that are not public (/countries/new-x/)"
    assert rows["Links to two"] == (
        "body links to records that are not public (/countries/new-x/, /organisations/gone/)"
    )
    assert "Links to a public record" not in rows
    assert "Links to nothing there" not in rows


@pytest.mark.parametrize("pages", [2, 20])
def test_data_quality_report_finds_links_to_hidden_records_in_a_fixed_number_of_queries(pages):
    make(Country, slug="new-x", status=Status.DRAFT)
    make(Organisation, slug="gone", status=Status.WITHDRAWN)
    linking = [make(Instrument, body="[a](/countries/new-x/) [b](/organisations/gone/)") for _ in range(pages)]
    make(Instrument, body="[c](/countries/)")

    with CaptureQueriesContext(connection) as queries:
        found = records_linking_to_hidden(Instrument)

    assert found == {page.pk: ("/countries/new-x/", "/organisations/gone/") for page in linking}
    # The records whose links name a hidden record; per linked record type, its former slugs and its records.
    assert len(queries) == 1 + 2 * 2


def test_a_record_created_already_published_turns_earlier_links_to_it_into_links():
    """A body saved before its target existed shows text; the target's creation (published, as the loader and
    the services make records) renders that body again with the link."""
    page = make(Instrument, title="Written first", body="See [the newcomer](/countries/created-later/).")
    assert 'href="/countries/created-later/"' not in Instrument.objects.get(pk=page.pk).body_html

    make(Country, slug="created-later", title="Created later")

    assert 'href="/countries/created-later/"' in Instrument.objects.get(pk=page.pk).body_html
