"""What every search backend provides. Queries arrive parsed (``cop_kb.search.query.Query``); user text is only ever
passed to the database as bound parameters, and the SQL around it is built from fixed fragments."""

import functools
import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

from ..query import Query

# Highlight markers: private-use characters that never occur in indexed text (the indexer strips them), so
# after HTML-escaping a snippet they can be turned into <mark> tags and nothing else can.
MARK_START = "\ue000"
MARK_END = "\ue001"
# PostgreSQL's ts_headline drops anything its parser takes for an HTML tag; the text it highlights has "<" and
# ">" swapped for these first, and they are turned back into escaped brackets afterwards.
LESS_THAN = "\ue002"
GREATER_THAN = "\ue003"
PRIVATE_MARKERS = (MARK_START, MARK_END, LESS_THAN, GREATER_THAN)
SUGGESTION_THRESHOLD = 0.4
# "Did you mean" scores this many titles at most: those sharing each typed word's first letters (see
# SearchBackend.suggest), found through the full-text index however many documents there are.
SUGGESTION_CANDIDATES = 200
# Autocomplete ranks the first this many titles and aliases (in index order) starting with what was typed: a
# prefix of one or two letters matches most of the index.
AUTOCOMPLETE_CANDIDATES = 200
# Typed words looked at, and the shortest and longest word starts tried for each.
SUGGESTION_WORDS = 4
SUGGESTION_PREFIX_MIN = 3
SUGGESTION_PREFIX_MAX = 8


# Near misses ("Results with some of your words") are drawn from the first this many documents, in index order,
# matching each word: bounded work however common a word is, while every document with a rare word is looked at.
NEAR_MISS_CANDIDATES = 500


def near_miss_threshold(groups: int) -> int:
    """How many of ``groups`` words a near miss must match: at least half of them, and never all."""
    return max(1, (groups + 1) // 2)


@dataclass(frozen=True)
class Hit:
    document_id: int
    snippet: str


def passage(summary: str, body: str) -> str:
    """What a hit shows, from its summary's and its body's snippets: the summary's passage with the matched words,
    else the body's, else (the words matched in the title, aliases, tags or linked names) the summary's opening."""
    return next((text for text in (summary, body) if MARK_START in text), summary or body)


# Broad queries (see SearchBackend.exact_limit) count facets from an even sample: the documents whose id is a
# multiple of this, which PostgreSQL reads through a partial index of that sample (migration 0007, which holds the
# same number).
SAMPLE_MODULUS = 64

Filters = list[tuple[str, str]]


@dataclass(frozen=True)
class Overview:
    """How many documents match and their facet values with counts."""

    total: int
    facets: list[dict]
    # More than exact_limit matches: the facet counts are estimates and the ranking covers rank_candidates.
    broad: bool = False
    # The total itself is an estimate (PostgreSQL, for a broad query).
    total_estimated: bool = False
    # How many documents the index holds, where a backend reads it to choose how to rank a broad query (PostgreSQL:
    # the planner's own estimate); 0 when unknown.
    documents: int = 0
    # Of the matches, how many have the words in their title, aliases, summary or tags, estimated from the sample
    # (PostgreSQL, for a broad query, to choose how its candidates are found); 0 when unknown.
    title_matches: int = 0


def with_filters(source: str, document_id: str, filters: Filters, params: list) -> str:
    """``source`` joined to one facet row per (facet, value) filter, each answered by the unique facet index;
    ``document_id`` is the SQL naming the document in ``source``. Appends the filters' values to ``params``."""
    for index, (facet, value) in enumerate(filters):
        source += (
            f" JOIN search_searchfacet f{index} ON f{index}.document_id = {document_id}"
            f" AND f{index}.facet = %s AND f{index}.value = %s"
        )
        params += [facet, value]
    return source


def documents_counted(facets: list[dict]) -> int:
    """How many documents facet counts cover: every document has exactly one record type."""
    return sum(row["n"] for row in facets if row["facet"] == "type")


class SearchBackend:
    # Up to this many matches, a search is exact: its count, its facet counts and its ranking. A broader query (a
    # word found in most records, such as "online") would cost tens of milliseconds per thousand matches to count
    # by facet and to rank, so beyond it:
    # * facet counts (and, on PostgreSQL, the total) are estimated from the SAMPLE_MODULUS sample;
    # * the ranking covers the first rank_candidates documents, in index order, with the words in the title,
    #   aliases, summary or tags (where ranking weighs them most), rather than every document mentioning them.
    exact_limit = 2000
    rank_candidates = 2000

    def match_sql(self, query: Query, filters: Filters = ()) -> tuple[str, list]:
        """SQL selecting ``id`` of the documents that match ``query`` and carry every (facet, value) of ``filters``."""
        raise NotImplementedError

    def overview(self, query: Query, filters: Filters) -> Overview:
        """The exact total, and facet counts that are exact up to ``exact_limit`` matches and sampled above
        (SAMPLE_MODULUS)."""
        raise NotImplementedError

    def ranked(self, query: Query, filters: Filters, limit: int, offset: int, overview: Overview) -> list[Hit]:
        """One page of the matching documents, best first, each with a snippet (``overview.broad``: see
        ``rank_candidates``)."""
        raise NotImplementedError

    def near_misses(self, query: Query, filters: Filters, limit: int) -> list[Hit]:
        """Up to ``limit`` documents that match some but not all of the query's words (groups), at least
        ``near_miss_threshold`` of them and none of its excluded words, those matching most first, then by rank:
        for a search that found few records. Candidates are bounded (``NEAR_MISS_CANDIDATES`` per word); one query."""
        raise NotImplementedError

    def ranked_and_near_misses(
        self, query: Query, filters: Filters, limit: int, offset: int, near_limit: int
    ) -> tuple[list[Hit], list[Hit]]:
        """``ranked`` (an exact search) and ``near_misses`` together; a backend may answer both in one statement."""
        exact = Overview(total=0, facets=[])
        return self.ranked(query, filters, limit, offset, exact), self.near_misses(query, filters, near_limit)

    @contextmanager
    def session(self):
        """Wraps the statements of one search (a backend may tune the planner for them)."""
        yield

    @contextmanager
    def bulk_load(self):
        """Wraps a full rebuild, inside its transaction: a backend may defer per-row index upkeep to the end."""
        yield

    def after_rebuild(self) -> None:
        """Run once a full rebuild has committed, outside any transaction: a backend may tidy its tables."""

    def suggest(self, text: str, limit: int) -> list[int]:
        """Ids of documents whose title or aliases look most like ``text`` ("Did you mean").

        Scoring every title by trigram similarity costs 100 ms and more at 100,000 documents, so only a few hundred
        candidates are scored: titles and aliases with words starting like every typed word, or failing that like
        any of them. For each typed word the longest start that some title or alias word shares is used: a typo
        seldom comes early ("cybercrme" shares "cyberc" with "Cybercrime" and not with "Cyberbullying").
        """
        words = dict.fromkeys(re.findall(r"\w+", text.casefold())[:SUGGESTION_WORDS])
        starts = [
            [
                word[:length]
                for length in range(min(len(word) - 1, SUGGESTION_PREFIX_MAX), SUGGESTION_PREFIX_MIN - 1, -1)
            ]
            for word in words
        ]
        starts = [candidates for candidates in starts if candidates]
        prefixes = [prefix for prefix in self.longest_title_word_starts(starts) if prefix] if starts else []
        if not prefixes:
            return []
        passes = (True, False) if len(prefixes) > 1 else (True,)
        return next((found for found in self.closest_titles(text, prefixes, passes=passes, limit=limit) if found), [])

    def longest_title_word_starts(self, starts: list[list[str]]) -> list[str]:
        """For each list of candidate prefixes (\\w+ strings, longest first), the first that starts a word of some
        indexed title or alias, or "": one query, which stops looking at a word's first hit."""
        # A CASE tries its conditions in order and stops at the first true one, running each subquery only then.
        columns, params = [], []
        for candidates in starts:
            tries, values = self.word_start_tries(candidates)
            columns.append(f"CASE {' '.join(tries)} ELSE '' END")
            params += values
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)}", params)
            return list(cursor.fetchone())

    def word_start_tries(self, candidates: list[str]) -> tuple[list[str], list]:
        """``WHEN <some title or alias word starts with the prefix> THEN <the prefix>`` for each of ``candidates``,
        in order, and their parameters."""
        raise NotImplementedError

    def closest_titles(
        self, text: str, prefixes: list[str], *, passes: tuple[bool, ...], limit: int
    ) -> list[list[int]]:
        """For each pass (True: documents with title or alias words starting with every one of ``prefixes``;
        False: with any of them), of up to SUGGESTION_CANDIDATES such documents, the ids of those most like
        ``text`` by trigram word similarity, best first. One query for every pass."""
        raise NotImplementedError

    def autocomplete(self, words: tuple[str, ...], limit: int) -> list[int]:
        """Ids of documents with title or alias words starting with ``words``, best first."""
        raise NotImplementedError


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams of a text: each word padded with two spaces before and one after."""
    grams: set[str] = set()
    for word in re.findall(r"\w+", text.casefold()):
        grams |= _word_trigrams(word)
    return grams


@functools.lru_cache(maxsize=10_000)
def _word_trigrams(word: str) -> frozenset[str]:
    # Kept: "Did you mean" scores a few hundred titles per search, mostly of the same few thousand words.
    padded = f"  {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def word_similarity(needle: str, haystack: str) -> float:
    """How well ``needle`` matches its best stretch of words in ``haystack`` (like pg_trgm's word_similarity)."""
    wanted = trigrams(needle)
    if not wanted:
        return 0.0
    # A stretch's trigrams are its words' trigrams together: each word is split into trigrams once, not once per
    # stretch it is in.
    words = [_word_trigrams(word) for word in re.findall(r"\w+", haystack.casefold())]
    span = max(1, len(re.findall(r"\w+", needle)))
    best = 0.0
    for start in range(max(1, len(words) - span + 1)):
        window = frozenset().union(*words[start : start + span])
        if window:
            best = max(best, len(wanted & window) / len(wanted | window))
    return best
