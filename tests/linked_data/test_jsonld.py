"""Linked data: every detail page's JSON-LD, a record's ``.jsonld`` address, and what they say about instruments.

Read with rdflib and checked against our SHACL shapes (``shapes.ttl``), with no network: the context is inline.
"""

import json
import re

import pytest
from django.test.utils import override_script_prefix
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from cop_kb.records.models import Status
from cop_kb.records.registry import record_models
from instruments.models import Instrument

from ..factories import link_fields, make, make_instrument, rename, typed_ends, typed_link_models
from .support import ELI, SCHEMA, XSD, blocks, parsed, shacl_report

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


def iri(path: str) -> URIRef:
    return URIRef(BASE + path)


def public_records():
    return [record for model in record_models() for record in model.objects.public().order_by("pk")]


def page_graph(client, record):
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    found = blocks(response.content.decode())
    assert len(found) == 1, record
    return parsed(found[0])


def test_every_detail_page_embeds_json_ld_that_passes_the_shapes(client, framework):
    records = public_records()
    assert {type(record) for record in records} == set(record_models())
    for record in records:
        graph = page_graph(client, record)
        node = iri(record.get_absolute_url())
        assert (node, SCHEMA.name, Literal(record.title)) in graph, record
        assert (node, None, None) in graph
        types = set(graph.objects(node, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")))
        assert len(types) == 1 and str(next(iter(types))).startswith(str(SCHEMA)), (record, types)
        conforms, report = shacl_report(graph)
        assert conforms, f"{record.get_absolute_url()}:\n{report}"


def test_an_instrument_says_its_date_identifier_issuer_and_force(client, framework):
    crc = Instrument.objects.get(slug="crc")
    graph = page_graph(client, crc)
    node = iri(crc.get_absolute_url())
    assert set(graph.objects(node, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))) == {SCHEMA.Legislation}
    assert list(graph.objects(node, SCHEMA.legislationDate)) == [Literal("1989-11-20", datatype=XSD.date)]
    assert list(graph.objects(node, ELI.first_date_entry_in_force)) == [Literal("1990-09-02", datatype=XSD.date)]
    assert list(graph.objects(node, SCHEMA.legislationIdentifier)) == [Literal("GA res. 44/25")]
    assert list(graph.objects(node, SCHEMA.legislationPassedBy)) == [iri(crc.issuing_body.get_absolute_url())]
    assert list(graph.objects(node, SCHEMA.legislationLegalForce)) == [SCHEMA.InForce]
    # The CRC is supplemented by the OPSC: said on the CRC's page too, as the OPSC's based_on.
    opsc = Instrument.objects.get(slug="opsc")
    assert (iri(opsc.get_absolute_url()), ELI.based_on, node) in graph


def test_a_protocol_supplementing_a_treaty_is_based_on_it(client, framework):
    opsc = Instrument.objects.get(slug="opsc")
    graph = page_graph(client, opsc)
    based_on = list(graph.objects(iri(opsc.get_absolute_url()), ELI.based_on))
    assert based_on == [iri(Instrument.objects.get(slug="crc").get_absolute_url())]


def test_partial_dates_keep_their_precision_and_unknown_facts_are_left_out(client, db):
    declaration = make_instrument(
        kind=Instrument.Kind.DECLARATION,
        adopted_on="2008-11-01",
        adopted_precision="month",
        entry_into_force_on=None,
        entry_into_force_precision="",
        reference_number="",
        issuing_body=None,
    )
    graph = page_graph(client, declaration)
    node = iri(declaration.get_absolute_url())
    assert list(graph.objects(node, SCHEMA.legislationDate)) == [Literal("2008-11", datatype=XSD.gYearMonth)]
    for absent in (ELI.first_date_entry_in_force, SCHEMA.legislationLegalForce, SCHEMA.legislationIdentifier):
        assert not list(graph.objects(node, absent)), absent
    year_only = make_instrument(
        adopted_on="2006-01-01", adopted_precision="year", entry_into_force_on=None, entry_into_force_precision=""
    )
    graph = page_graph(client, year_only)
    assert list(graph.objects(iri(year_only.get_absolute_url()), SCHEMA.legislationDate)) == [
        Literal("2006", datatype=XSD.gYear)
    ]


def test_a_hostile_title_cannot_break_out_of_the_block(client, db):
    title = '</script><script>alert("x")</script><!-- & -->'
    record = make_instrument(title=title, summary="<!--<script>")
    html = client.get(record.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "<!--<script>" not in html
    (block,) = blocks(html)
    document = json.loads(block)
    assert document["name"] == title
    assert document["description"] == "<!--<script>"


def test_the_jsonld_address_serves_the_page_graph(client, framework):
    for record in public_records()[::7]:
        address = record.get_absolute_url().removesuffix("/") + ".jsonld"
        response = client.get(address)
        assert response.status_code == 200, address
        assert response["Content-Type"] == "application/ld+json"
        assert isomorphic(parsed(response.content.decode()), page_graph(client, record)), address


def test_a_detail_page_links_to_its_jsonld_address(client, framework):
    crc = Instrument.objects.get(slug="crc")
    html = client.get(crc.get_absolute_url()).content.decode()
    assert '<link rel="alternate" type="application/ld+json" href="/instruments/crc.jsonld">' in html


def test_below_a_script_prefix_every_link_and_iri_of_a_page_carries_it(client, framework):
    """A site served below a path (``SCRIPT_NAME``): the links of a record's groups and every IRI of its JSON-LD
    block begin with it (the code writing them reads the prefix once per group or block)."""
    with override_script_prefix("/kb/"):
        html = client.get("/instruments/crc/").content.decode()
    items = re.findall(
        r'<li><a href="([^"]*)">[^<]*</a>(?: <span class="subtitle">[^<]*</span>)? <span class="type">', html
    )
    (block,) = blocks(html)
    site_ids = [iri for iri in re.findall(r'"@id": "([^"]*)"', block) if iri.startswith(BASE)]
    assert len(items) > 5 and len(site_ids) > 5
    assert [href for href in items if not href.startswith("/kb/")] == []
    assert [iri for iri in site_ids if not iri.startswith(BASE + "/kb/")] == []


@pytest.mark.parametrize("status", [status for status in Status.values if status != Status.PUBLISHED])
def test_unpublished_records_have_no_jsonld_address(client, db, status):
    for model in record_models():
        record = make(model, status=status)
        address = record.get_absolute_url().removesuffix("/") + ".jsonld"
        assert client.get(address).status_code == 404, address


def test_unknown_addresses_are_404(client, db):
    for address in ("/instruments/no-such.jsonld", "/no-such-type/crc.jsonld", "/instruments/a/b.jsonld", "/x.jsonld"):
        assert client.get(address).status_code == 404, address
    assert client.post("/instruments/crc.jsonld").status_code in (404, 405)


def test_a_former_slug_redirects_to_the_new_jsonld_address(client, db):
    old = rename(make_instrument(), "renamed-instrument")
    response = client.get(f"/instruments/{old}.jsonld")
    assert response.status_code == 301
    assert response["Location"] == "/instruments/renamed-instrument.jsonld"


def test_the_jsonld_address_is_revalidated_like_a_page(client, framework):
    address = "/instruments/crc.jsonld"
    first = client.get(address)
    assert first.status_code == 200 and first["ETag"] and "Set-Cookie" not in first
    again = client.get(address, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_relations_shown_under_one_label_are_published_as_one_property():
    """A page groups links by label and its JSON-LD writes each group under one property, so relations that share a
    label on a record type's page (a strategic area "Draws on" its provisions and its instruments) must share a
    property."""
    for model in record_models():
        terms: dict[tuple[str, bool], set[str]] = {}
        for other in record_models():
            for link in link_fields(other):
                if other is model:
                    terms.setdefault((str(link.label), False), set()).add(link.linked_data)
                if link.related_model is model:
                    terms.setdefault((str(link.inverse_label), True), set()).add(link.linked_data)
        for typed in typed_link_models():
            for end, inverse in zip(typed_ends(typed), (False, True), strict=True):
                if end is model:
                    for kind, labels in typed.LABELS.items():
                        terms.setdefault((str(labels[inverse]), inverse), set()).add(typed.linked_data_of(kind))
        assert not {key: found for key, found in terms.items() if len(found) > 1}, model
