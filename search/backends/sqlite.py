"""SQLite: an FTS5 table (porter stemming, diacritics removed) ranked with ``bm25()`` column weights and
``snippet()`` for highlights, and a second FTS5 table with the ``trigram`` tokenizer for suggestions."""

from django.db import OperationalError, connection

from ..query import Query, Term
from .base import MARK_END, MARK_START, SUGGESTION_THRESHOLD, Hit, SearchBackend, trigrams, word_similarity

# Column order of search_fts: title, aliases, summary, tags, body.
BM25_WEIGHTS = "10.0, 10.0, 4.0, 4.0, 1.0"
SUGGESTION_CANDIDATES = 50


def _quoted(tokens: tuple[str, ...]) -> str:
    return '"' + " ".join(token.replace('"', '""') for token in tokens) + '"'


def _term(term: Term) -> str:
    variants = [_quoted(variant) for variant in term.variants()]
    return variants[0] if len(variants) == 1 else "(" + " OR ".join(variants) + ")"


def match_expression(query: Query) -> str:
    """The query in FTS5 syntax; every token is a quoted string, so user input can add no operator."""
    groups = []
    for group in query.groups:
        terms = [_term(term) for term in group]
        groups.append(terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")")
    expression = " AND ".join(groups)
    if query.excluded:
        expression = f"({expression}) NOT (" + " OR ".join(_term(term) for term in query.excluded) + ")"
    return expression


class SQLiteBackend(SearchBackend):
    def match_sql(self, query: Query) -> tuple[str, list]:
        return "SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [match_expression(query)]

    def ranked(self, query: Query, candidates: tuple[str, list], limit: int, offset: int) -> list[Hit]:
        candidate_sql, candidate_params = candidates
        sql = f"""
            SELECT search_fts.rowid, snippet(search_fts, -1, %s, %s, '…', 24)
            FROM search_fts
            JOIN search_searchdocument d ON d.id = search_fts.rowid
            WHERE search_fts MATCH %s AND d.id IN ({candidate_sql})
            ORDER BY bm25(search_fts, {BM25_WEIGHTS}), d.title, d.id
            LIMIT %s OFFSET %s
        """
        params = [MARK_START, MARK_END, match_expression(query), *candidate_params, limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Hit(document_id=row[0], snippet=row[1] or "") for row in cursor.fetchall()]

    def suggest(self, text: str, limit: int, candidates: tuple[str, list]) -> list[int]:
        grams = sorted(gram for gram in trigrams(text) if gram.strip() and " " not in gram)
        if not grams:
            return []
        expression = " OR ".join(_quoted((gram,)) for gram in grams)
        sql = f"""
            SELECT d.id, d.title, d.aliases FROM search_trigram
            JOIN search_searchdocument d ON d.id = search_trigram.rowid
            WHERE search_trigram MATCH %s AND d.id IN ({candidates[0]})
            ORDER BY bm25(search_trigram), d.title
            LIMIT %s
        """
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, [expression, *candidates[1], SUGGESTION_CANDIDATES])
                rows = cursor.fetchall()
        except OperationalError:
            return []
        # The trigram table finds candidates quickly; the score that decides is the same one PostgreSQL uses.
        scored = [
            (max(word_similarity(text, title), word_similarity(text, aliases)), title, pk)
            for pk, title, aliases in rows
        ]
        scored = [row for row in scored if row[0] >= SUGGESTION_THRESHOLD]
        scored.sort(key=lambda row: (-row[0], row[1]))
        return [pk for _score, _title, pk in scored[:limit]]

    def autocomplete(self, words: tuple[str, ...], limit: int, candidates: tuple[str, list]) -> list[int]:
        expression = "{title aliases} : " + " AND ".join(f"{_quoted((word,))}*" for word in words)
        sql = f"""
            SELECT search_fts.rowid FROM search_fts
            JOIN search_searchdocument d ON d.id = search_fts.rowid
            WHERE search_fts MATCH %s AND d.id IN ({candidates[0]})
            ORDER BY bm25(search_fts, {BM25_WEIGHTS}), length(d.title), d.title
            LIMIT %s
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression, *candidates[1], limit])
            return [row[0] for row in cursor.fetchall()]
