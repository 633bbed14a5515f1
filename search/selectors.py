"""The one entry point for search: parse, match, rank, highlight, count facets, suggest — public records only."""

import math
import re
import unicodedata
from dataclasses import dataclass, field

from django.apps import apps
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from taggit.models import Tag

from .backends import get_backend
from .backends.base import GREATER_THAN, LESS_THAN, MARK_END, MARK_START
from .models import SearchDocument, SearchFacet, Synonym
from .query import MAX_QUERY_LENGTH, MAX_TERMS, Query, Term, parse, tokens

PER_PAGE = 20
SUGGESTIONS = 5
AUTOCOMPLETE_LIMIT = 8
FACETS = (
    ("type", _("Record type")),
    ("strategic_area", _("Strategic area")),
    ("country", _("Country")),
    ("year", _("Year")),
    ("tag", _("Tag")),
)
MAX_FILTER_LENGTH = 120


class PageNotFound(Exception):
    """The requested results page does not exist (the view answers 404)."""


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    type_label: str
    snippet: SafeString
    matched_alias: str


@dataclass(frozen=True)
class FacetChoice:
    value: str
    label: str
    count: int
    url: str
    selected: bool


@dataclass
class FacetGroup:
    param: str
    label: str
    options: list[FacetChoice] = field(default_factory=list)
    clear_url: str = ""


@dataclass
class SearchPage:
    text: str
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    num_pages: int = 0
    start: int = 1
    facets: list[FacetGroup] = field(default_factory=list)
    suggestions: list[SearchDocument] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    previous_url: str = ""
    next_url: str = ""


def _database_unreachable(error: DatabaseError) -> bool:
    """A lost connection is an outage (the site answers 503), not a query the backend could not parse.

    SQLite reports FTS5 syntax errors as OperationalError too, but a local file never becomes unreachable.
    """
    return isinstance(error, OperationalError | InterfaceError) and connection.vendor != "sqlite"


def synonym_map() -> dict[str, tuple[str, ...]]:
    """Each word of every synonym group, mapped to the other words of its group (one query)."""
    mapping: dict[str, tuple[str, ...]] = {}
    for group in Synonym.objects.all():
        words = group.words()
        for word in words:
            mapping[word] = tuple(other for other in words if other != word)
    return mapping


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
    """The alias a hit was found by, when its title alone would not have matched ("Lanzarote Convention")."""
    terms = query.positive_terms()
    if not terms or not document.aliases or all(_covers(document.title, term) for term in terms):
        return ""
    aliases = document.aliases.splitlines()
    for alias in aliases:
        if all(_covers(alias, term) or _covers(document.title, term) for term in terms):
            return alias
    return next((alias for alias in aliases if any(_covers(alias, term) for term in terms)), "")


def _public_condition() -> Q:
    """Index rows whose record is public right now (one subquery per record type, all in the same query).

    The index is kept current by the services that write records, but a record changed some other way (a bulk
    update, the shell) must still never be found, counted or offered as a facet.
    """
    condition = Q(pk__in=[])
    for label, model in _indexable().items():
        condition |= Q(record_type=label, object_id__in=model.objects.public().values("pk"))
    return condition


def _public_candidates() -> tuple[str, list]:
    """SQL (and its parameters) selecting the ids of index rows whose record is public, for backend queries."""
    return SearchDocument.objects.filter(_public_condition()).values("pk").query.sql_with_params()


def _indexable() -> dict[str, type]:
    return {model._meta.label_lower: model for model in apps.get_models() if hasattr(model, "search_data")}


def _url(params: QueryDict, **changes) -> str:
    query = params.copy()
    query.pop("page", None)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return f"?{query.urlencode()}"


def _record_type_labels() -> dict[str, str]:
    return {
        model._meta.label_lower: capfirst(model._meta.verbose_name)
        for model in apps.get_models()
        if hasattr(model, "search_data")
    }


def _facet_labels(counts: list[dict]) -> dict[tuple[str, str], str]:
    """Readable names for facet values: record types and years as they are, tags and linked records looked up."""
    type_labels = _record_type_labels()
    labels = {}
    wanted: dict[str, set[str]] = {}
    for row in counts:
        facet, value = row["facet"], row["value"]
        if facet == "type":
            labels[(facet, value)] = type_labels.get(value, value)
        elif facet == "year":
            labels[(facet, value)] = value
        else:
            wanted.setdefault(facet, set()).add(value)
    if "tag" in wanted:
        for slug, name in Tag.objects.filter(slug__in=wanted.pop("tag")).values_list("slug", "name"):
            labels[("tag", slug)] = name
    # Strategic areas and countries are records themselves: their public documents give their titles, and a
    # value whose record is not public gets no label, so it is not offered.
    facet_types = {
        model.search_facet_self: model._meta.label_lower
        for model in apps.get_models()
        if getattr(model, "search_facet_self", "")
    }
    record_facets = {facet_types[facet]: facet for facet in wanted if facet in facet_types}
    slugs = set().union(*wanted.values()) if wanted else set()
    candidates = SearchDocument.objects.filter(_public_condition(), record_type__in=record_facets, slug__in=slugs)
    for document in candidates:
        labels[(record_facets[document.record_type], document.slug)] = document.title
    return labels


def _facet_groups(documents, params: QueryDict, chosen: dict[str, str]) -> list[FacetGroup]:
    counts = list(
        SearchFacet.objects.filter(document__in=documents)
        .values("facet", "value")
        .annotate(n=Count("id"))
        .order_by("facet", "value")
    )
    labels = _facet_labels(counts)
    groups = []
    for param, label in FACETS:
        group = FacetGroup(param=param, label=str(label))
        rows = [row for row in counts if row["facet"] == param and (param, row["value"]) in labels]
        if param == "year":
            rows.sort(key=lambda row: row["value"], reverse=True)
        else:
            rows.sort(key=lambda row: (-row["n"], labels[(param, row["value"])].casefold()))
        for row in rows:
            selected = chosen.get(param) == row["value"]
            group.options.append(
                FacetChoice(
                    value=row["value"],
                    label=labels[(param, row["value"])],
                    count=row["n"],
                    url=_url(params, **{param: None if selected else row["value"]}),
                    selected=selected,
                )
            )
        if param in chosen:
            group.clear_url = _url(params, **{param: None})
        if group.options or group.clear_url:
            groups.append(group)
    return groups


def search(params: QueryDict) -> SearchPage:
    """Search every published record for ``params["q"]``, narrowed by facet values, one page at a time.

    Ranking: title and aliases weigh most, then summary and tags, then body. The query is parsed into a safe
    form first (``search.query``); input the backend still rejects counts as "no results". Runs a fixed number of
    queries whatever the data size. Raises ``PageNotFound`` for a page number past the end or not a number.
    """
    raw = params.get("q", "")
    query = parse(raw, synonym_map())
    result = SearchPage(text=query.text)
    if query.truncated:
        result.notices.append(
            _("Your search was shortened: only its first %(length)d characters and %(terms)d words are used.")
            % {"length": MAX_QUERY_LENGTH, "terms": MAX_TERMS}
        )
    page_text = params.get("page", "1")
    if not re.fullmatch(r"[0-9]{1,6}", page_text) or int(page_text) < 1:
        raise PageNotFound
    result.page = int(page_text)
    result.start = (result.page - 1) * PER_PAGE + 1
    if query.is_empty:
        if query.excluded:
            result.notices.append(_("Add at least one word to look for; excluded words alone match nothing."))
        elif query.text:
            result.notices.append(_("Those words are too common to search for; add a more specific word."))
        return result

    backend = get_backend()
    match_sql, match_params = backend.match_sql(query)
    documents = SearchDocument.objects.filter(pk__in=RawSQL(match_sql, match_params)).filter(_public_condition())
    chosen = {}
    for param, _label in FACETS:
        value = params.get(param, "")[:MAX_FILTER_LENGTH].replace("\x00", "")
        if value:
            chosen[param] = value
            documents = documents.filter(facets__facet=param, facets__value=value)
    try:
        result.total = documents.count()
        result.num_pages = max(1, math.ceil(result.total / PER_PAGE))
        if result.page > result.num_pages:
            raise PageNotFound
        hits = backend.ranked(
            query, documents.values("pk").query.sql_with_params(), PER_PAGE, (result.page - 1) * PER_PAGE
        )
        by_id = SearchDocument.objects.in_bulk([hit.document_id for hit in hits])
        result.facets = _facet_groups(documents, params, chosen)
    except DatabaseError as error:
        if _database_unreachable(error):
            raise
        result.notices.append(_("That search could not be understood; try fewer symbols."))
        result.total, result.num_pages, hits, by_id = 0, 1, [], {}
    type_labels = _record_type_labels()
    result.hits = [
        SearchHit(
            title=document.title,
            url=document.url,
            type_label=type_labels.get(document.record_type, ""),
            snippet=highlight(hit.snippet),
            matched_alias=matched_alias(document, query),
        )
        for hit in hits
        if (document := by_id.get(hit.document_id))
    ]
    if result.page > 1:
        result.previous_url = _url(params, page=str(result.page - 1))
    if result.page < result.num_pages:
        result.next_url = _url(params, page=str(result.page + 1))
    if result.total == 0:
        suggested = backend.suggest(query.text, SUGGESTIONS, _public_candidates())
        found = SearchDocument.objects.in_bulk(suggested)
        result.suggestions = [found[pk] for pk in suggested if pk in found]
    return result


def autocomplete(text: str) -> list[dict]:
    """Up to eight published records whose title or alias words start with what was typed so far."""
    words = tokens(text[:MAX_QUERY_LENGTH])[:6]
    if not words or len("".join(words)) < 2:
        return []
    try:
        ids = get_backend().autocomplete(words, AUTOCOMPLETE_LIMIT, _public_candidates())
    except DatabaseError as error:
        if _database_unreachable(error):
            raise
        return []
    found = SearchDocument.objects.in_bulk(ids)
    type_labels = _record_type_labels()
    return [
        {"title": found[pk].title, "url": found[pk].url, "type": type_labels.get(found[pk].record_type, "")}
        for pk in ids
        if pk in found
    ]
