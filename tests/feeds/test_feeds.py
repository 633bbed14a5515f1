"""Atom feeds of what changed: the site, every record type, every country and strategic area.

Feeds are read as a feed reader reads them (parsed XML, tests/feeds/support.py). Times are set explicitly and in an
order unlike the order of creation, so no test passes because records happen to be listed as they were made.
"""

import math
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from cop_kb.feeds.selectors import FEED_LENGTH
from cop_kb.records.links import linked_records
from cop_kb.records.models import AuditAction, Status
from cop_kb.records.pending import pending_change_save, pending_change_submit
from cop_kb.records.registry import record_type_of, record_types
from cop_kb.records.services import Attribution, RecordBefore, record_transition, records_saved
from cop_kb.records.snapshots import snapshot_of
from instruments.models import Instrument
from programmes.models import Programme
from strategy.models import Sector, StrategicArea

from ..factories import link_everywhere, make, make_linked_graph
from .support import ATOM, parse_feed

pytestmark = pytest.mark.django_db

RECORD_TYPES = record_types()
RECORD_FEED_TYPES = [entry for entry in RECORD_TYPES if entry.search_facet_self]
UNPUBLISHED = [status for status in Status.values if status != Status.PUBLISHED]
SITE_FEED = "/feeds/changes.atom"
EDITED = Attribution(action=AuditAction.CHANGE, comment="Edited in a test")


def at(minutes: int) -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)


def set_updated(record, when: datetime) -> None:
    type(record).objects.filter(pk=record.pk).update(updated_at=when)


def everything_updated_at(when: datetime) -> None:
    for entry in RECORD_TYPES:
        entry.model.objects.update(updated_at=when)


def type_feed(record_type) -> str:
    return f"/feeds/{record_type.slug}.atom"


def record_feed(record) -> str:
    return f"/feeds/{record_type_of(record._meta.label_lower).slug}/{record.slug}.atom"


def key(record) -> tuple[str, int]:
    return record_type_of(record._meta.label_lower).slug, record.pk


def entry_key(entry) -> tuple[str, int]:
    """(type's public name, primary key) from an entry's id, ``tag:host,date:<type>/<pk>``."""
    type_slug, pk = entry.id.rsplit(":", 1)[1].split("/")
    return type_slug, int(pk)


def feed(client, url: str):
    return parse_feed(client.get(url))


def publisher():
    return get_user_model().objects.create_superuser("feed-publisher", "publisher@example.org", "x")


def test_the_feed_addresses_are_the_agreed_ones():
    assert reverse("feeds:site") == SITE_FEED
    assert reverse("feeds:type", args=["instruments"]) == "/feeds/instruments.atom"
    assert reverse("feeds:record", args=["countries", "viet-nam"]) == "/feeds/countries/viet-nam.atom"
    assert {entry.slug for entry in RECORD_FEED_TYPES} == {"countries", "strategic-areas"}


def test_the_site_feed_lists_records_of_every_type_newest_change_first(client):
    records = [make(entry.model, title=f"Feed record {entry.slug}") for entry in RECORD_TYPES]
    everything_updated_at(at(-1000))
    # A step that shares no factor with the number of types: a permutation of the times, not the order of creation.
    step = next(step for step in range(5, 100) if math.gcd(step, len(records)) == 1)
    times = {key(record): at((number * step) % len(records)) for number, record in enumerate(records)}
    for record in records:
        set_updated(record, times[key(record)])

    parsed = feed(client, SITE_FEED)

    expected = sorted(records, key=lambda record: times[key(record)], reverse=True)
    assert [entry_key(entry) for entry in parsed.entries[: len(records)]] == [key(record) for record in expected]
    for entry, record in zip(parsed.entries, expected, strict=False):
        assert entry.title == record.title
        assert entry.link == f"http://testserver{record.get_absolute_url()}"
        assert entry.updated == times[key(record)]
        assert entry.category == record_type_of(record._meta.label_lower).name
    assert parsed.updated == max(times.values())
    assert parsed.alternate == "http://testserver/"


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=lambda entry: entry.slug)
def test_every_record_type_has_a_feed_of_its_own_records(client, record_type):
    record = make(record_type.model, title="The newest of its type", summary="What changed & why <it> matters.")
    parsed = feed(client, type_feed(record_type))
    assert parsed.entries[0].title == "The newest of its type"
    assert parsed.entries[0].summary == "What changed & why <it> matters."
    assert {entry.category for entry in parsed.entries} == {record_type.name}
    assert {entry_key(entry) for entry in parsed.entries} <= {
        key(other) for other in record_type.model.objects.public()
    }
    assert key(record) in {entry_key(entry) for entry in parsed.entries}
    assert parsed.alternate == f"http://testserver{record_type.list_url()}"


@pytest.mark.parametrize("record_type", RECORD_FEED_TYPES, ids=lambda entry: entry.slug)
def test_a_country_or_strategic_area_feed_lists_what_is_linked_to_it_either_way(client, record_type):
    subject = make(record_type.model, title="The subject")
    graph = make_linked_graph(2)
    link_everywhere([subject], graph)
    unrelated = make(Instrument, title="Linked to nothing")

    parsed = feed(client, record_feed(subject))

    # linked_records gives references: each record's status is read afresh.
    linked = {
        key(record)
        for record in linked_records(subject)
        if type(record).objects.filter(pk=record.pk, status=Status.PUBLISHED).exists()
    }
    assert {entry_key(entry) for entry in parsed.entries} == linked
    assert key(unrelated) not in linked
    assert len(parsed.entries) == len(linked) <= FEED_LENGTH
    assert parsed.alternate == f"http://testserver{subject.get_absolute_url()}"
    # Both directions: records the subject links to (if its type declares such links) and records linking to it.
    linking_to_it = {key(record) for record in linked_records(subject) if subject in linked_records(record)}
    assert linking_to_it and linking_to_it <= linked


def test_the_strategic_area_feed_has_records_it_links_to_and_records_linking_to_it(client):
    area = make(StrategicArea, title="An area")
    instrument = make(Instrument, title="An instrument the area draws on")
    area.instruments.add(instrument)
    programme = make(Programme, title="A programme serving the area")
    programme.strategic_areas.add(area)
    titles = set(feed(client, record_feed(area)).titles)
    assert titles == {"An instrument the area draws on", "A programme serving the area"}


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_records_that_are_not_published_appear_in_no_feed(client, status):
    subjects = [make(entry.model, title=f"Published {entry.slug}") for entry in RECORD_FEED_TYPES]
    hidden = make_linked_graph(1, status=status)
    link_everywhere(subjects, hidden)
    hidden_records = [record for records in hidden.values() for record in records]
    for record in hidden_records:
        set_updated(record, at(10_000))  # newer than anything: they would lead every feed if they leaked
    hidden_keys = {key(record) for record in hidden_records}

    urls = [SITE_FEED, *(type_feed(entry) for entry in RECORD_TYPES), *(record_feed(s) for s in subjects)]
    for url in urls:
        parsed = feed(client, url)
        shown = {entry_key(entry) for entry in parsed.entries}
        assert not shown & hidden_keys, url
        assert not {title for title in parsed.titles if title in {record.title for record in hidden_records}}
    for subject in subjects:
        assert feed(client, record_feed(subject)).entries == []


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_a_country_or_strategic_area_that_is_not_published_has_no_feed(client, status):
    for entry in RECORD_FEED_TYPES:
        hidden = make(entry.model, status=status)
        assert client.get(record_feed(hidden)).status_code == 404


def test_unknown_feeds_are_404(client):
    instrument = make(Instrument)
    assert client.get("/feeds/no-such-type.atom").status_code == 404
    assert client.get("/feeds/countries/no-such-country.atom").status_code == 404
    assert client.get("/feeds/no-such-type/viet-nam.atom").status_code == 404
    # Instruments have a type feed, but a single instrument has no feed of its own.
    assert client.get(f"/feeds/instruments/{instrument.slug}.atom").status_code == 404


def test_a_withdrawal_takes_the_record_out_of_every_feed_at_once(client):
    area = make(StrategicArea, title="An area")
    instrument = make(Instrument, title="Soon withdrawn")
    area.instruments.add(instrument)
    urls = [SITE_FEED, "/feeds/instruments.atom", record_feed(area)]
    for url in urls:
        assert "Soon withdrawn" in feed(client, url).titles, url  # and now cached

    record_transition(record=instrument, action="withdraw", user=publisher())

    for url in urls:
        assert "Soon withdrawn" not in feed(client, url).titles, url


def test_an_edit_moves_the_record_to_the_top_under_the_same_id(client):
    first, second = make(Instrument, title="Edited long ago"), make(Instrument, title="Edited lately")
    everything_updated_at(at(-1000))
    set_updated(first, at(0))
    set_updated(second, at(60))
    before = feed(client, "/feeds/instruments.atom")
    assert before.titles[:2] == ["Edited lately", "Edited long ago"]
    old_id = before.entries[1].id

    first.refresh_from_db()
    previously = RecordBefore.of(first)
    first.title = "Edited just now"
    first.save()
    records_saved([(first, previously)], by=EDITED)

    for url in (SITE_FEED, "/feeds/instruments.atom"):
        after = feed(client, url)
        assert after.titles[0] == "Edited just now", url
        assert after.entries[0].id == old_id
        assert after.entries[0].updated > at(60)


def test_entry_ids_are_tag_uris_of_type_and_key_that_survive_a_rename(client):
    record = make(Instrument, title="Renamed later", slug="before-the-rename")
    entry = feed(client, "/feeds/instruments.atom").entries[0]
    assert entry.id == f"tag:testserver,{record.created_at:%Y-%m-%d}:instruments/{record.pk}"

    previously = RecordBefore.of(record)
    record.slug = "after-the-rename"
    record.save()
    records_saved([(record, previously)], by=EDITED)

    renamed = feed(client, "/feeds/instruments.atom").entries[0]
    assert renamed.id == entry.id
    assert renamed.link == "http://testserver/instruments/after-the-rename/"
    every_id = [entry.id for entry in feed(client, SITE_FEED).entries]
    assert len(every_id) == len(set(every_id))


def test_the_feed_of_a_renamed_country_moves_with_it(client):
    country_type = next(entry for entry in RECORD_FEED_TYPES if entry.slug == "countries")
    country = make(country_type.model, slug="old-name")
    previously = RecordBefore.of(country)
    country.slug = "new-name"
    country.save()
    records_saved([(country, previously)], by=EDITED)
    response = client.get("/feeds/countries/old-name.atom")
    assert response.status_code == 301
    assert response["Location"] == "/feeds/countries/new-name.atom"


def test_a_feed_holds_the_50_most_recent_changes(client):
    sectors = [make(Sector, title=f"Sector {number:02d}") for number in range(FEED_LENGTH + 5)]
    everything_updated_at(at(-1000))
    for number, sector in enumerate(sectors):
        set_updated(sector, at((number * 7) % len(sectors)))  # 7 and 55 share no factor
    newest = sorted(sectors, key=lambda sector: Sector.objects.get(pk=sector.pk).updated_at, reverse=True)
    parsed = feed(client, "/feeds/sectors.atom")
    assert [entry_key(entry) for entry in parsed.entries] == [key(sector) for sector in newest[:FEED_LENGTH]]
    assert len(feed(client, SITE_FEED).entries) == FEED_LENGTH


def test_changes_waiting_for_review_never_reach_a_feed(client):
    area = make(StrategicArea, title="An area")
    record = make(Instrument, title="Published title", summary="Published summary.")
    area.instruments.add(record)
    set_updated(record, at(0))
    snapshot = snapshot_of(record)
    snapshot.record = snapshot.record.replace("Published title", "Pending title").replace(
        "Published summary.", "Pending summary."
    )
    user = publisher()
    pending_change_save(record=record, snapshot=snapshot, user=user)
    pending_change_submit(record=record, user=user)

    for url in (SITE_FEED, "/feeds/instruments.atom", record_feed(area)):
        parsed = feed(client, url)
        assert "Published title" in parsed.titles, url
        assert "Pending title" not in parsed.titles
        assert not [entry for entry in parsed.entries if "Pending" in entry.summary]
        assert next(entry for entry in parsed.entries if entry.title == "Published title").updated == at(0)


def test_a_feed_is_cached_and_a_revalidation_is_a_304(client, django_assert_max_num_queries):
    make(Instrument, title="Cached")
    with django_assert_max_num_queries(3):  # the content version, the records of every type in one query, no more
        first = client.get(SITE_FEED)
    assert first.status_code == 200
    assert not first.cookies
    assert first["Cache-Control"] == "no-cache"
    with django_assert_max_num_queries(1):
        again = client.get(SITE_FEED)
    assert again.content == first.content
    revalidated = client.get(SITE_FEED, HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 304
    make(Instrument, title="Newer")
    assert client.get(SITE_FEED, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_record_feed_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    area = make(StrategicArea, title="An area")
    link_everywhere([area], make_linked_graph(3))
    with django_assert_max_num_queries(4):  # content version, the area, its linked records in one query
        assert client.get(record_feed(area)).status_code == 200


def test_a_browser_is_given_a_stylesheet_from_the_site_itself(client):
    make(Instrument)
    parsed = feed(client, SITE_FEED)
    assert parsed.stylesheet == f'href="{static("css/feed.css")}" media="screen" type="text/css"'
    path = finders.find("css/feed.css")
    assert path
    with open(path, encoding="utf-8") as stylesheet:
        assert '@namespace url("http://www.w3.org/2005/Atom");' in stylesheet.read()


class _Alternates(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.feeds: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate" and attrs.get("type") == "application/atom+xml":
            self.feeds.append(attrs["href"])


def discovered(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    reader = _Alternates()
    reader.feed(response.content.decode())
    return reader.feeds


def test_the_home_page_announces_the_site_feed(client):
    assert discovered(client, "/") == [SITE_FEED]


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=lambda entry: entry.slug)
def test_every_list_page_announces_its_type_feed(client, record_type):
    make(record_type.model)
    assert discovered(client, record_type.list_url()) == [type_feed(record_type)]
    assert feed(client, type_feed(record_type)).alternate == f"http://testserver{record_type.list_url()}"


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=lambda entry: entry.slug)
def test_country_and_strategic_area_pages_announce_their_feed_and_no_other_page_does(client, record_type):
    record = make(record_type.model)
    found = discovered(client, record.get_absolute_url())
    if record_type in RECORD_FEED_TYPES:
        assert found == [record_feed(record)]
        assert feed(client, found[0]).alternate == f"http://testserver{record.get_absolute_url()}"
    else:
        assert found == []


def test_the_feed_is_written_by_the_product(client, settings):
    root = ElementTree.fromstring(client.get(SITE_FEED).content)  # noqa: S314 - our own feed

    assert root.findtext(f"{ATOM}author/{ATOM}name") == settings.SITE_NAME == "Child Online Protection Knowledge Base"
