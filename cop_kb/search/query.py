"""Reading what people type into the search box into a small query that every backend can render safely.

Syntax people know from web search: several words (all must match), ``"exact phrase"``, ``-excluded``, and
``OR`` between alternatives. Anything else is treated as words: stray quotes, operators alone, control
characters and SQL fragments end up as plain tokens or are dropped, so no input can break a backend's syntax.

Synonym groups (``cop_kb.search.models.Synonym``) widen a term: words typed one after the other that make up a term
of a group ("child sexual abuse material", "Viet Nam") become one term, which also matches the group's other terms,
each as a phrase.
"""

import re
import unicodedata
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# The most words a synonym term may have (``Synonym.clean`` holds editors to it): bounds the look-ahead for one.
MAX_PHRASE_WORDS = 6

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


Synonyms = dict[tuple[str, ...], tuple[tuple[str, ...], ...]]


@dataclass(frozen=True)
class Term:
    """One thing to match: a single word, or a phrase of words in order. ``alternatives`` holds synonyms, each a
    phrase. ``loose``: the words were typed without quotes and make up a synonym term, so they match as typed words
    do, anywhere in the record (a search never finds less for having a synonym); only the alternatives are phrases."""

    tokens: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()
    loose: bool = False

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

    @property
    def has_alternatives(self) -> bool:
        return any(term.alternatives for term in self.positive_terms())

    def literal(self) -> "Query":
        """The query as typed, without synonyms: ranking puts the records it matches first."""
        groups = [[Term(tokens=term.tokens, loose=term.loose) for term in group] for group in self.groups]
        return Query(groups=groups, excluded=self.excluded, text=self.text, truncated=self.truncated)


def clean_text(raw: str) -> tuple[str, bool]:
    """Drop control characters, normalise Unicode and cap the length; say whether anything was cut."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in unicodedata.normalize("NFC", raw))
    text = " ".join(text.split())
    truncated = len(text) > MAX_QUERY_LENGTH
    return text[:MAX_QUERY_LENGTH], truncated


def tokens(text: str) -> tuple[str, ...]:
    return tuple(token.casefold() for token in _TOKEN.findall(text))


@dataclass(frozen=True)
class _Part:
    """One thing typed: its words, and whether it was quoted, negated or came right after OR."""

    words: tuple[str, ...]
    quoted: bool = False
    negated: bool = False
    after_or: bool = False

    @property
    def plain(self) -> bool:
        return not (self.quoted or self.negated)


def _parts(text: str) -> list[_Part]:
    parts: list[_Part] = []
    after_or = False
    for match in _PART.finditer(text):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None and word == "OR":
            after_or = True
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            negated, word = "-", word[1:]
        words = tokens(phrase if phrase is not None else word)
        if words:
            parts.append(_Part(words, quoted=phrase is not None, negated=bool(negated), after_or=after_or))
            after_or = False
    return parts


def _synonym_span(parts: list[_Part], start: int, synonyms: Synonyms) -> tuple[int, tuple[str, ...]]:
    """How many parts from ``start`` make up the longest synonym term (at least 1), and their words. Only plain
    words typed one after the other join (no quote, minus or OR between them)."""
    found = (1, parts[start].words)
    if not parts[start].plain:
        return found
    words: tuple[str, ...] = ()
    for end in range(start, len(parts)):
        part = parts[end]
        if not part.plain or (end > start and part.after_or) or len(words) + len(part.words) > MAX_PHRASE_WORDS:
            break
        words += part.words
        if end > start and words in synonyms:
            found = (end - start + 1, words)
    return found


def parse(raw: str, synonyms: Synonyms | None = None) -> Query:
    """Parse user input into a ``Query``; ``synonyms`` maps the words of each synonym term to the other terms of
    its group."""
    synonyms = synonyms or {}
    text, truncated = clean_text(raw)
    if text.count('"') % 2:
        text = text[: text.rfind('"')] + text[text.rfind('"') + 1 :]  # an unmatched quote is just a typo
    query = Query(text=text, truncated=truncated)
    parts = _parts(text)
    pending_or = False
    count = 0
    start = 0
    while start < len(parts):
        part = parts[start]
        span, words = _synonym_span(parts, start, synonyms)
        start += span
        pending_or = (pending_or or part.after_or) and bool(query.groups)
        if span == 1 and not part.quoted and len(words) == 1 and words[0] in STOP_WORDS:
            continue
        if count >= MAX_TERMS:
            query.truncated = True
            break
        count += 1
        if span > 1:
            # Typed words, matched as such: without their stop words, as every typed word is.
            kept = tuple(word for word in words if word not in STOP_WORDS)
            term = Term(tokens=kept or words, alternatives=synonyms[words], loose=len(kept or words) > 1)
        else:
            term = Term(tokens=words, alternatives=synonyms.get(words, ()))
        if part.negated:
            query.excluded.append(term)
            pending_or = False
        elif pending_or:
            query.groups[-1].append(term)
            pending_or = False
        else:
            query.groups.append([term])
    return query
