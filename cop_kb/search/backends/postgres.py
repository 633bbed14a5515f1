"""PostgreSQL: a weighted ``tsvector`` column (title and aliases A, summary and tags B, body C) with a GIN index,
the ``cop_english`` configuration (unaccent, then English stemming), ``ts_rank``, ``ts_headline`` and pg_trgm."""

from contextlib import contextmanager

from django.db import connection, transaction

from ..query import Query, Term
from .base import (
    AUTOCOMPLETE_CANDIDATES,
    GREATER_THAN,
    LESS_THAN,
    MARK_END,
    MARK_START,
    SAMPLE_MODULUS,
    SUGGESTION_CANDIDATES,
    SUGGESTION_THRESHOLD,
    Hit,
    Overview,
    SearchBackend,
    documents_counted,
    with_filters,
)

CONFIG = "cop_english"
HEADLINE_OPTIONS = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2"


def _variant(tokens: tuple[str, ...], params: list) -> str:
    params.append(" ".join(tokens))
    function = "phraseto_tsquery" if len(tokens) > 1 else "plainto_tsquery"
    return f"{function}('{CONFIG}', %s)"


def _term(term: Term, params: list) -> str:
    return "(" + " || ".join(_variant(variant, params) for variant in term.variants()) + ")"


def tsquery(query: Query) -> tuple[str, list]:
    """The query as an SQL ``tsquery`` expression built from fixed fragments and bound parameters."""
    params: list = []
    groups = ["(" + " || ".join(_term(term, params) for term in group) + ")" for group in query.groups]
    sql = " && ".join(groups)
    for term in query.excluded:
        sql += f" && !!{_term(term, params)}"
    return sql, params


def _source(filters, params: list) -> str:
    return with_filters("search_searchdocument d", "d.id", filters, params)


class PostgresBackend(SearchBackend):
    # Ranking reads each match's full vector, TOASTed and compressed (about 5 µs a match), so the exact ranking
    # stops at half the matches SQLite's FTS5 ranks in the same time.
    exact_limit = 1000
    # Counting visits every matching row (about 2 µs each): exact up to about this many, estimated above.
    count_limit = 5000

    def match_sql(self, query: Query, filters=()) -> tuple[str, list]:
        ts_sql, ts_params = tsquery(query)
        params: list = []
        source = _source(filters, params)
        return f"SELECT d.id FROM {source} WHERE d.search_vector @@ ({ts_sql})", [*params, *ts_params]

    @contextmanager
    def session(self):
        # The planner does not charge for unpacking TOASTed tsvectors, so for a word in most documents it picks a
        # sequential scan that reads every vector (about 3 µs a row); the GIN bitmap is 3-5 times faster. Parallel
        # workers take longer to start (3-5 ms) than a search's statements, bounded as they are, take to run.
        with transaction.atomic(), connection.cursor() as cursor:
            # Both settings in one statement: set_config(..., true) is SET LOCAL.
            cursor.execute(
                "SELECT set_config('enable_seqscan', 'off', true),"
                " set_config('max_parallel_workers_per_gather', '0', true)"
            )
            yield

    def overview(self, query: Query, filters) -> Overview:
        # Counting every match of a broad query visits every matching row (60-150 ms for 100,000 matches). The
        # sample's partial index answers first; only a query it shows to be narrow enough is counted exactly.
        sampled = self.facet_counts(query, filters, sample=True)
        estimate = documents_counted(sampled)
        if estimate > self.count_limit:
            return Overview(total=estimate, facets=sampled, broad=True, total_estimated=True)
        # Exact facet counts give the exact total too (each document has one record type): no count of its own.
        exact = self.facet_counts(query, filters, sample=False)
        total = documents_counted(exact)
        if total > self.exact_limit:
            return Overview(total=total, facets=sampled, broad=True)
        return Overview(total=total, facets=exact)

    def ranked(self, query: Query, filters, limit: int, offset: int, broad: bool) -> list[Hit]:
        if not broad:
            return self._ranked(query, filters, limit, offset, "search_vector", "d.search_vector @@ q.query")
        # rank_vector holds title and aliases (A) and summary and tags (B) only, about 0.6 kB and never TOASTed:
        # ranking on it skips unpacking the full vectors. An excluded word may still be in a candidate's body, so
        # then the full vector is checked as well.
        condition = "d.rank_vector @@ q.query" + (" AND d.search_vector @@ q.query" if query.excluded else "")
        hits = self._ranked(query, filters, limit, offset, "rank_vector", condition, capped=True)
        if len(hits) < limit and offset == 0:
            # Fewer than a page have the words outside the body: the first matches anywhere, then.
            hits = self._ranked(
                query, filters, limit, offset, "search_vector", "d.search_vector @@ q.query", capped=True
            )
        return hits

    def _ranked(
        self, query: Query, filters, limit: int, offset: int, vector: str, condition: str, *, capped: bool = False
    ) -> list[Hit]:
        ts_sql, ts_params = tsquery(query)
        params: list = []
        source = _source(filters, params)
        cap = f"LIMIT {int(self.rank_candidates)}" if capped else ""
        # Rank with the narrow columns only, then fetch the texts of the page and headline them: ts_headline is
        # costly, so it runs on at most `limit` rows.
        sql = f"""
            WITH q AS (SELECT ({ts_sql}) AS query),
            matches AS (
                SELECT d.id, ts_rank(d.{vector}, q.query) AS rank, d.title
                FROM {source} CROSS JOIN q
                WHERE {condition}
                {cap}
            ),
            page AS (SELECT * FROM matches ORDER BY rank DESC, title, id LIMIT %s OFFSET %s)
            SELECT page.id, ts_headline('{CONFIG}', translate(d.summary || ' ' || d.body, '<>', %s), q.query, %s)
            FROM page JOIN search_searchdocument d ON d.id = page.id CROSS JOIN q
            ORDER BY page.rank DESC, page.title, page.id
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [*ts_params, *params, limit, offset, LESS_THAN + GREATER_THAN, HEADLINE_OPTIONS])
            return [Hit(document_id=row[0], snippet=row[1] or "") for row in cursor.fetchall()]

    # "Did you mean" looks in the 1-in-SAMPLE_MODULUS sample first (its partial index holds a few thousand
    # documents, where a common word's bitmap over every document takes 10-30 ms to build); a rarer word, for
    # which the sample has too few titles, is looked up in the whole index, where its bitmap is small anyway. The
    # prefixes are \w+ (see SearchBackend.suggest), so they are safe inside to_tsquery's syntax.
    SAMPLE = f"id %% {SAMPLE_MODULUS} = 0 AND search_vector @@ to_tsquery('{CONFIG}', %s)"

    def word_start_tries(self, candidates: list[str]) -> tuple[list[str], list]:
        # Each uncorrelated EXISTS is run only when the CASE reaches it. So a word costs the probes up to its longest
        # hit, as one probe per statement would.
        tries, params = [], []
        for prefix in candidates:
            for condition in (self.SAMPLE, f"rank_vector @@ to_tsquery('{CONFIG}', %s)"):
                tries.append(f"WHEN EXISTS (SELECT 1 FROM search_searchdocument WHERE {condition}) THEN %s")
                params += [f"{prefix}:*", prefix]
        return tries, params

    def closest_titles(
        self, text: str, prefixes: list[str], *, passes: tuple[bool, ...], limit: int
    ) -> list[list[int]]:
        # ":*A": a prefix of a title or alias word (weight A). Each pass looks in the sample first, then in the
        # whole index; the sample answers only when it fills the list, else the whole index has better titles.
        in_titles = f"rank_vector @@ to_tsquery('{CONFIG}', %s)"
        scored = f"""
            SELECT {{attempt}} AS attempt, id, row_number() OVER (ORDER BY score DESC, title) AS place FROM (
                SELECT id, title, greatest(word_similarity(%s, title), word_similarity(%s, aliases)) AS score
                FROM (
                    SELECT id, title, aliases FROM search_searchdocument
                    WHERE {{where}}
                    LIMIT {SUGGESTION_CANDIDATES}
                ) candidates
            ) scored
            WHERE score >= %s
        """
        parts, params = [], []
        for number, every in enumerate(passes):
            joiner = " & " if every else " | "
            anywhere = joiner.join(f"{prefix}:*" for prefix in prefixes)
            titles = joiner.join(f"{prefix}:*A" for prefix in prefixes)
            attempts = [(f"{self.SAMPLE} AND {in_titles}", [anywhere, titles]), (in_titles, [titles])]
            for attempt, (where, where_params) in enumerate(attempts, start=2 * number):
                parts.append(scored.format(attempt=attempt, where=where))
                params += [text, text, *where_params, SUGGESTION_THRESHOLD]
        found: dict[int, list[int]] = {}
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for attempt, pk, place in sorted(cursor.fetchall(), key=lambda row: (row[0], row[2])):
                if place <= limit:
                    found.setdefault(attempt, []).append(pk)
        result = []
        for number in range(len(passes)):
            in_sample, everywhere = found.get(2 * number, []), found.get(2 * number + 1, [])
            result.append(in_sample if len(in_sample) == limit else everywhere)
        return result

    def autocomplete(self, words: tuple[str, ...], limit: int) -> list[int]:
        # Each word is \w+ (see search.query.tokens), so it is safe inside to_tsquery's syntax; ":*A" = prefix
        # of a title or alias word. The best of the first AUTOCOMPLETE_CANDIDATES, scored on the small rank_vector.
        expression = " & ".join(f"{word}:*A" for word in words)
        sql = f"""
            SELECT id FROM (
                SELECT id, title, rank_vector FROM search_searchdocument
                WHERE rank_vector @@ to_tsquery('{CONFIG}', %s)
                LIMIT {AUTOCOMPLETE_CANDIDATES}
            ) candidates
            ORDER BY ts_rank(rank_vector, to_tsquery('{CONFIG}', %s)) DESC, length(title), title
            LIMIT %s
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression, expression, limit])
            return [row[0] for row in cursor.fetchall()]
