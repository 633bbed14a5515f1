"""SQLite: an FTS5 table (porter stemming, diacritics removed) ranked with ``bm25()`` column weights and
``snippet()`` for highlights; suggestions scored by trigram word similarity (pg_trgm's, computed in Python)."""

from contextlib import contextmanager

from django.db import connection

from ..query import Query, Term
from . import base
from .base import (
    AUTOCOMPLETE_CANDIDATES,
    MARK_END,
    MARK_START,
    NEAR_MISS_CANDIDATES,
    SUGGESTION_CANDIDATES,
    SUGGESTION_THRESHOLD,
    Hit,
    Overview,
    SearchBackend,
    near_miss_threshold,
    passage,
    with_filters,
    word_similarity,
)

# Column order of search_fts: title, aliases, summary, tags, body, related (the names of the records it links to,
# and its years), backlinked (the names of the records linking to it): below the record's own text, the last least.
BM25_WEIGHTS = "10.0, 10.0, 4.0, 4.0, 1.0, 0.5, 0.25"
# Every column but the body: a broad query ranks the documents with its words here (SearchBackend.rank_candidates).
RANKED_COLUMNS = ("title", "aliases", "summary", "tags")
# Every column but the names of the records linking to it: a document matched without them ranks first.
OWN_COLUMNS = ("title", "aliases", "summary", "tags", "body", "related")
FTS_TRIGGERS = ("search_document_ai", "search_document_ad", "search_document_au")


def _quoted(tokens: tuple[str, ...]) -> str:
    return '"' + " ".join(token.replace('"', '""') for token in tokens) + '"'


def _term(term: Term) -> str:
    typed = _quoted(term.tokens)
    if term.loose:
        typed = "(" + " AND ".join(_quoted((token,)) for token in term.tokens) + ")"
    variants = [typed, *(_quoted(alternative) for alternative in term.alternatives)]
    return variants[0] if len(variants) == 1 else "(" + " OR ".join(variants) + ")"


def _group(group) -> str:
    terms = [_term(term) for term in group]
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def _excluding(expression: str, query: Query) -> str:
    if query.excluded:
        return f"({expression}) NOT (" + " OR ".join(_term(term) for term in query.excluded) + ")"
    return expression


def match_expression(query: Query) -> str:
    """The query in FTS5 syntax; every token is a quoted string, so user input can add no operator."""
    return _excluding(" AND ".join(_group(group) for group in query.groups), query)


# The passage shown with a hit: from the summary or the body (columns 2 and 4), never the title, the aliases or the
# lists of linked names; see ``passage``.
SNIPPETS = "snippet(search_fts, 2, %s, %s, '…', 24), snippet(search_fts, 4, %s, %s, '…', 24)"
SNIPPET_PARAMS = [MARK_START, MARK_END] * 2


def _hit(row) -> Hit:
    return Hit(document_id=row[0], snippet=passage(row[1] or "", row[2] or ""))


OWN_MATCH = "search_fts.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"
OWN_FILTER = "{" + " ".join(OWN_COLUMNS) + "}"


def _source(filters, params: list) -> str:
    return with_filters("search_fts", "search_fts.rowid", filters, params)


class SQLiteBackend(SearchBackend):
    def match_sql(self, query: Query, filters=()) -> tuple[str, list]:
        params: list = []
        source = _source(filters, params)
        return f"SELECT search_fts.rowid AS id FROM {source} WHERE search_fts MATCH %s", [
            *params,
            match_expression(query),
        ]

    def overview(self, query: Query, filters) -> Overview:
        # The count reads every match, and the ids of the sample come with it: a broad query's facets are then
        # counted from those ids, not from the full-text index read a second time (for a phrase with synonyms, such
        # as "child sexual abuse material", reading the matches costs 15-20 ms at 100,000 documents). The ids of
        # every match are not gathered: a list of tens of thousands costs more than the second reading of a
        # common word it would save. A query within the limit reads the index again, for its few matches only.
        sql, params = self.match_sql(query, filters)
        modulus = base.SAMPLE_MODULUS
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*), json_group_array(id) FILTER (WHERE id %% {modulus} = 0) FROM ({sql}) matches",
                params,
            )
            total, sample = cursor.fetchone()
            if not total:
                return Overview(total=0, facets=[])
            broad = total > self.exact_limit
            documents, values = ("SELECT value FROM json_each(%s)", [sample]) if broad else (sql, params)
            cursor.execute(
                f"SELECT facet, value, count(*) FROM search_searchfacet WHERE document_id IN ({documents})"
                " GROUP BY facet, value",
                values,
            )
            rows = cursor.fetchall()
        scale = modulus if broad else 1
        facets = [{"facet": facet, "value": value, "n": n * scale} for facet, value, n in rows]
        return Overview(total=total, facets=facets, broad=broad)

    def _candidates(self, query: Query, filters) -> tuple[str, int | None]:
        """What a broad query ranks: the FTS5 expression and the last rowid (None: no bound).

        FTS5 reads a rowid range straight off its index, so "the first rank_candidates" is an upper rowid. When
        that many documents have the words in the ranked-most columns, those documents are the candidates (the
        column filter keeps bm25() to them; an excluded word is still looked for everywhere). Otherwise the range
        takes in all of them and at least rank_candidates matches in all.
        """
        expression = match_expression(query)
        tier = f"{{{' '.join(RANKED_COLUMNS)}}} : ({expression})"
        params: list = []
        source = _source(filters, params)
        nth = f"SELECT search_fts.rowid FROM {source} WHERE search_fts MATCH %s ORDER BY search_fts.rowid"
        position = self.rank_candidates - 1
        with connection.cursor() as cursor:
            cursor.execute(f"{nth} LIMIT 1 OFFSET %s", [*params, expression, position])
            row = cursor.fetchone()
            if row is None:
                return expression, None
            cursor.execute(f"{nth} LIMIT 1 OFFSET %s", [*params, tier, position])
            tier_row = cursor.fetchone()
            if tier_row is not None:
                return (expression if query.excluded else tier), tier_row[0]
            cursor.execute(f"{nth} DESC LIMIT 1", [*params, tier])
            tier_row = cursor.fetchone()
        return expression, max(row[0], tier_row[0] if tier_row else 0)

    def ranked(self, query: Query, filters, limit: int, offset: int, overview: Overview) -> list[Hit]:
        broad = overview.broad
        expression, end = self._candidates(query, filters) if broad else (match_expression(query), None)
        bound, bound_params = ("", []) if end is None else (" AND search_fts.rowid <= %s", [end])
        # Documents that match without the names of the records linking to them come first (a country is not found
        # first by the titles of its activities); a broad query's candidates are ranked by bm25() alone.
        own, own_params = ("", []) if broad else (f"{OWN_MATCH} DESC, ", [f"{OWN_FILTER} : ({expression})"])
        literal, literal_params = "", []
        if not broad and query.has_alternatives:
            # Of those, the ones with the words as typed come first, ranked as if there were no synonyms (a record
            # with the words and a synonym too would outrank one with the words in its title); then those found
            # through a synonym only.
            literal = f"""
                LEFT JOIN (
                    SELECT rowid, bm25(search_fts, {BM25_WEIGHTS}) AS rank FROM search_fts WHERE search_fts MATCH %s
                ) literal ON literal.rowid = search_fts.rowid"""
            literal_params = [f"{OWN_FILTER} : ({match_expression(query.literal())})"]
            own = f"({OWN_MATCH}) + (literal.rowid IS NOT NULL) DESC, literal.rank, "
        # One statement and no join to the documents: FTS5 scores every candidate with bm25() but builds snippet()
        # only for the rows returned. Ties go by id.
        params: list = []
        source = _source(filters, params)
        sql = f"""
            SELECT search_fts.rowid, {SNIPPETS}
            FROM {source}{literal}
            WHERE search_fts MATCH %s{bound}
            ORDER BY {own}bm25(search_fts, {BM25_WEIGHTS}), search_fts.rowid
            LIMIT %s OFFSET %s
        """
        values = [*SNIPPET_PARAMS, *params, *literal_params, expression, *bound_params, *own_params, limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return [_hit(row) for row in cursor.fetchall()]

    def near_misses(self, query: Query, filters, limit: int) -> list[Hit]:
        groups = [_group(group) for group in query.groups]
        # Some words, not all of them (those are the results), and none excluded.
        some = _excluding(f"({' OR '.join(groups)}) NOT ({' AND '.join(groups)})", query)
        candidates = " UNION ".join(
            ["SELECT * FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY rowid LIMIT %s)"]
            * len(groups)
        )
        # Every expression is read once, over the candidates' range of rowids, which FTS5 takes straight off its
        # index. Sought candidate by candidate (a rowid IN list, or an EXISTS per word), FTS5 parsed and set up the
        # whole expression again for each: 0.6 s for three rare words at 100,000 documents, seconds with a common
        # one.
        within = "rowid BETWEEN (SELECT first FROM bounds) AND (SELECT last FROM bounds)"
        each_word = " UNION ALL ".join(
            [f"SELECT rowid FROM search_fts WHERE search_fts MATCH %s AND {within}"] * len(groups)
        )
        params: list = []
        source = _source(filters, params)
        # The best are chosen first; snippet() then runs for those few only, each found again by its rowid. CROSS
        # JOIN keeps SQLite from looking up each counted candidate in the full-text index one by one.
        sql = f"""
            WITH candidates AS ({candidates}),
            bounds AS (SELECT min(rowid) AS first, max(rowid) AS last FROM candidates),
            counted AS (
                SELECT rowid, count(*) AS matched FROM ({each_word})
                WHERE +rowid IN candidates
                GROUP BY rowid
                HAVING count(*) >= %s
            ),
            best AS (
                SELECT search_fts.rowid, counted.matched, bm25(search_fts, {BM25_WEIGHTS}) AS rank
                FROM {source} CROSS JOIN counted ON counted.rowid = search_fts.rowid
                WHERE search_fts MATCH %s AND search_fts.{within}
                ORDER BY counted.matched DESC, rank, search_fts.rowid
                LIMIT %s
            )
            SELECT search_fts.rowid, {SNIPPETS}
            FROM best JOIN search_fts ON search_fts.rowid = best.rowid
            WHERE search_fts MATCH %s
            ORDER BY best.matched DESC, best.rank, best.rowid
        """
        values = [*(value for group in groups for value in (group, NEAR_MISS_CANDIDATES)), *groups]
        values += [near_miss_threshold(len(groups)), *params, some, limit, *SNIPPET_PARAMS, some]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return [_hit(row) for row in cursor.fetchall()]

    @contextmanager
    def bulk_load(self):
        # The FTS triggers (migration 0002) keep both FTS tables in step row by row, and a row deleted through them
        # is tokenised again to be taken out. For a full rebuild: drop them, load the documents, rebuild the FTS
        # index in one pass and put them back (the index-state triggers of migration 0006 stay and fire). SQLite's
        # DDL is transactional: nobody sees the table without its triggers.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)", FTS_TRIGGERS
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
        yield
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
            for _name, sql in triggers:
                cursor.execute(sql)
            # SQLite never gathers planner statistics by itself, and any it holds for these tables were taken before
            # the rebuild, perhaps with a handful of documents (generate_demo_data's ANALYZE runs before the index
            # is built): with those, it counted a search's facets by scanning every facet row (0.3 s a search at
            # 100,000 documents) instead of looking up the matching documents' rows.
            cursor.execute("ANALYZE search_searchdocument")
            cursor.execute("ANALYZE search_searchfacet")

    def word_start_tries(self, candidates: list[str]) -> tuple[list[str], list]:
        tries = ["WHEN EXISTS (SELECT 1 FROM search_fts WHERE search_fts MATCH %s) THEN %s"] * len(candidates)
        return tries, [value for prefix in candidates for value in ("{title aliases} : " + f'"{prefix}"*', prefix)]

    def closest_titles(
        self, text: str, prefixes: list[str], *, passes: tuple[bool, ...], limit: int
    ) -> list[list[int]]:
        part = """
            SELECT * FROM (
                SELECT {number} AS pass, d.id, d.title, d.aliases FROM search_fts
                JOIN search_searchdocument d ON d.id = search_fts.rowid
                WHERE search_fts MATCH %s
                LIMIT %s
            )
        """
        parts, params = [], []
        for number, every in enumerate(passes):
            parts.append(part.format(number=number))
            params += ["{title aliases} : " + (" AND " if every else " OR ").join(f'"{p}"*' for p in prefixes)]
            params.append(SUGGESTION_CANDIDATES)
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            candidates = cursor.fetchall()
        # pg_trgm's word_similarity, computed here: the score that decides is the same on both databases.
        result = []
        for number in range(len(passes)):
            scored = [
                (max(word_similarity(text, title), word_similarity(text, aliases)), title, pk)
                for pass_number, pk, title, aliases in candidates
                if pass_number == number
            ]
            scored = [row for row in scored if row[0] >= SUGGESTION_THRESHOLD]
            scored.sort(key=lambda row: (-row[0], row[1]))
            result.append([pk for _score, _title, pk in scored[:limit]])
        return result

    def autocomplete(self, words: tuple[str, ...], limit: int) -> list[int]:
        # The best of the first AUTOCOMPLETE_CANDIDATES matches: a rowid bound FTS5 reads off its index.
        expression = "{title aliases} : " + " AND ".join(f"{_quoted((word,))}*" for word in words)
        sql = f"""
            SELECT search_fts.rowid FROM search_fts
            JOIN search_searchdocument d ON d.id = search_fts.rowid
            WHERE search_fts MATCH %s AND search_fts.rowid <= coalesce((
                SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY rowid LIMIT 1 OFFSET %s
            ), 9223372036854775807)
            ORDER BY bm25(search_fts, {BM25_WEIGHTS}), length(d.title), d.title
            LIMIT %s
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression, expression, AUTOCOMPLETE_CANDIDATES - 1, limit])
            return [row[0] for row in cursor.fetchall()]
