"""PostgreSQL: a weighted ``tsvector`` column (title and aliases A, summary and tags B, body C) with a GIN index,
the ``cop_english`` configuration (unaccent, then English stemming), ``ts_rank``, ``ts_headline`` and pg_trgm."""

from django.db import connection

from ..query import Query, Term
from .base import GREATER_THAN, LESS_THAN, MARK_END, MARK_START, SUGGESTION_THRESHOLD, Hit, SearchBackend

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


class PostgresBackend(SearchBackend):
    def match_sql(self, query: Query) -> tuple[str, list]:
        sql, params = tsquery(query)
        return f"SELECT id FROM search_searchdocument WHERE search_vector @@ ({sql})", params

    def ranked(self, query: Query, candidates: tuple[str, list], limit: int, offset: int) -> list[Hit]:
        ts_sql, ts_params = tsquery(query)
        candidate_sql, candidate_params = candidates
        # Rank and headline only the page: ts_headline is costly, so it runs on at most `limit` rows.
        sql = f"""
            WITH q AS (SELECT ({ts_sql}) AS query),
            page AS (
                SELECT d.id, d.summary, d.body, ts_rank(d.search_vector, q.query) AS rank, d.title
                FROM search_searchdocument d, q
                WHERE d.search_vector @@ q.query AND d.id IN ({candidate_sql})
                ORDER BY rank DESC, d.title, d.id
                LIMIT %s OFFSET %s
            )
            SELECT page.id, ts_headline('{CONFIG}', translate(page.summary || ' ' || page.body, '<>', %s), q.query, %s)
            FROM page, q
            ORDER BY page.rank DESC, page.title, page.id
        """
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [*ts_params, *candidate_params, limit, offset, LESS_THAN + GREATER_THAN, HEADLINE_OPTIONS]
            )
            return [Hit(document_id=row[0], snippet=row[1] or "") for row in cursor.fetchall()]

    def suggest(self, text: str, limit: int, candidates: tuple[str, list]) -> list[int]:
        candidate_sql, candidate_params = candidates
        sql = f"""
            SELECT id FROM (
                SELECT id, title, greatest(word_similarity(%s, title), word_similarity(%s, aliases)) AS score
                FROM search_searchdocument
                WHERE (%s <%% title OR %s <%% aliases) AND id IN ({candidate_sql})
            ) scored
            WHERE score >= %s
            ORDER BY score DESC, title
            LIMIT %s
        """
        with connection.cursor() as cursor:
            # The <% operator uses the GIN trigram indexes; its threshold is a setting, so match ours.
            cursor.execute("SET pg_trgm.word_similarity_threshold = %s", [SUGGESTION_THRESHOLD])
            cursor.execute(sql, [text, text, text, text, *candidate_params, SUGGESTION_THRESHOLD, limit])
            return [row[0] for row in cursor.fetchall()]

    def autocomplete(self, words: tuple[str, ...], limit: int, candidates: tuple[str, list]) -> list[int]:
        # Each word is \w+ (see search.query.tokens), so it is safe inside to_tsquery's syntax; ":*A" = prefix
        # of a title or alias word.
        expression = " & ".join(f"{word}:*A" for word in words)
        sql = f"""
            SELECT id FROM search_searchdocument
            WHERE search_vector @@ to_tsquery('{CONFIG}', %s) AND id IN ({candidates[0]})
            ORDER BY ts_rank(search_vector, to_tsquery('{CONFIG}', %s)) DESC, length(title), title
            LIMIT %s
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression, *candidates[1], expression, limit])
            return [row[0] for row in cursor.fetchall()]
