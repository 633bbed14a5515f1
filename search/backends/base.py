"""What every search backend provides. Queries arrive parsed (``search.query.Query``); user text is only ever
passed to the database as bound parameters, and the SQL around it is built from fixed fragments."""

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Hit:
    document_id: int
    snippet: str


class SearchBackend:
    def match_sql(self, query: Query) -> tuple[str, list]:
        """SQL selecting the ids of documents that match ``query`` (used as a subquery for counts and facets)."""
        raise NotImplementedError

    def ranked(self, query: Query, candidates: tuple[str, list], limit: int, offset: int) -> list[Hit]:
        """One page of matching documents among ``candidates`` (SQL of ids), best first, with a snippet."""
        raise NotImplementedError

    def suggest(self, text: str, limit: int, candidates: tuple[str, list]) -> list[int]:
        """Ids of documents among ``candidates`` whose title or aliases look most like ``text`` ("Did you mean")."""
        raise NotImplementedError

    def autocomplete(self, words: tuple[str, ...], limit: int, candidates: tuple[str, list]) -> list[int]:
        """Ids of documents among ``candidates`` with title or alias words starting with ``words``, best first."""
        raise NotImplementedError


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams of a text: each word padded with two spaces before and one after."""
    grams = set()
    for word in re.findall(r"\w+", text.casefold()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def word_similarity(needle: str, haystack: str) -> float:
    """How well ``needle`` matches its best stretch of words in ``haystack`` (like pg_trgm's word_similarity)."""
    wanted = trigrams(needle)
    if not wanted:
        return 0.0
    words = re.findall(r"\w+", haystack.casefold())
    span = max(1, len(re.findall(r"\w+", needle)))
    best = 0.0
    for start in range(max(1, len(words) - span + 1)):
        window = trigrams(" ".join(words[start : start + span]))
        if window:
            best = max(best, len(wanted & window) / len(wanted | window))
    return best
