"""Reading what people type into the search box into a small query that every backend can render safely.

Syntax people know from web search: several words (all must match), ``"exact phrase"``, ``-excluded``, and
``OR`` between alternatives. Anything else is treated as words: stray quotes, operators alone, control
characters and SQL fragments end up as plain tokens or are dropped, so no input can break a backend's syntax.
"""

import re
import unicodedata
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12

# Words too common to narrow anything: PostgreSQL's English stop words (Snowball's list). Dropped from plain words
# (not from phrases) before any backend sees them, so SQLite, which has no stop words, behaves like PostgreSQL.
STOP_WORDS = frozenset(
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers "
    "herself it its itself they them their theirs themselves what which who whom this that these those am is are "
    "was were be been being have has had having do does did doing a an the and but if or because as until while "
    "of at by for with about against between into through during before after above below to from up down in "
    "out on off over under again further then once here there when where why how all any both each few more most "
    "other some such no nor not only own same so than too very s t can will just don should now".split()
)

_TOKEN = re.compile(r"\w+", re.UNICODE)
_PART = re.compile(r'(-?)"([^"]*)"|(\S+)')


@dataclass(frozen=True)
class Term:
    """One thing to match: a single word, or a phrase of words in order. ``alternatives`` holds synonyms."""

    tokens: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()

    def variants(self) -> tuple[tuple[str, ...], ...]:
        return (self.tokens, *self.alternatives)


@dataclass
class Query:
    """Groups that must all match (each group is one term or several joined by OR), minus excluded terms."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    text: str = ""
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def positive_terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]


def clean_text(raw: str) -> tuple[str, bool]:
    """Drop control characters, normalise Unicode and cap the length; say whether anything was cut."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in unicodedata.normalize("NFC", raw))
    text = " ".join(text.split())
    truncated = len(text) > MAX_QUERY_LENGTH
    return text[:MAX_QUERY_LENGTH], truncated


def tokens(text: str) -> tuple[str, ...]:
    return tuple(token.casefold() for token in _TOKEN.findall(text))


def parse(raw: str, synonyms: dict[str, tuple[str, ...]] | None = None) -> Query:
    """Parse user input into a ``Query``; ``synonyms`` maps a word to the other words of its group."""
    synonyms = synonyms or {}
    text, truncated = clean_text(raw)
    if text.count('"') % 2:
        text = text[: text.rfind('"')] + text[text.rfind('"') + 1 :]  # an unmatched quote is just a typo
    query = Query(text=text, truncated=truncated)
    pending_or = False
    count = 0
    for match in _PART.finditer(text):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None and word == "OR":
            pending_or = bool(query.groups)
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            negated, word = "-", word[1:]
        words = tokens(phrase if phrase is not None else word)
        if phrase is None and len(words) == 1 and words[0] in STOP_WORDS:
            continue
        if not words:
            continue
        if count >= MAX_TERMS:
            query.truncated = True
            break
        count += 1
        alternatives = tuple((alt,) for alt in synonyms.get(words[0], ())) if len(words) == 1 else ()
        term = Term(tokens=words, alternatives=alternatives)
        if negated:
            query.excluded.append(term)
            pending_or = False
        elif pending_or:
            query.groups[-1].append(term)
            pending_or = False
        else:
            query.groups.append([term])
    return query
