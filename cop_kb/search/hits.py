"""How a hit is shown: its snippet's highlights made safe, and the alias it was found by."""

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .backends.base import GREATER_THAN, LESS_THAN, MARK_END, MARK_START
from .models import SearchDocument
from .query import Query, Term


def highlight(snippet: str) -> SafeString:
    """Escape the snippet first, then turn the backend's markers into <mark>: only our tags survive."""
    escaped = escape(snippet).replace(LESS_THAN, "&lt;").replace(GREATER_THAN, "&gt;")
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S308


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _fold(text))


def _same_word(query_word: str, text_word: str) -> bool:
    # Close enough to stemming for telling which name matched: "protocols" ~ "protocol", not "viet" ~ "vietnam".
    if query_word == text_word:
        return True
    shorter, longer = sorted((query_word, text_word), key=len)
    return len(shorter) >= 4 and len(longer) - len(shorter) <= 2 and longer.startswith(shorter)


def _covers(text: str, term: Term) -> bool:
    words = _words(text)
    return any(
        all(any(_same_word(_fold(token), word) for word in words) for token in variant) for variant in term.variants()
    )


def matched_alias(document: SearchDocument, query: Query) -> str:
    """The alias a hit was found by, when its title alone would not have matched ("Lanzarote Convention"): by the
    words as typed when an alias and the title hold them all ("Vietnam" finds "Viet Nam" by its alias, though the two
    are synonyms), else with synonyms ("labor" finds "Child Labour" by its title)."""
    return _matched_alias(document, query.literal(), partly=False) or _matched_alias(document, query)


def _matched_alias(document: SearchDocument, query: Query, *, partly: bool = True) -> str:
    """``partly``: failing an alias that holds every word the title lacks, one holding some of them."""
    terms = query.positive_terms()
    if not terms or not document.aliases or all(_covers(document.title, term) for term in terms):
        return ""
    aliases = document.aliases.splitlines()
    for alias in aliases:
        if all(_covers(alias, term) or _covers(document.title, term) for term in terms):
            return alias
    if not partly:
        return ""
    return next((alias for alias in aliases if any(_covers(alias, term) for term in terms)), "")
