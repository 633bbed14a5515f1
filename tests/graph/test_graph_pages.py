"""The relationship graph on detail pages and the explore page, as a reader and a crawler find them: every node a
link to a public record with an accessible name, the same links as the lists or table beside it, choices that narrow
it, bounds, and clear answers to bad addresses and choices."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.urls import reverse

from cop_kb.graph import neighbourhood
from cop_kb.graph.views import explore_url
from cop_kb.records.models import Status
from cop_kb.records.services import record_slug_changed
from instruments.models import InstrumentRelation

from ..factories import make_instrument, make_organisation, make_programme, make_provision, make_typed_link
from ..test_pages import read_page

pytestmark = pytest.mark.django_db

NODE = re.compile(r'<a class="graph-node ring-(\d)" href="([^"]+)" aria-label="([^"]+)"')


def graph_nodes(html: str, svg_id: str) -> dict[str, tuple[int, str]]:
    """The links drawn in the SVG with ``svg_id``: href -> (ring, accessible name)."""
    start = html.index(f'id="{svg_id}"')
    svg = html[start : html.index("</svg>", start)]
    return {href: (int(ring), name) for ring, href, name in NODE.findall(svg)}


@pytest.fixture
def web():
    """An instrument issued by an organisation, with provisions, supplemented by another instrument; the
    organisation also issued a third instrument (two steps away); a draft provision and a draft instrument linked
    to it every way."""
    body = make_organisation(title="Assembly of Graph Tests")
    treaty = make_instrument(title="Treaty on Graphs", issuing_body=body)
    protocol = make_instrument(title="Protocol on Graphs")
    make_typed_link(InstrumentRelation, protocol, treaty, InstrumentRelation.Kind.SUPPLEMENTS)
    articles = [make_provision(instrument=treaty, title=f"Graph Article {n}", number=str(n)) for n in (1, 2)]
    sibling = make_instrument(title="Sibling Convention", issuing_body=body)
    draft_article = make_provision(instrument=treaty, title="Hidden Article", number="99", status=Status.DRAFT)
    draft_treaty = make_instrument(title="Hidden Treaty", status=Status.DRAFT)
    make_typed_link(InstrumentRelation, draft_treaty, treaty, InstrumentRelation.Kind.AMENDS)
    return {
        "body": body,
        "treaty": treaty,
        "protocol": protocol,
        "articles": articles,
        "sibling": sibling,
        "hidden": [draft_article, draft_treaty],
    }


def test_a_detail_page_draws_each_link_as_a_named_link_beside_the_same_lists(client, web):
    treaty = web["treaty"]
    response = client.get(treaty.get_absolute_url())
    html = response.content.decode()
    page = read_page(response)

    nodes = graph_nodes(html, "record-graph")
    expected = {web["body"], web["protocol"], *web["articles"]}
    assert set(nodes) == {record.get_absolute_url() for record in expected}
    assert nodes[web["protocol"].get_absolute_url()][1] == "Protocol on Graphs (Instrument: Is supplemented by)"
    assert nodes[web["body"].get_absolute_url()][1] == "Assembly of Graph Tests (Organisation: Issued by)"
    # The lists beside it hold the same records: the picture adds no link a list does not name.
    assert set(nodes) == page.group_hrefs
    assert explore_url(treaty) in page.main_hrefs
    assert "Hidden" not in html
    # Relations label the edges; the legend names each type drawn, with its shape.
    assert ">Is supplemented by</text>" in html and ">Issued by</text>" in html
    assert re.search(r'<ul class="graph-legend"[^>]*>.*Organisations.*Instruments.*Provisions', html, re.S)


TABLE_ROW = re.compile(r'<tr><th scope="row"><a href="([^"]+)">([^<]+)</a></th><td>([^<]+)</td><td>([^<]+)</td></tr>')


def test_a_detail_page_lists_the_links_drawn_in_a_table_under_its_graph(client, web):
    html = client.get(web["treaty"].get_absolute_url()).content.decode()

    figure = html[html.index('<figure class="graph-figure"') : html.index("</figure>")]
    table = figure[figure.index("<details") :]
    assert "<summary>The links drawn, as a table</summary>" in table
    assert '<caption id="record-graph-links-caption">The links in the graph</caption>' in table
    rows = [(href, f"{title} ({kind}: {relation})") for href, title, kind, relation in TABLE_ROW.findall(table)]
    # A row per link drawn (here one per record), saying what its node's name says: the picture in words.
    assert sorted(rows) == sorted((href, name) for href, (_ring, name) in graph_nodes(html, "record-graph").items())
    assert len(rows) == 4


def test_a_record_without_links_shows_no_graph(client):
    lonely = make_instrument(title="Lonely Instrument")

    html = client.get(lonely.get_absolute_url()).content.decode()

    assert "graph-figure" not in html


def test_the_explore_page_draws_one_step_with_a_table_of_the_same_links(client, web):
    response = client.get(explore_url(web["treaty"]))
    html = response.content.decode()

    assert response.status_code == 200
    nodes = graph_nodes(html, "explore-graph")
    first = {web["body"], web["protocol"], *web["articles"]}
    assert set(nodes) == {record.get_absolute_url() for record in [*first, web["treaty"]]}
    assert nodes[web["treaty"].get_absolute_url()][0] == 0, "the record itself is in the middle, a link to its page"
    table = html[html.index('<table class="graph-table">') :]
    rows = set(re.findall(r'<th scope="row"><a href="([^"]+)"', table))
    assert {record.get_absolute_url() for record in first} == rows
    assert web["sibling"].title not in html and "Hidden" not in html


def test_two_steps_reach_the_records_linked_to_the_neighbours(client, web):
    html = client.get(explore_url(web["treaty"]) + "?depth=2").content.decode()

    nodes = graph_nodes(html, "explore-graph")
    ring, name = nodes[web["sibling"].get_absolute_url()]
    assert ring == 2
    assert name == "Sibling Convention (Instrument: Instruments it issued from Assembly of Graph Tests)"
    assert "Hidden" not in html


def test_a_second_step_relation_with_more_links_than_the_bound_is_counted_not_drawn(client, web, monkeypatch):
    # The assembly issued two instruments: the treaty (in the middle) and its sibling, two steps out.
    monkeypatch.setattr(neighbourhood, "HUB_LINKS", 1)

    html = client.get(explore_url(web["treaty"]) + "?depth=2").content.decode()

    assert web["sibling"].get_absolute_url() not in graph_nodes(html, "explore-graph")
    assert "And 2 more links, not drawn" in html, "both instruments it issued are counted, from the kept counts"


def test_a_second_step_typed_relation_with_more_links_than_the_bound_is_counted_not_drawn(client, web, monkeypatch):
    """Typed links have no kept counts: they are counted (an organisation leading thousands of programmes)."""
    protocol = web["protocol"]
    later = [make_instrument(title=f"Later Protocol {n}") for n in (1, 2)]
    for instrument in later:
        make_typed_link(InstrumentRelation, protocol, instrument, InstrumentRelation.Kind.SUPPLEMENTS)
    monkeypatch.setattr(neighbourhood, "HUB_LINKS", 2)

    html = client.get(explore_url(web["treaty"]) + "?depth=2").content.decode()

    nodes = graph_nodes(html, "explore-graph")
    assert protocol.get_absolute_url() in nodes
    assert not {instrument.get_absolute_url() for instrument in later} & set(nodes)
    assert "And 3 more links, not drawn" in html, "the protocol supplements three instruments, the treaty among them"


def test_a_second_step_relation_without_kept_counts_is_counted_when_over_the_bound(client, web, monkeypatch):
    """An article's programmes: no list facet keeps their counts, so they are counted."""
    article = web["articles"][0]
    programmes = [make_programme(title=f"Programme on Article {n}") for n in (1, 2)]
    for programme in programmes:
        programme.provisions.add(article)
    monkeypatch.setattr(neighbourhood, "HUB_LINKS", 1)

    html = client.get(explore_url(web["treaty"]) + "?depth=2").content.decode()

    assert not {programme.get_absolute_url() for programme in programmes} & set(graph_nodes(html, "explore-graph"))
    # The assembly's two instruments (kept counts) and the article's two programmes (counted).
    assert "And 4 more links, not drawn" in html


def test_a_second_step_relation_at_the_bound_is_drawn_and_unpublished_links_do_not_count(client, web, monkeypatch):
    """A record is a hub only past ``HUB_LINKS`` public links: found by looking for the one after the bound."""
    protocol, article = web["protocol"], web["articles"][0]
    # The protocol supplements the treaty, a published protocol and a draft: two public links, at the bound.
    published, draft = make_instrument(title="Later Protocol"), make_instrument(title="Draft Protocol", status="draft")
    for instrument in (published, draft):
        make_typed_link(InstrumentRelation, protocol, instrument, InstrumentRelation.Kind.SUPPLEMENTS)
    # The article has two programmes, one of them withdrawn: one public link (no kept counts for these).
    programmes = [make_programme(title="Programme on Article"), make_programme(title="Old", status="withdrawn")]
    for programme in programmes:
        programme.provisions.add(article)
    monkeypatch.setattr(neighbourhood, "HUB_LINKS", 2)

    html = client.get(explore_url(web["treaty"]) + "?depth=2").content.decode()

    nodes = graph_nodes(html, "explore-graph")
    assert {published.get_absolute_url(), programmes[0].get_absolute_url()} <= set(nodes)
    assert draft.get_absolute_url() not in html and programmes[1].get_absolute_url() not in html
    monkeypatch.setattr(neighbourhood, "HUB_LINKS", 1)
    caches["pages"].clear()  # the content is the same, so the page cached a moment ago would answer
    html = client.get(explore_url(web["treaty"]) + "?depth=2").content.decode()
    assert published.get_absolute_url() not in graph_nodes(html, "explore-graph"), "one past the bound: a hub"


def test_choosing_record_types_leaves_the_others_out(client, web):
    html = client.get(explore_url(web["treaty"]) + "?type=provisions&depth=1").content.decode()

    nodes = graph_nodes(html, "explore-graph")
    assert set(nodes) == {record.get_absolute_url() for record in [web["treaty"], *web["articles"]]}
    checked = re.findall(r'<input type="checkbox" name="type" value="([^"]+)"[^>]* checked>', html)
    assert checked == ["provisions"], "the form shows what was chosen"


def test_the_explore_page_stops_at_its_bound_and_says_how_many_more(client, web, monkeypatch):
    monkeypatch.setattr(neighbourhood, "EXPLORE_NODES", 3)

    html = client.get(explore_url(web["treaty"])).content.decode()

    assert len(graph_nodes(html, "explore-graph")) == 3
    assert "And 2 more links, not drawn" in html


@pytest.mark.parametrize(
    "query, message",
    [("depth=3", "Steps from the record"), ("depth=x", "Steps from the record"), ("type=nothing", "Record types")],
)
def test_a_choice_the_form_does_not_offer_is_a_clear_400(client, web, query, message):
    response = client.get(f"{explore_url(web['treaty'])}?{query}")

    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and message in html
    assert web["protocol"].get_absolute_url() in html, "the default graph is still shown"


def test_unknown_or_hidden_records_and_types_are_404(client, web):
    hidden = web["hidden"][1]
    for url in (
        reverse("graph:explore", args=["no-such-type", web["treaty"].slug]),
        reverse("graph:explore", args=["instruments", "no-such-record"]),
        reverse("graph:explore", args=["provisions", web["treaty"].slug]),
        explore_url(hidden),
        explore_url(hidden) + "?depth=2",
    ):
        assert client.get(url).status_code == 404, url


def test_a_former_slug_redirects_with_the_choices(client, web):
    treaty = web["treaty"]
    record_slug_changed(record=treaty, old_slug="old-treaty-on-graphs")
    former = reverse("graph:explore", args=["instruments", "old-treaty-on-graphs"])

    response = client.get(former + "?depth=2")

    assert response.status_code == 301
    assert response["Location"] == explore_url(treaty) + "?depth=2"


def test_the_explore_page_only_reads(client, web):
    assert client.post(explore_url(web["treaty"])).status_code == 405


def test_a_staff_preview_of_a_draft_draws_its_links_but_offers_no_explore_page(admin_client, web):
    draft = web["hidden"][1]
    content_type = ContentType.objects.get_for_model(draft)
    html = admin_client.get(reverse("record-preview", args=[content_type.pk, draft.pk])).content.decode()

    assert web["treaty"].get_absolute_url() in graph_nodes(html, "record-graph")
    assert "/explore/" not in html
