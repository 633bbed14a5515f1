"""Broad queries, with more matches than the backend counts and ranks exactly: the page says its counts are
estimates, lists the best of a bounded set of candidates and says so, and still honours every operator.

The limits are lowered here (a broad query is one with thousands of matches in production) so that a few records
make a query broad; with a sample of every document, estimates must equal the truth.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cop_kb.records.services import record_reindex
from cop_kb.search.backends import base, get_backend
from cop_kb.search.backends.base import Overview
from cop_kb.search.backends.postgres import PostgresBackend
from cop_kb.search.models import SearchDocument, Synonym
from programmes.models import Programme

from .support import facet_counts, get_search, hit_titles, record, search_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(monkeypatch):
    backend = type(get_backend())
    monkeypatch.setattr(backend, "exact_limit", 4)
    monkeypatch.setattr(backend, "rank_candidates", 25)
    if hasattr(backend, "count_limit"):
        # PostgreSQL counts exactly up to count_limit matches, then estimates the total from the sample too.
        monkeypatch.setattr(backend, "count_limit", 4)
    monkeypatch.setattr(base, "SAMPLE_MODULUS", 1)


def walruses(count: int, name: str = "Plan", **fields) -> list[Programme]:
    return [
        record(Programme, title=f"{name} {number}", summary="Walrus colonies.", **fields) for number in range(count)
    ]


def test_a_query_within_the_limit_is_exact_and_says_nothing(client, small_limits):
    walruses(4)

    response = get_search(client, "walrus")

    page = response.context["results"]
    assert (page.total, page.broad, page.total_estimated) == (4, False, False)
    content = response.content.decode()
    assert "4 results for “walrus”" in content
    assert "estimates" not in content and 'class="visually-hidden">about' not in content


def test_a_broad_query_says_its_counts_are_estimates(client, small_limits):
    walruses(6)

    response = get_search(client, "walrus")

    page = response.context["results"]
    assert page.broad
    content = response.content.decode()
    assert "More than 4 records match, so the counts are estimates and the list shows the best of the first 25." in (
        content
    )
    # PostgreSQL estimates the total from the sample too; SQLite counts it exactly, as cheaply.
    estimated = connection.vendor == "postgresql"
    assert page.total_estimated is estimated
    assert ("About 6 results for “walrus”" if estimated else "6 results for “walrus”") in content
    assert facet_counts(page, "type") == {"programmes.programme": 6}
    assert '<span aria-hidden="true">~</span><span class="visually-hidden">about </span>6' in content


def document_id(made: Programme) -> int:
    return SearchDocument.objects.get(record_type="programmes.programme", object_id=made.pk).pk


def nine_walruses_sampled_one_in_three(monkeypatch) -> None:
    """Nine walruses, the first two tagged "arctic", of which a sample of one document in three holds the first,
    fourth and seventh: the sample's estimates are 9 walruses, 3 of them arctic."""
    monkeypatch.setattr(base, "SAMPLE_MODULUS", 3)
    # Documents that match nothing until the next one written gets an id that is a multiple of 3: the nine walruses
    # then take ids 3k to 3k + 8.
    while document_id(record(Programme, title="Filler")) % 3 != 2:
        pass
    made = walruses(2, name="Tagged", tags=["arctic"]) + walruses(7)
    assert [document_id(programme) % 3 for programme in made] == [0, 1, 2, 0, 1, 2, 0, 1, 2]


def test_broad_facet_counts_are_the_sample_scaled_up(monkeypatch, small_limits):
    nine_walruses_sampled_one_in_three(monkeypatch)

    page = search_for("walrus")

    # Of the two arctic walruses only the first is in the sample: scaled up, the estimate is 3 (the truth is 2).
    assert page.broad
    assert facet_counts(page, "type") == {"programmes.programme": 9}
    assert facet_counts(page, "tag") == {"arctic": 3}


def test_broad_ranking_lists_the_candidates_best_first_and_pages_stop_with_them(client, small_limits):
    walruses(10)
    named = [record(Programme, title=f"Walrus survey {number}") for number in range(3)]
    walruses(20)

    page = search_for("walrus")

    assert page.broad and page.num_pages == 2
    assert hit_titles(page)[:3] == sorted(programme.title for programme in named)
    assert len(search_for("walrus", page="2").hits) == 5
    assert get_search(client, "walrus", page="3").status_code == 404


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("walrus -seal", "A seal colony nearby."),
        ('walrus -"seal colony"', "A seal colony nearby."),
        # Through the synonym group "seal, pinniped".
        ("walrus -seal", "A pinniped colony nearby."),
    ],
)
def test_a_broad_query_still_excludes_words_found_only_in_the_body(small_limits, text, body):
    Synonym.objects.create(terms="seal, pinniped")
    walruses(2, name="Colony", body=body)
    walruses(24)

    shown = hit_titles(search_for(text)) + hit_titles(search_for(text, page="2"))

    assert search_for(text).broad
    assert sorted(shown) == sorted(f"Plan {number}" for number in range(24))


def test_a_broad_query_found_only_in_bodies_still_lists_them(small_limits):
    for number in range(6):
        record(Programme, title=f"Plan {number}", body="Walrus colonies.")

    page = search_for("walrus")

    assert page.broad
    assert sorted(hit_titles(page)) == [f"Plan {number}" for number in range(6)]


def test_a_broad_query_with_a_countable_number_of_matches_gets_an_exact_total(client, monkeypatch, small_limits):
    backend = type(get_backend())
    if hasattr(backend, "count_limit"):
        monkeypatch.setattr(backend, "count_limit", 100)
    monkeypatch.setattr(base, "SAMPLE_MODULUS", 2)
    walruses(7)

    response = get_search(client, "walrus")

    page = response.context["results"]
    assert (page.broad, page.total_estimated, page.total) == (True, False, 7)
    assert "7 results for “walrus”" in response.content.decode()


POSTGRESQL_COUNTS = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL counts a broad query's matches when the sample allows"
)


def countable(monkeypatch, exact_facets_limit: int) -> None:
    """Up to 100 matches are counted; above ``exact_facets_limit`` (by the sample) the matches alone."""
    backend = type(get_backend())
    monkeypatch.setattr(backend, "count_limit", 100)
    monkeypatch.setattr(backend, "exact_facets_limit", exact_facets_limit)


def scans(plan: dict, table: str) -> list[int]:
    """How many times each scan of ``table`` in an EXPLAIN (ANALYZE, FORMAT JSON) plan ran (0: never executed)."""
    own = [plan["Actual Loops"]] if plan.get("Relation Name") == table else []
    return own + [loops for child in plan.get("Plans", []) for loops in scans(child, table)]


@POSTGRESQL_COUNTS
@pytest.mark.parametrize(
    ("exact_facets_limit", "facet_scans_run"),
    [(100, 2), (4, 1)],
    ids=["facet values of the matches counted", "the matches alone counted"],
)
def test_a_countable_broad_query_has_its_exact_total_and_sampled_facets_and_counts_only_what_it_needs(
    monkeypatch, small_limits, exact_facets_limit, facet_scans_run
):
    """Above exact_facets_limit by the sample, a broad query's facet values are not read for every match: the
    statement's part that counts them never runs, only the sample's. The page is the same either way."""
    countable(monkeypatch, exact_facets_limit)
    nine_walruses_sampled_one_in_three(monkeypatch)
    statements = []

    def kept(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(kept):
        page = search_for("walrus")

    assert (page.broad, page.total_estimated, page.total) == (True, False, 9)
    assert facet_counts(page, "tag") == {"arctic": 3}
    [(overview, params)] = [(sql, params) for sql, params in statements if sql.lstrip().startswith("WITH sample")]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {overview}", params)
        plan = cursor.fetchone()[0][0]["Plan"]
    assert sum(1 for loops in scans(plan, "search_searchfacet") if loops) == facet_scans_run


@POSTGRESQL_COUNTS
def test_a_query_the_sample_puts_above_exact_facets_limit_but_within_exact_limit_gets_exact_facet_counts(
    monkeypatch, small_limits
):
    """Counted alone, the matches turn out few enough for exact counts: the facet values are counted after all."""
    countable(monkeypatch, exact_facets_limit=4)
    monkeypatch.setattr(type(get_backend()), "exact_limit", 9)
    nine_walruses_sampled_one_in_three(monkeypatch)

    with CaptureQueriesContext(connection) as queries:
        page = search_for("walrus")

    assert (page.broad, page.total_estimated, page.total) == (False, False, 9)
    assert facet_counts(page, "tag") == {"arctic": 2}
    # The overview's statement, then one more that counts the facet values of every match.
    assert sum(query["sql"].startswith("SELECT facet, value, count(*) AS n FROM") for query in queries) == 1


def test_broad_candidates_are_the_first_documents_by_id_whatever_was_rewritten_since(small_limits):
    """A rewritten document keeps its id, but PostgreSQL stores the new row elsewhere: the candidates a broad query
    ranks are still the first by id, so the same query lists the same records before and after an unrelated save."""
    named = [record(Programme, title=f"Walrus survey {number}") for number in range(3)]
    walruses(30)
    before = hit_titles(search_for("walrus"))
    for programme in named:
        record_reindex(programme)  # its document rewritten, under the same id

    after = hit_titles(search_for("walrus"))

    assert after[:3] == [programme.title for programme in named]
    assert after == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL chooses how to find the first candidates")
def test_a_broad_query_in_few_of_the_documents_collects_its_candidates_and_lists_what_walking_lists(
    monkeypatch, small_limits
):
    """A word found only in bodies, in few of the documents: its first candidates by id are collected from the index
    rather than walked for (``PostgresBackend._collects``), and the page lists what walking would."""
    made = [record(Programme, title=f"Plan {number}", body="Walrus colonies.") for number in range(30)]
    for programme in made[::2]:
        record_reindex(programme)  # rewritten under the same id, stored elsewhere: id order is not storage order
    # The planner's count of the documents, which the choice reads: the test tables may never have been analysed.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchdocument")
    backend = type(get_backend())
    choose, chosen = backend._collects, []

    def recorded(self, overview) -> bool:
        chosen.append(choose(self, overview))
        return chosen[-1]

    monkeypatch.setattr(backend, "_collects", recorded)
    collected = search_for("walrus")
    monkeypatch.setattr(backend, "_collects", lambda self, overview: False)
    walked = search_for("walrus")

    assert collected.broad and chosen == [True]
    assert hit_titles(collected) == hit_titles(walked)
    # The first 25 by id are ranked (all alike, so by title) and the page shows 20 of them.
    assert hit_titles(collected) == sorted(f"Plan {number}" for number in range(25))[:20]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL chooses how to find the first candidates")
def test_a_broad_query_in_most_titles_walks_for_its_candidates_and_lists_what_the_planner_would(
    monkeypatch, small_limits
):
    """Words in the titles of most documents (estimated from the sample, ``Overview.title_matches``): the first
    candidates by id are walked for, the small vector matched by a function no index answers
    (``PostgresBackend._walks``), and the page lists what the planner's own choice lists."""
    walruses(30, name="Walrus survey")
    for number in range(10):
        record(Programme, title=f"Seal survey {number}", summary="Seals.", body="A walrus or two.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchdocument")
    backend = type(get_backend())
    choose, chosen = backend._walks, []

    def recorded(self, overview) -> bool:
        chosen.append((overview.title_matches, choose(self, overview)))
        return chosen[-1][1]

    monkeypatch.setattr(backend, "_walks", recorded)
    with CaptureQueriesContext(connection) as walking:
        walked = search_for("walrus survey")
    monkeypatch.setattr(backend, "_walks", lambda self, overview: False)
    with CaptureQueriesContext(connection) as planning:
        planned = search_for("walrus survey")

    # The sample is every document (SAMPLE_MODULUS 1): 30 of the 40 matches have the words in their title.
    assert walked.broad and chosen == [(30, True)]
    assert [query for query in walking if "ts_match_vq(d.rank_vector" in query["sql"]]
    assert not [query for query in planning if "ts_match_vq" in query["sql"]]
    assert len(walking) == len(planning)
    assert hit_titles(walked) == hit_titles(planned)
    assert hit_titles(walked) == sorted(f"Walrus survey {number}" for number in range(25))[:20]


@pytest.mark.parametrize(
    ("title_matches", "documents", "walks"),
    [(13_000, 100_000, True), (8_000, 100_000, False), (2_300, 100_000, False), (13_000, 0, False)],
)
def test_walking_for_the_candidates_is_chosen_only_for_words_in_many_titles(title_matches, documents, walks):
    """Walking checks about 2,000 × documents / title_matches documents; the index visits every title match at
    about 2.5 times the cost of a check (``BITMAP_OVER_WALK``). With no count of the documents (a table never
    analysed), the planner chooses."""
    overview = Overview(total=20_000, facets=[], broad=True, documents=documents, title_matches=title_matches)

    assert PostgresBackend()._walks(overview) is walks


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings for a search")
@pytest.mark.django_db(transaction=True)  # as a request runs: the search's transaction is the outermost one
def test_a_search_is_planned_for_its_own_words_even_once_its_statements_are_prepared():
    """Statements are prepared on their connection and may settle on a generic plan (``cop_kb/settings/env.py``);
    a search's must not, as how many documents hold a word decides its plan. The settings last for the search."""
    ask = "SELECT current_setting('plan_cache_mode'), current_setting('enable_seqscan')"
    with connection.cursor() as cursor:
        cursor.execute(ask)
        outside = cursor.fetchone()
        with get_backend().session():
            cursor.execute(ask)
            assert cursor.fetchone() == ("force_custom_plan", "off")
        cursor.execute(ask)
        assert cursor.fetchone() == outside == ("auto", "on")
