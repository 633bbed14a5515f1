"""The one entry point for search: parse, match, rank, highlight, count facets, suggest — public records only."""

import functools
import math
import re
from dataclasses import dataclass, field

from django.core.paginator import InvalidPage, Page
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cop_kb.records.batch import rows_of_each
from cop_kb.records.facets import FacetOption, FacetResult, query_url
from cop_kb.records.registry import record_types

from .backends import get_backend
from .backends.base import Overview
from .facets import FACETS, facet_groups, facet_options, facet_page, record_facets, record_type_labels
from .hits import highlight, matched_alias
from .models import SearchDocument, Synonym
from .query import MAX_QUERY_LENGTH, MAX_TERMS, Query, Synonyms, parse, tokens

PER_PAGE = 20
SUGGESTIONS = 5
# A search of several words finding fewer than this many records also shows up to NEAR_MISSES records with some of
# its words ("Results with some of your words").
NEAR_MISS_BELOW = 5
NEAR_MISSES = 5
AUTOCOMPLETE_LIMIT = 8
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
    slug: str = ""  # for callers that load the records themselves (the API)
    subtitle: str = ""  # its short name, as lists show it under the title ("Budapest Convention")


@dataclass
class SearchPage:
    text: str
    per_page: int = PER_PAGE
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    num_pages: int = 0
    start: int = 1
    facets: list[FacetResult] = field(default_factory=list)
    suggestions: list[SearchDocument] = field(default_factory=list)
    # Records with some of the words, shown apart below the results (never one of them); not part of ``total``.
    near_misses: list[SearchHit] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    previous_url: str = ""
    next_url: str = ""
    # More than the backend's exact_limit matches: facet counts are estimates and the ranking covers only its
    # rank_candidates.
    broad: bool = False
    total_estimated: bool = False


def _database_unreachable(error: DatabaseError) -> bool:
    """A lost connection is an outage (the site answers 503), not a query the backend could not parse.

    SQLite reports FTS5 syntax errors as OperationalError too, but a local file never becomes unreachable.
    """
    return isinstance(error, OperationalError | InterfaceError) and connection.vendor != "sqlite"


def synonym_map(groups: list[str]) -> Synonyms:
    """The words of each term of every synonym group (``Synonym.terms``), mapped to the words of the other terms of
    its group (of every group holding it: the admin allows one, the database does not insist)."""
    mapping: dict[tuple[str, ...], dict[tuple[str, ...], None]] = {}
    for terms in groups:
        phrases = [words for words in map(tokens, Synonym(terms=terms).phrases()) if words]
        for words in phrases:
            mapping.setdefault(words, {}).update(dict.fromkeys(other for other in phrases if other != words))
    return {words: tuple(others) for words, others in mapping.items() if others}


def _public_documents(ids: list[int]) -> dict[int, SearchDocument]:
    """The documents with these ids whose record is public right now, read with that check in one query, each
    with its record's ``subtitle`` (the short name lists show under its title, "" for none).

    The index never holds a hidden record (migration 0004), so this is a last check on what is shown; it looks
    only at the few records behind those documents, one indexed lookup each. The short name is read from the
    record, not stored in the index: it may come through a link (a provision's instrument), and read here it is
    always current and follows the link's visibility (``subtitle_expression``).
    """
    if not ids:
        return {}
    sql, params = _public_documents_sql(connection.vendor, tuple(_indexable().items()))
    placeholders = ", ".join(["%s"] * len(ids))
    # The ORM's own SQL, and the ids bound.
    shown = SearchDocument.objects.raw(f"SELECT * FROM ({sql}) shown WHERE id IN ({placeholders})", [*params, *ids])  # noqa: S608
    return {document.pk: document for document in shown}


@functools.cache
def _public_documents_sql(vendor: str, indexable: tuple[tuple[str, type], ...]) -> tuple[str, tuple]:
    """``_public_documents``' query but for the ids, compiled once per database kind and set of record types
    (``indexable``: label and model of each): building and compiling its check and short name for every record type
    cost 10 ms a search, reading the rows under 1 ms. The visibility rule is fixed in code, and a record type
    registered later (a test's throwaway type) gets a query of its own."""
    public, subtitles = Q(), []
    for label, model in indexable:
        record = model.objects.public().filter(pk=OuterRef("object_id"))
        public |= Q(record_type=label) & Exists(record)
        if model.subtitle_fields:
            subtitle = record.annotate(subtitle=model.subtitle_expression()).values("subtitle")[:1]
            subtitles.append(When(record_type=label, then=Subquery(subtitle)))
    subtitle = Case(*subtitles, default=Value(""), output_field=CharField())
    return SearchDocument.objects.filter(public).annotate(subtitle=subtitle).order_by().query.sql_with_params()


def _indexable() -> dict[str, type]:
    return {entry.label: entry.model for entry in record_types()}


def _search_inputs(chosen: dict[str, str]) -> tuple[Synonyms, bool]:
    """The synonym map, and whether every chosen country or strategic area is a public record: one query.

    The index drops facet values naming a record that stops being public (migration 0010), but a slug renamed
    behind the services' back stays on the linked records' rows until they are reindexed. A value naming a hidden
    record must answer exactly like one naming nothing, or the count would tell that the record exists.
    """
    by_facet = record_facets()
    checks = [
        by_facet[param].objects.public().filter(slug=value).values_list("slug")[:1]
        for param, value in chosen.items()
        if param in by_facet
    ]
    synonyms, *found = rows_of_each([Synonym.objects.order_by("terms").values_list("terms"), *checks])
    return synonym_map([terms for (terms,) in synonyms]), all(found)


def search(params: QueryDict, *, per_page: int = PER_PAGE, near_misses: bool = True) -> SearchPage:
    """Search every published record for ``params["q"]``, narrowed by facet values, one page at a time; with
    ``near_misses``, a search of several words that finds few records also lists records with some of them.

    Ranking: title and aliases weigh most, then summary and tags, then body, then the names of the records it links to
    and its years, then the names of those linking to it (a match that needs these last ranks after any that does
    not). The query is parsed into a safe
    form first (``cop_kb.search.query``); input the backend still rejects counts as "no results". Runs a fixed number of
    queries whatever the data size. Raises ``PageNotFound`` for a page number past the end or not a number.
    """
    chosen = _chosen_filters(params)
    synonyms, named = _search_inputs(chosen)
    query = parse(params.get("q", ""), synonyms)
    result = SearchPage(text=query.text, per_page=per_page)
    if query.truncated:
        result.notices.append(
            _("Your search was shortened: only its first %(length)d characters and %(terms)d words are used.")
            % {"length": MAX_QUERY_LENGTH, "terms": MAX_TERMS}
        )
    page_text = params.get("page", "1")
    if not re.fullmatch(r"[0-9]{1,6}", page_text) or int(page_text) < 1:
        raise PageNotFound
    result.page = int(page_text)
    result.start = (result.page - 1) * per_page + 1
    if query.is_empty:
        if query.excluded:
            result.notices.append(_("Add at least one word to look for; excluded words alone match nothing."))
        elif query.text:
            result.notices.append(_("Those words are too common to search for; add a more specific word."))
        return result
    backend = get_backend()
    hits, near, by_id, suggested = _search_page(
        backend, query, params, result, chosen=chosen, named=named, near_misses=near_misses
    )
    if result.broad:
        result.notices.append(
            _(
                "More than %(limit)s records match, so the counts are estimates and the list shows the best of the "
                "first %(listed)s. Add a word or choose a filter to narrow the search."
            )
            % {
                "limit": number_format(backend.exact_limit, force_grouping=True),
                "listed": number_format(backend.rank_candidates, force_grouping=True),
            }
        )
    result.hits = _shown(query, hits, by_id)
    result.near_misses = _shown(query, near, by_id)
    if result.page > 1:
        result.previous_url = query_url(params, page=str(result.page - 1))
    if result.page < result.num_pages:
        result.next_url = query_url(params, page=str(result.page + 1))
    if result.total == 0:
        # Suggestions come with the search; only a search that failed asks for them apart.
        result.suggestions = _suggestions(backend, query) if suggested is None else suggested
    return result


def search_matches(params: QueryDict) -> dict[str, QuerySet]:
    """Every document the search page counts for ``params`` (all its pages, not one), by record type label, for
    exports: the same words, synonyms and filters, and none when the page would find none (no words, a filter
    naming a hidden record, input the backend rejects). One query says which types have matches; each type's
    documents are left to be read, and are read through ``public()`` by whoever reads their records.
    """
    chosen = _chosen_filters(params)
    synonyms, named = _search_inputs(chosen)
    query = parse(params.get("q", ""), synonyms)
    if query.is_empty or not named:
        return {}
    sql, sql_params = get_backend().match_sql(query, list(chosen.items()))
    documents = SearchDocument.objects.filter(id__in=RawSQL(sql, sql_params)).order_by()
    try:
        # A savepoint: a statement the backend rejects must not break the request's transaction.
        with transaction.atomic(using=documents.db):
            labels = set(documents.values_list("record_type", flat=True).distinct())
    except DatabaseError as error:
        if _database_unreachable(error):
            raise
        return {}
    return {entry.label: documents.filter(record_type=entry.label) for entry in record_types() if entry.label in labels}


def _chosen_filters(params: QueryDict) -> dict[str, str]:
    chosen = {}
    for param, _label in FACETS:
        value = params.get(param, "")[:MAX_FILTER_LENGTH].replace("\x00", "")
        if value:
            chosen[param] = value
    return chosen


def _wants_near_misses(query: Query, result: SearchPage) -> bool:
    """Whether to show records with some of the words: several words, few results, the first page, exact counts."""
    return len(query.groups) > 1 and result.total < NEAR_MISS_BELOW and result.page == 1 and not result.broad


def _ranked(
    backend, query: Query, filters: list, result: SearchPage, overview: Overview, *, wanted: bool
) -> tuple[list, list]:
    """The page's hits and, if ``wanted`` and the search found few records, the near misses."""
    offset = (result.page - 1) * result.per_page
    near = wanted and _wants_near_misses(query, result)
    if not result.total:
        return [], backend.near_misses(query, filters, NEAR_MISSES) if near else []
    if near:
        return backend.ranked_and_near_misses(query, filters, result.per_page, offset, NEAR_MISSES)
    return backend.ranked(query, filters, result.per_page, offset, overview), []


def _search_page(
    backend,
    query: Query,
    params: QueryDict,
    result: SearchPage,
    *,
    chosen: dict[str, str],
    named: bool,
    near_misses: bool,
) -> tuple[list, list, dict, list | None]:
    """Count, facet and rank one page of matches into ``result``; returns the page's hits, the near misses (records
    with some of the words, for a search that found few), their documents and, for a search that found nothing, the
    documents "Did you mean" offers (None when the search failed).

    No per-record visibility check here: the index never holds a hidden record (migration 0004's triggers drop its
    document the moment it stops being public), and the documents shown are checked once more (``_public_documents``).
    ``named``: whether every chosen country or strategic area is public (``_search_inputs``); if not, nothing matches.
    """
    filters = list(chosen.items())
    try:
        with backend.session():
            overview = backend.overview(query, filters) if named else Overview(total=0, facets=[])
            result.total, result.total_estimated = overview.total, overview.total_estimated
            result.broad = overview.broad
            if result.total_estimated:
                # Two significant figures: "about 98,000", not a precise-looking "about 97,984".
                result.total = round(result.total, 2 - len(str(result.total)))
            listed = min(result.total, backend.rank_candidates) if result.broad else result.total
            result.num_pages = max(1, math.ceil(listed / result.per_page))
            if result.page > result.num_pages:
                raise PageNotFound
            hits, near = _ranked(backend, query, filters, result, overview, wanted=near_misses and named)
            # "Did you mean", for a search that found nothing, in the same session.
            suggested = [] if result.total else backend.suggest(query.text, SUGGESTIONS)
        by_id = _public_documents([*(hit.document_id for hit in [*hits, *near]), *suggested])
        result.facets = facet_groups(overview.facets, params, chosen)
    except DatabaseError as error:
        if _database_unreachable(error):
            raise
        result.notices.append(_("That search could not be understood; try fewer symbols."))
        result.total, result.num_pages, result.broad = 0, 1, False
        return [], [], {}, None
    return hits, near, by_id, [by_id[pk] for pk in suggested if pk in by_id]


def _shown(query: Query, hits: list, by_id: dict) -> list[SearchHit]:
    """Hits as shown: titles, type, highlighted snippet, the alias that matched; public ones only."""
    type_labels = record_type_labels()
    return [
        SearchHit(
            title=document.title,
            url=document.url,
            type_label=type_labels.get(document.record_type, ""),
            snippet=highlight(hit.snippet),
            matched_alias=matched_alias(document, query),
            slug=document.slug,
            subtitle=document.subtitle,
        )
        for hit in hits
        if (document := by_id.get(hit.document_id))
    ]


def _suggestions(backend, query: Query) -> list[SearchDocument]:
    """The documents "Did you mean" offers for a search that found nothing, public ones only, best first."""
    with backend.session():
        suggested = backend.suggest(query.text, SUGGESTIONS)
    found = _public_documents(suggested)
    return [found[pk] for pk in suggested if pk in found]


def autocomplete(text: str) -> list[dict]:
    """Up to eight published records whose title or alias words start with what was typed so far."""
    words = tokens(text[:MAX_QUERY_LENGTH])[:6]
    if not words or len("".join(words)) < 2:
        return []
    try:
        backend = get_backend()
        with backend.session():
            ids = backend.autocomplete(words, AUTOCOMPLETE_LIMIT)
    except DatabaseError as error:
        if _database_unreachable(error):
            raise
        return []
    found = _public_documents(ids)
    type_labels = record_type_labels()
    return [
        {
            "title": found[pk].title,
            "subtitle": found[pk].subtitle,
            "url": found[pk].url,
            "type": type_labels.get(found[pk].record_type, ""),
        }
        for pk in ids
        if pk in found
    ]


@dataclass
class SearchFacetValues:
    """One page of every value of one search facet, over the search as currently filtered."""

    title: str
    page: Page
    options: list[FacetOption]
    back_url: str
    estimated: bool


def search_facet_values(params: QueryDict, param: str) -> SearchFacetValues:
    """Every value of the search facet ``param`` with its count over the search ``params`` describe (its other
    filters kept), a page at a time: where a results page's "Show all" link leads. Counted like the results page,
    in one query for every facet; only the values on the page are labelled.

    Raises LookupError for an unknown facet and ``PageNotFound`` for a bad page number.
    """
    titles = dict(FACETS)
    if param not in titles:
        raise LookupError(param)
    chosen = _chosen_filters(params)
    synonyms, named = _search_inputs(chosen)
    query = parse(params.get("q", ""), synonyms)
    overview = Overview(total=0, facets=[])
    if named and not query.is_empty:
        backend = get_backend()
        try:
            with backend.session():
                overview = backend.overview(query, list(chosen.items()))
        except DatabaseError as error:
            if _database_unreachable(error):
                raise
    try:
        page, labels = facet_page(overview.facets, param, params.get("page", "1"))
    except InvalidPage as exc:
        raise PageNotFound from exc
    return SearchFacetValues(
        title=str(titles[param]),
        page=page,
        options=facet_options(page, labels, params, chosen),
        back_url=query_url(params),
        estimated=overview.broad,
    )
