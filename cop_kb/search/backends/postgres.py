"""PostgreSQL: a weighted ``tsvector`` column (title and aliases A, summary and tags B, body C) with a GIN index,
the ``cop_english`` configuration (unaccent, then English stemming), ``ts_rank``, ``ts_headline`` and pg_trgm."""

from contextlib import contextmanager

from django.db import connection, transaction

from ..query import Query, Term
from . import base
from .base import (
    AUTOCOMPLETE_CANDIDATES,
    GREATER_THAN,
    LESS_THAN,
    MARK_END,
    MARK_START,
    NEAR_MISS_CANDIDATES,
    SAMPLE_MODULUS,
    SUGGESTION_CANDIDATES,
    SUGGESTION_THRESHOLD,
    Hit,
    Overview,
    SearchBackend,
    documents_counted,
    near_miss_threshold,
    with_filters,
)

CONFIG = "cop_english"
# What checking a document's full vector costs over what visiting a match from the index costs (``_collects``).
WALK_OVER_COLLECT = 1.5
# What visiting a match of the small vector from its index costs over checking the next document along the ids
# (``_walks``).
BITMAP_OVER_WALK = 2.5
# The planner's estimate of how many documents the index holds (-1 before the table was first analysed).
DOCUMENTS = "(SELECT reltuples::bigint FROM pg_class WHERE oid = 'search_searchdocument'::regclass)"
HEADLINE_OPTIONS = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2"


def _variant(tokens: tuple[str, ...], params: list, *, phrase: bool = True) -> str:
    params.append(" ".join(tokens))
    function = "phraseto_tsquery" if phrase and len(tokens) > 1 else "plainto_tsquery"
    return f"{function}('{CONFIG}', %s)"


def _term(term: Term, params: list, *, ranking: bool = False) -> str:
    """``ranking``: words typed as such (``Term.loose``) each count on their own, as separate typed words do."""
    if term.loose and ranking:
        typed = " || ".join(_variant((token,), params) for token in term.tokens)
    else:
        # plainto_tsquery: all the loose words, anywhere.
        typed = _variant(term.tokens, params, phrase=not term.loose)
    return "(" + " || ".join([typed, *(_variant(variant, params) for variant in term.alternatives)]) + ")"


def _group(group, params: list, *, ranking: bool = False) -> str:
    return "(" + " || ".join(_term(term, params, ranking=ranking) for term in group) + ")"


def tsquery(query: Query) -> tuple[str, list]:
    """The query as an SQL ``tsquery`` expression built from fixed fragments and bound parameters."""
    params: list = []
    sql = " && ".join(_group(group, params) for group in query.groups)
    for term in query.excluded:
        sql += f" && !!{_term(term, params)}"
    return sql, params


def excluded_tsquery(query: Query) -> tuple[str, list]:
    """Any of the query's excluded terms (an empty ``tsquery``, matching nothing, when there are none)."""
    params: list = []
    return " || ".join(_term(term, params) for term in query.excluded) or "''::tsquery", params


def ranking_tsquery(query: Query) -> tuple[str, list]:
    """The query's terms joined by OR, for ``ts_rank``: ranked against an AND, a document whose words stand close
    together (a summary's "Rio de Janeiro … 2008") would outrank one with them in its title and its years, whatever
    their weights; ranked against an OR, each term adds its own weight."""
    params: list = []
    return " || ".join(_group(group, params, ranking=True) for group in query.groups), params


def _hits(sql: str, params: list) -> list[Hit]:
    """Run a statement of (id, headline, place) rows, in order."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Hit(document_id=row[0], snippet=row[1] or "") for row in cursor.fetchall()]


def _source(filters, params: list) -> str:
    return with_filters("search_searchdocument d", "d.id", filters, params)


def _matches(query: Query, filters, *, titled: bool = False, sample: int = 0) -> tuple[str, list]:
    """The ids of the documents matching ``query`` and ``filters``; with ``titled``, also whether each has the words
    in its small vector (``titled``, read in the same visit of its row); with ``sample``, only the sample's (ids
    divisible by it, which its partial index holds)."""
    ts_sql, ts_params = tsquery(query)
    params: list = [*ts_params] if titled else []
    columns = f"d.id, d.rank_vector @@ ({ts_sql}) AS titled" if titled else "d.id"
    source = _source(filters, params)
    sampled = f" AND d.id %% {int(sample)} = 0" if sample else ""
    return f"SELECT {columns} FROM {source} WHERE d.search_vector @@ ({ts_sql}){sampled}", [*params, *ts_params]


def _facet_counts(match_sql: str) -> str:
    """(facet, value, n) for every facet value of the documents ``match_sql`` selects."""
    return (
        "SELECT facet, value, count(*) AS n FROM search_searchfacet"
        f" WHERE document_id IN ({match_sql}) GROUP BY facet, value"
    )


class PostgresBackend(SearchBackend):
    # Ranking reads each match's full vector, TOASTed and compressed (about 5 µs a match), so the exact ranking
    # stops at half the matches SQLite's FTS5 ranks in the same time.
    exact_limit = 1000
    # Counting visits every matching row (about 2 µs each): exact up to about this many, estimated above.
    count_limit = 5000
    # Counting every match's facet values costs three times counting the matches (18,000 facet rows for 2,500
    # matches: 10 ms at 100,000 records). Above this sample estimate (2,000: twice exact_limit as set here) the
    # matches alone are counted: from a sample of one document in SAMPLE_MODULUS, that many means more than
    # exact_limit matches, so sampled facets would be shown anyway, all but surely (when not, the facet values are
    # counted after all, in one more statement).
    exact_facets_limit = 2 * exact_limit

    def match_sql(self, query: Query, filters=()) -> tuple[str, list]:
        return _matches(query, filters)

    def after_rebuild(self) -> None:
        # The rebuild deleted every document and wrote it again. Until autovacuum came by, a minute or more later,
        # searches read past the dead rows and were planned on the statistics of before: at 100,000 records an
        # autocomplete took 180 ms instead of 19 (bench.pages).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) search_searchdocument, search_searchfacet")

    @contextmanager
    def session(self):
        # The planner does not charge for unpacking TOASTed tsvectors, so for a word in most documents it picks a
        # sequential scan that reads every vector (about 3 µs a row); the GIN bitmap is 3-5 times faster. Parallel
        # workers take longer to start (3-5 ms) than a search's statements, bounded as they are, take to run. A
        # search's statements are prepared on the connection like any other (see cop_kb/settings/env.py), but each is
        # planned for its own words: a generic plan, blind to how many documents a word is in, took single common
        # words from 40 to 80 ms at 100,000 records.
        with transaction.atomic(), connection.cursor() as cursor:
            # In one statement: set_config(..., true) is SET LOCAL.
            cursor.execute(
                "SELECT set_config('enable_seqscan', 'off', true),"
                " set_config('max_parallel_workers_per_gather', '0', true),"
                " set_config('plan_cache_mode', 'force_custom_plan', true)"
            )
            yield

    def overview(self, query: Query, filters) -> Overview:
        # Counting every match of a broad query visits every matching row (60-150 ms for 100,000 matches). The
        # sample's partial index answers first; only a query it shows to be narrow enough is counted exactly, by
        # facet value up to exact_facets_limit, above it the matches alone. One statement does all three: the exact
        # counts' conditions name no row, so PostgreSQL checks each once, after the sample, and skips what the sample
        # rules out.
        sql, params = self.match_sql(query, filters)
        modulus = base.SAMPLE_MODULUS
        sample, sample_params = _matches(query, filters, titled=True, sample=modulus)
        statement = f"""
            WITH sample AS MATERIALIZED ({sample}),
            sampled AS ({_facet_counts("SELECT id FROM sample")}),
            estimate AS (SELECT coalesce(sum(n), 0) * {modulus} AS n FROM sampled WHERE facet = 'type')
            SELECT 'sample', facet, value, n, {DOCUMENTS}, (SELECT count(*) FROM sample WHERE titled) FROM sampled
            UNION ALL
            SELECT 'exact', facet, value, n, {DOCUMENTS}, 0 FROM ({_facet_counts(sql)}) exact
            WHERE (SELECT n FROM estimate) <= %s
            UNION ALL
            SELECT 'total', NULL, NULL, count(*), {DOCUMENTS}, 0 FROM ({sql}) matches
            WHERE (SELECT n FROM estimate) > %s AND (SELECT n FROM estimate) <= %s
        """
        values = [*sample_params, *params, self.exact_facets_limit, *params, self.exact_facets_limit, self.count_limit]
        with connection.cursor() as cursor:
            cursor.execute(statement, values)
            rows = cursor.fetchall()
        parts: dict[str, list[dict]] = {"sample": [], "exact": [], "total": []}
        titles = 0
        for kind, facet, value, n, _documents, titled in rows:
            parts[kind].append({"facet": facet, "value": value, "n": n * modulus if kind == "sample" else n})
            titles = max(titles, titled * modulus)
        # Every row carries the number of documents, and the 'total' row (a count with no group) is always there.
        documents = max(0, rows[0][4])
        sampled = parts["sample"]
        estimate = documents_counted(sampled)
        if estimate > self.count_limit:
            return Overview(
                total=estimate,
                facets=sampled,
                broad=True,
                total_estimated=True,
                documents=documents,
                title_matches=titles,
            )
        if estimate > self.exact_facets_limit:
            total, exact = parts["total"][0]["n"], []
            if total <= self.exact_limit:
                with connection.cursor() as cursor:
                    cursor.execute(_facet_counts(sql), params)
                    exact = [{"facet": facet, "value": value, "n": n} for facet, value, n in cursor.fetchall()]
        else:
            # Exact facet counts give the exact total too (each document has one record type): no count of its own.
            exact = parts["exact"]
            total = documents_counted(exact)
        if total > self.exact_limit:
            return Overview(total=total, facets=sampled, broad=True, documents=documents, title_matches=titles)
        return Overview(total=total, facets=exact, documents=documents)

    def ranked(self, query: Query, filters, limit: int, offset: int, overview: Overview) -> list[Hit]:
        everywhere = "d.search_vector @@ q.query"
        if not overview.broad:
            return _hits(*self._ranked_sql(query, filters, limit, offset, "search_vector", everywhere, own=True))
        # rank_vector holds title and aliases (A) and summary and tags (B) only, about 0.6 kB and never TOASTed:
        # ranking on it skips unpacking the full vectors. An excluded word may still be in a candidate's body, so
        # then the full vector is checked for the excluded words, after the small one: written as the whole query on
        # both vectors, the planner could AND both GIN indexes and recheck every match against both, unpacking
        # 13,000 full vectors to check the phrase of `grooming -livestreaming`'s synonym (140 ms instead of 23).
        # Walking (``_walks``): ``@@`` written as its function, which no index answers, so the planner walks the ids.
        titled = "ts_match_vq(d.rank_vector, q.query)" if self._walks(overview) else "d.rank_vector @@ q.query"
        condition = titled + (" AND NOT d.search_vector @@ q.excluded" if query.excluded else "")
        hits = _hits(*self._ranked_sql(query, filters, limit, offset, "rank_vector", condition, capped=True))
        if len(hits) < limit and offset == 0:
            # Fewer than a page have the words outside the body: the first matches anywhere, then.
            collect = self._collects(overview)
            hits = _hits(
                *self._ranked_sql(
                    query, filters, limit, offset, "search_vector", everywhere, capped=True, collect=collect
                )
            )
        return hits

    def _walks(self, overview: Overview) -> bool:
        """Whether a broad query's first ``rank_candidates`` matches of the small vector are surely cheaper found by
        walking the documents in id order than by the small vector's index, which the planner may not see.

        The planner estimates words that go together ("parental consent", a phrase such as "age verification") as
        if they did not, in a sixth of the 14,000 documents that have them, and so reads every one of them from the
        index, out of id order, and sorts them (20-30 ms), where walking finds 2,000 in 15,000 documents (8-15 ms).
        Walking checks about ``rank_candidates × documents / title_matches`` documents, visiting a match from the
        index costs about BITMAP_OVER_WALK times a check: walking is cheaper above about
        ``sqrt(rank_candidates × documents / BITMAP_OVER_WALK)`` title matches (9,000 of 100,000 documents). Below
        that, or with no count of the documents (a table never analysed), the planner chooses as it sees fit."""
        return 0 < self.rank_candidates * overview.documents < BITMAP_OVER_WALK * overview.title_matches**2

    def _collects(self, overview: Overview) -> bool:
        """Whether a broad query's first ``rank_candidates`` matches anywhere are found by collecting every match
        from the index and taking the first by id, rather than by walking the documents in id order until enough
        match. The planner prices checking a document's full vector as a comparison of two numbers, when it is
        unpacked from TOAST (4-8 µs), and so walks for any word it expects in more than about 2 % of the documents;
        a word most documents have only through the names of the records they link to ("UNCRC", 7 % at 100,000
        records) was checked in 27,000 documents (100-200 ms) for 2,000 matches it collects in 35-80 ms.

        Walking checks about ``rank_candidates × documents / matches`` documents, collecting visits every match
        at about 2/3 the cost of a check: collecting is cheaper below ``sqrt(1.5 × rank_candidates × documents)``
        matches (17,000 of 100,000 documents)."""
        return overview.total**2 < WALK_OVER_COLLECT * self.rank_candidates * overview.documents

    def _ranked_sql(
        self,
        query: Query,
        filters,
        limit: int,
        offset: int,
        vector: str,
        condition: str,
        *,
        capped: bool = False,
        collect: bool = False,
        own: bool = False,
    ) -> tuple[str, list]:
        """One page of the documents matching ``condition``, ranked on ``vector`` (``capped``: the first
        ``rank_candidates`` only, found by collecting every match if ``collect``, see ``_collects``; ``own``: those
        matching without weight D first), as (id, headline, place) rows."""
        ts_sql, ts_params = tsquery(query)
        rank_sql, rank_params = ranking_tsquery(query)
        excluded_sql, excluded_params = excluded_tsquery(query)
        params: list = []
        source = _source(filters, params)
        # The first candidates in index order (by id, as SQLite's FTS5 yields them): without the order, the rows a
        # LIMIT keeps would depend on where updates left them on disk, and a page could change with no new content.
        # It costs sorting every match's id (the planner cannot see the words inside ``q`` to choose the id index):
        # 21 -> 29 ms for "online" at 10,000 records. Autocomplete, near misses and "Did you mean", run far more often
        # or over a single word's matches, keep the cheaper unordered LIMIT. The candidates are chosen by id alone
        # and only they are ranked: ranked in the same step, every match's vector was unpacked and ranked before the
        # LIMIT (400-470 ms for one common word at 100,000 records).
        cap, chosen, chosen_params = "", condition, []
        if capped:
            cap = f"ORDER BY d.id LIMIT {int(self.rank_candidates)}"
            # The words written into the candidates' condition, not read from ``q``: the planner then sees how many
            # documents have them, and for a common word walks the id index until it has enough instead of sorting
            # every match.
            chosen = condition.replace("q.query", f"({ts_sql})")
            chosen_params = ts_params * condition.count("q.query")
        candidates = f"candidates AS (SELECT d.id FROM {source} CROSS JOIN q WHERE {chosen} {cap})"
        if capped and collect:
            # MATERIALIZED: planned apart from the ORDER BY and LIMIT, the matches are read from the GIN index.
            candidates = (
                f"matched AS MATERIALIZED (SELECT d.id FROM {source} WHERE {chosen}),"
                f" candidates AS (SELECT d.id FROM matched d {cap})"
            )
        own_vector = "ts_filter(d.search_vector, '{a,b,c}')"
        # ``own``: documents that match without the names of the records linking to them (weight D) come first.
        first = f"({own_vector} @@ q.query)::int" if own else "1"
        literal, literal_sql, literal_params = "0", "NULL", []
        if own and query.has_alternatives:
            # Of those, the ones with the words as typed come first, ranked as if there were no synonyms (a record
            # with the words and a synonym too would outrank one with the words in its title); then those found
            # through a synonym only.
            literal_sql, literal_params = tsquery(query.literal())
            literal_rank_sql, literal_rank_params = ranking_tsquery(query.literal())
            literal_sql = f"({literal_sql}) AS literal, ({literal_rank_sql})"
            literal_params += literal_rank_params
            first += f" + ({own_vector} @@ q.literal)::int"
            literal = f"ts_rank({own_vector}, q.literal_ranking)"
        # Rank with the narrow columns only, then fetch the texts of the page and headline them: ts_headline is
        # costly, so it runs on at most `limit` rows.
        order = "own DESC, literal DESC, rank DESC, title, id"
        sql = f"""
            WITH q AS (
                SELECT ({ts_sql}) AS query, ({rank_sql}) AS ranking, {literal_sql} AS literal_ranking,
                    ({excluded_sql}) AS excluded
            ),
            {candidates},
            matches AS (
                SELECT d.id, {first} AS own, {literal} AS literal, ts_rank(d.{vector}, q.ranking) AS rank, d.title
                FROM candidates JOIN search_searchdocument d ON d.id = candidates.id CROSS JOIN q
            ),
            page AS (SELECT * FROM matches ORDER BY {order} LIMIT %s OFFSET %s)
            SELECT page.id, ts_headline('{CONFIG}', translate(d.summary || ' ' || d.body, '<>', %s), q.query, %s),
                row_number() OVER (ORDER BY {", ".join(f"page.{key}" for key in order.split(", "))}) AS place
            FROM page JOIN search_searchdocument d ON d.id = page.id CROSS JOIN q
            ORDER BY place
        """
        values = [*ts_params, *rank_params, *literal_params, *excluded_params, *params, *chosen_params, limit, offset]
        return sql, [*values, LESS_THAN + GREATER_THAN, HEADLINE_OPTIONS]

    def ranked_and_near_misses(
        self, query: Query, filters, limit: int, offset: int, near_limit: int
    ) -> tuple[list[Hit], list[Hit]]:
        # One statement for both: PostgreSQL's search already spends three statements on its session.
        ranked_sql, ranked_params = self._ranked_sql(
            query, filters, limit, offset, "search_vector", "d.search_vector @@ q.query", own=True
        )
        near_sql, near_params = self._near_sql(query, filters, near_limit)
        sql = f"""
            SELECT 0 AS part, * FROM ({ranked_sql}) ranked
            UNION ALL SELECT 1 AS part, * FROM ({near_sql}) near
            ORDER BY part, place
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [*ranked_params, *near_params])
            rows = cursor.fetchall()
        return (
            [Hit(document_id=pk, snippet=snippet or "") for part, pk, snippet, _place in rows if part == 0],
            [Hit(document_id=pk, snippet=snippet or "") for part, pk, snippet, _place in rows if part == 1],
        )

    def near_misses(self, query: Query, filters, limit: int) -> list[Hit]:
        return _hits(*self._near_sql(query, filters, limit))

    def _near_sql(self, query: Query, filters, limit: int) -> tuple[str, list]:
        """The statement of ``near_misses``: (id, headline, place) rows."""
        params: list = []
        words = [_group(group, params) for group in query.groups]
        excluded, excluded_params = excluded_tsquery(query)
        all_sql, all_params = tsquery(query)
        rank_sql, rank_params = ranking_tsquery(query)
        columns = ", ".join(f"{word} AS w{index}" for index, word in enumerate(words))
        candidates = " UNION ".join(
            f"(SELECT id FROM search_searchdocument, q WHERE search_vector @@ q.w{index} LIMIT {NEAR_MISS_CANDIDATES})"
            for index in range(len(words))
        )
        matched = " + ".join(f"(d.search_vector @@ q.w{index})::int" for index in range(len(words)))
        filter_params: list = []
        source = with_filters("search_searchdocument d", "d.id", filters, filter_params)
        # Some words, not all of them (those are the results), and none excluded ("" excludes nothing).
        sql = f"""
            WITH q AS (SELECT {columns}, ({all_sql}) AS query, ({rank_sql}) AS ranking, ({excluded}) AS excluded),
            scored AS (
                SELECT d.id, d.title, {matched} AS matched, ts_rank(d.search_vector, q.ranking) AS rank
                FROM {source} CROSS JOIN q
                WHERE d.id IN ({candidates})
                    AND NOT d.search_vector @@ q.query
                    AND (numnode(q.excluded) = 0 OR NOT d.search_vector @@ q.excluded)
            ),
            page AS (SELECT * FROM scored WHERE matched >= %s ORDER BY matched DESC, rank DESC, title, id LIMIT %s)
            SELECT page.id, ts_headline('{CONFIG}', translate(d.summary || ' ' || d.body, '<>', %s), q.ranking, %s),
                row_number() OVER (ORDER BY page.matched DESC, page.rank DESC, page.title, page.id) AS place
            FROM page JOIN search_searchdocument d ON d.id = page.id CROSS JOIN q
            ORDER BY place
        """
        values = [*params, *all_params, *rank_params, *excluded_params, *filter_params]
        return sql, [*values, near_miss_threshold(len(words)), limit, LESS_THAN + GREATER_THAN, HEADLINE_OPTIONS]

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
