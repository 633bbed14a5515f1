"""The whole-data JSON-LD download, and the rule that nothing unpublished appears in any JSON-LD: not as a node, not
as a link's target, not as a pending change's words."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rdflib import RDF, Literal, URIRef

from cop_kb.linked_data.dump import write_graph
from cop_kb.records.models import Status
from cop_kb.records.pending import pending_change_save
from cop_kb.records.registry import record_models
from cop_kb.records.snapshots import Snapshot
from instruments.models import Instrument

from ..factories import link_everywhere, make_instrument, make_linked_graph
from .support import ELI, SCHEMA, blocks, parsed, shacl_report

pytestmark = pytest.mark.django_db

DUMP = "/data/downloads/cop_kb.jsonld"
BASE = "http://testserver"
UNPUBLISHED = [status for status in Status.values if status != Status.PUBLISHED]


def download(client) -> str:
    """The download as built now (``manage.py build_downloads``; a request never builds it)."""
    call_command("build_downloads", stdout=io.StringIO())
    response = client.get(DUMP)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    return body.decode()


def record_iri(record) -> URIRef:
    return URIRef(BASE + record.get_absolute_url())


def test_the_download_holds_every_public_record_and_passes_the_shapes(client, framework):
    graph = parsed(download(client))
    public = [record for model in record_models() for record in model.objects.public()]
    for record in public:
        assert (record_iri(record), SCHEMA.name, Literal(record.title)) in graph, record
        assert (record_iri(record), RDF.type, None) in graph, record
    typed_records = {node for node in graph.subjects(RDF.type, None) if str(node).startswith(BASE + "/")}
    dataset = URIRef(BASE + reverse("linked_data:download"))
    assert typed_records == {record_iri(record) for record in public} | {dataset}
    assert (dataset, RDF.type, SCHEMA.Dataset) in graph
    assert not list(graph.objects(dataset, SCHEMA.license))
    crc, opsc = (Instrument.objects.get(slug=slug) for slug in ("crc", "opsc"))
    assert (record_iri(opsc), ELI.based_on, record_iri(crc)) in graph
    conforms, report = shacl_report(graph)
    assert conforms, report


def test_the_download_is_rebuilt_when_the_content_changes(client, db):
    first = make_instrument(title="First instrument for the download")
    assert "First instrument for the download" in download(client)
    second = make_instrument(title="Second instrument for the download")
    body = download(client)
    assert second.title in body and first.title in body
    Instrument.objects.filter(pk=first.pk).update(status=Status.WITHDRAWN)
    body = download(client)
    assert first.title not in body and second.title in body
    # One file: each build replaces the one before.
    assert len(list(Path(settings.DOWNLOADS_DIR).glob("*.json"))) == 1


def test_the_download_is_revalidated_like_a_page(client, db):
    make_instrument()
    call_command("build_downloads", stdout=io.StringIO())
    first = client.get(DUMP)
    b"".join(first.streaming_content)
    assert first["ETag"] and first["Cache-Control"] == "no-cache" and "Set-Cookie" not in first
    assert client.get(DUMP, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    make_instrument()
    # Until the next build the file is the same, and says it no longer describes the current content.
    stale = client.get(DUMP, HTTP_IF_NONE_MATCH=first["ETag"])
    assert stale.status_code == 304 and stale["X-Content-Current"] == "no"
    call_command("build_downloads", stdout=io.StringIO())
    assert client.get(DUMP, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_download_is_read_in_batches_whatever_the_number_of_records(db):
    """Queries grow with batches, not records: 3 records and 33 of every type take the same number (one batch)."""

    class Discard:
        def write(self, text):
            return len(text)

    make_linked_graph(3)
    with CaptureQueriesContext(connection) as small:
        write_graph(Discard(), DUMP)
    make_linked_graph(30)
    with CaptureQueriesContext(connection) as large:
        write_graph(Discard(), DUMP)
    assert len(small) == len(large)


@pytest.fixture
def hidden_world(db):
    """Published records, and records in every unpublished state linked to and from them every way there is, plus a
    published record with changes waiting for review."""
    published = make_linked_graph(2)
    hidden = []
    for status in UNPUBLISHED:
        others = make_linked_graph(1, status=status)
        records = [record for records in others.values() for record in records]
        link_everywhere(records, published)
        hidden += records
    waiting = published[Instrument][0]
    waiting.title = "Pending title never published"
    snapshot = Snapshot(record=serializers.serialize("json", [waiting]))
    waiting.refresh_from_db()
    pending_change_save(record=waiting, snapshot=snapshot, user=None)
    return published, hidden


def leaks(text: str, hidden) -> list[str]:
    found = [record.get_absolute_url() for record in hidden if f'{record.get_absolute_url()}"' in text]
    found += [record.title for record in hidden if record.title in text]
    return found + (["pending title"] if "Pending title never published" in text else [])


def test_unpublished_records_are_never_nodes_or_link_targets(client, hidden_world):
    published, hidden = hidden_world
    assert not leaks(download(client), hidden)
    for records in published.values():
        for record in records:
            page = client.get(record.get_absolute_url()).content.decode()
            (block,) = blocks(page)
            assert json.loads(block)["@id"] == BASE + record.get_absolute_url()
            assert not leaks(block, hidden), record
            document = client.get(record.get_absolute_url().removesuffix("/") + ".jsonld").content.decode()
            assert not leaks(document, hidden), record
    # The links to and from published records are there: the test would see a leak if there were one.
    crawlable = parsed(download(client))
    assert len(set(crawlable.subjects(RDF.type, None))) > len(published)
