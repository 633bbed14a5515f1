"""CSV of any list and any search: every matching published record, stable columns, links as slugs, no formulas."""

from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cop_kb.exports import csv_export
from cop_kb.exports.columns import cell, record_columns
from cop_kb.records.chunks import queries_per_chunk
from cop_kb.records.models import Status
from cop_kb.records.registry import record_types
from cop_kb.records.selectors import list_facets
from instruments.models import Instrument, InstrumentRelation
from programmes.models import Output, Programme

from ..factories import make, make_linked_graph, make_typed_link, record_models
from ..test_pages import read_page
from ..test_query_counts import facet_value
from .support import header_of, read_csv, values

pytestmark = pytest.mark.django_db

RECORD_MODELS = record_models()


def csv_url(url: str, **params) -> str:
    joined = {**params, "format": "csv"}
    return f"{url}{'&' if '?' in url else '?'}{urlencode(joined)}"


# ---- cells -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised(start):
    assert cell(f'{start}HYPERLINK("https://evil.example")') == f'\'{start}HYPERLINK("https://evil.example")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_formula_in_a_record_reaches_the_file_neutralised(client, start):
    make(Instrument, title=f"{start}1+2 Convention", summary=f"{start}cmd|' /C calc'!A0")
    (row,) = read_csv(client.get(csv_url("/instruments/")))
    assert row["title"] == f"'{start}1+2 Convention"
    assert row["summary"] == f"'{start}cmd|' /C calc'!A0"


def test_text_that_only_contains_formula_characters_is_left_as_it_is():
    assert cell("Convention 2+2 = 4 @ Geneva") == "Convention 2+2 = 4 @ Geneva"
    assert cell(None) == ""


def test_a_multi_valued_cell_splits_back_into_its_values():
    written = cell(["crc", "a|b", "back\\slash"])
    assert written == "crc|a\\|b|back\\\\slash"
    assert values(written) == ["crc", "a|b", "back\\slash"]


def test_column_names_are_unique_for_every_record_type():
    for entry in record_types():
        names = [column.name for column in record_columns(entry.model, "")]
        assert len(names) == len(set(names)), (entry.slug, names)


# ---- lists -------------------------------------------------------------------------------------------------------


@pytest.fixture
def graph():
    return make_linked_graph(3)


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda model: model.__name__)
def test_a_list_exports_every_published_record_with_the_columns_of_its_type(client, graph, model):
    make(model, status=Status.DRAFT, title="Draft one")
    response = client.get(csv_url(model.get_list_url()))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    slug = next(entry.slug for entry in record_types() if entry.model is model)
    today = timezone.localdate()
    assert response["Content-Disposition"] == f'attachment; filename="cop_kb-{slug}-{today:%Y-%m-%d}.csv"'
    rows = read_csv(client.get(csv_url(model.get_list_url())))
    assert sorted(row["slug"] for row in rows) == sorted(model.objects.public().values_list("slug", flat=True))
    assert "Draft one" not in {row["title"] for row in rows}
    assert header_of(client.get(csv_url(model.get_list_url()))) == [column.name for column in record_columns(model, "")]
    first = next(row for row in rows if row["slug"] == graph[model][0].slug)
    assert first["page_url"] == f"http://testserver{graph[model][0].get_absolute_url()}"
    assert values(first["tags"]) and values(first["aliases"])


def test_links_are_the_slugs_of_public_records_only(client):
    crc = make(Instrument, slug="crc", title="Convention on the Rights of the Child")
    opsc = make(Instrument, slug="opsc", title="Optional Protocol")
    hidden = make(Instrument, slug="hidden-treaty", title="Hidden treaty", status=Status.DRAFT)
    make_typed_link(InstrumentRelation, opsc, crc, "supplements")
    make_typed_link(InstrumentRelation, opsc, hidden, "supplements")
    programme = make(Programme, title="Programme with links")
    programme.instruments.set([crc, opsc, hidden])
    rows = {row["slug"]: row for row in read_csv(client.get(csv_url("/instruments/")))}
    assert rows["opsc"]["supplements"] == "crc"
    assert rows["crc"]["supplements"] == ""  # the inverse is the OPSC's row, not a column of the CRC
    assert rows["opsc"]["issuing_body"] == ""
    (row,) = [row for row in read_csv(client.get(csv_url("/programmes/"))) if row["slug"] == programme.slug]
    assert values(row["instruments"]) == ["crc", "opsc"]
    assert "hidden-treaty" not in str(read_csv(client.get(csv_url("/programmes/"))))


def test_dates_are_written_as_far_as_they_are_known(client):
    make(Instrument, slug="known-in-part")  # day, month and year precision (tests/factories.py)
    (row,) = read_csv(client.get(csv_url("/instruments/")))
    assert (row["adopted_on"], row["opened_for_signature_on"], row["entry_into_force_on"]) == (
        "2000-05-25",
        "2000-06",
        "2002",
    )
    assert "adopted_precision" not in row


def test_a_field_named_url_keeps_its_value_beside_the_page_address(client):
    output = make(Output, url="https://example.org/report.pdf")
    (row,) = [row for row in read_csv(client.get(csv_url("/outputs/"))) if row["slug"] == output.slug]
    assert row["url"] == "https://example.org/report.pdf"
    assert row["page_url"].endswith(output.get_absolute_url())


def _page_slugs(client, url: str) -> tuple[int, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count, [record.slug for record in response.context["object_list"]]


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda model: model.__name__)
def test_a_filtered_list_exports_exactly_the_records_the_page_counts(client, graph, model):
    for facet in list_facets(model):
        for sort in ("title", "-updated"):
            query = {facet.param: facet_value(model, facet, graph), "sort": sort, "year_from": 1000}
            url = f"{model.get_list_url()}?{urlencode(query)}"
            count, slugs = _page_slugs(client, url)
            exported = [row["slug"] for row in read_csv(client.get(csv_url(url)))]
            assert len(exported) == count, url
            assert exported[: len(slugs)] == slugs, url  # in the page's order
            assert count, f"{url} should match something"


def test_the_export_has_every_page_not_just_one(client):
    for number in range(55):
        make(Instrument, slug=f"paged-{number:02d}", title=f"Paged {number:02d}")
    count, slugs = _page_slugs(client, "/instruments/?sort=title")
    assert (count, len(slugs)) == (55, 50)
    exported = [row["slug"] for row in read_csv(client.get("/instruments/?sort=title&format=csv"))]
    assert exported == [f"paged-{number:02d}" for number in range(55)]


# ---- the link on the page ----------------------------------------------------------------------------------------


def test_list_and_search_pages_link_to_their_export_with_the_current_filters(client, graph):
    instrument = graph[Instrument][0]
    page = read_page(client.get("/instruments/?kind=convention&sort=-updated&page=1"))
    export = [link for link in page.links if link.text.startswith("Export CSV")]
    assert [link.href for link in export] == ["?kind=convention&sort=-updated&format=csv"]
    assert "records listed, as a spreadsheet file" in export[0].text  # says what it is to a screen reader
    search = read_page(client.get(f"/search/?q={instrument.title.split()[0]}&type=instruments.instrument"))
    assert [link.href for link in search.links if link.text.startswith("Export CSV")] == [
        f"?q={instrument.title.split()[0]}&type=instruments.instrument&format=csv"
    ]


# ---- search ------------------------------------------------------------------------------------------------------


def test_a_search_exports_every_match_of_every_page_and_type(client, graph, monkeypatch):
    monkeypatch.setattr("cop_kb.search.selectors.PER_PAGE", 5)
    make(Instrument, title="Draft summary holder", status=Status.DRAFT)
    response = client.get("/search/?q=summary")
    total = response.context["results"].total
    assert total == sum(model.objects.public().count() for model in RECORD_MODELS) > 5
    rows = read_csv(client.get("/search/?q=summary&format=csv"))
    assert len(rows) == total
    assert rows[0].keys() >= {"type", "slug", "title", "page_url", "tags", "aliases", "updated_at"}
    public = {(entry.slug, record.slug) for entry in record_types() for record in entry.model.objects.public()}
    assert {(row["type"], row["slug"]) for row in rows} == public
    order = [entry.slug for entry in record_types()]
    assert [row["type"] for row in rows] == sorted((row["type"] for row in rows), key=order.index)  # by type


def test_a_filtered_search_exports_what_the_page_counts(client, graph):
    for query in (
        {"q": "summary", "type": "instruments.instrument"},
        {"q": "summary", "tag": "graph"},
        {"q": "summary", "country": graph[RECORD_MODELS[0]][0].slug},
        {"q": "summary -instrument"},
    ):
        url = f"/search/?{urlencode(query)}"
        total = client.get(url).context["results"].total
        assert len(read_csv(client.get(csv_url(url)))) == total, url


def test_a_search_with_no_words_or_rejected_words_exports_only_a_header(client, graph):
    for query in ("", '"', "-only", "NEAR(", ")))"):
        response = client.get(csv_url("/search/", q=query))
        assert response.status_code == 200
        assert read_csv(response) == []


# ---- bad parameters ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/instruments/?format=xlsx", 400),
        ("/search/?q=child&format=json", 400),
        ("/instruments/?format=csv&page=abc", 404),
        ("/instruments/?format=csv&page=99", 404),
        ("/instruments/?format=csv&page=0", 404),
        ("/search/?q=summary&format=csv&page=abc", 404),
        ("/search/?q=summary&format=csv&page=99", 404),
        ("/instruments/?format=csv&page=1", 200),
        ("/instruments/?format=csv&page=last", 200),
        ("/instruments/?format=csv&year_from=abc&sort=nonsense&kind=%00", 200),
        ("/instruments/?format=csv&issuing_body=" + "x" * 5000, 200),
        ("/search/?format=csv&q=" + "%F0%9F%98%80" * 300, 200),
    ],
)
def test_bad_parameters_get_the_pages_answer_never_a_server_error(client, graph, url, status):
    response = client.get(url)
    assert response.status_code == status, url
    if status == 400:
        assert "format=csv" in response.content.decode()


def test_format_on_other_pages_is_ignored(client, graph):
    assert client.get(graph[Instrument][0].get_absolute_url() + "?format=xlsx").status_code == 200


# ---- the page cache and streaming ------------------------------------------------------------------------------


def test_a_streamed_export_is_not_cached_and_the_page_still_is(client, graph):
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            rows = read_csv(client.get("/instruments/?format=csv"))
        assert len(rows) == 3
        assert len(queries) > 1, "the export should be read from the database each time"
    client.get("/instruments/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/instruments/")
    assert len(queries) == 1, "the list page itself is still answered from the page cache"
    assert response["ETag"]


def test_a_withdrawal_shows_in_the_next_export(client, graph):
    assert len(read_csv(client.get("/instruments/?format=csv"))) == 3
    Instrument.objects.filter(pk=graph[Instrument][0].pk).update(status=Status.WITHDRAWN)
    assert len(read_csv(client.get("/instruments/?format=csv"))) == 2
    caches["pages"].clear()


def export_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body = b"".join(response.streaming_content)
    assert response.status_code == 200 and body
    return len(queries)


def test_queries_do_not_grow_with_the_records_exported(client):
    few = make_linked_graph(2)
    urls = [csv_url(model.get_list_url()) for model in RECORD_MODELS] + ["/search/?q=summary&format=csv"]
    small = {url: export_queries(client, url) for url in urls}
    many = make_linked_graph(20)
    assert few and many
    large = {url: export_queries(client, url) for url in urls}
    assert large == small


def test_records_are_read_a_chunk_at_a_time(client, monkeypatch):
    make_linked_graph(2)
    one_chunk = export_queries(client, "/programmes/?format=csv")
    monkeypatch.setattr(csv_export, "CHUNK_SIZE", 1)
    two_chunks = export_queries(client, "/programmes/?format=csv")
    # Each chunk reads its tags, aliases and each kind of link in one query, whatever its size.
    assert two_chunks - one_chunk == queries_per_chunk(Programme) == 9


def test_a_head_request_gets_the_headers_without_reading_records(client, graph):
    with CaptureQueriesContext(connection) as queries:
        response = client.head("/instruments/?format=csv")
        assert b"".join(response.streaming_content) == b""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert not [query for query in queries if "instruments_instrument" in query["sql"]]
