"""CSV of any list or search: the page's address with ``format=csv`` streams every matching published record.

A list or search view asked for ``format=csv`` is answered here (``CsvExportMiddleware``, before the view runs),
with the page's own selectors, so the file holds exactly the records the page counts, on every page. Rows are read
``CHUNK_SIZE`` records at a time (``.iterator``), each chunk with its tags, aliases and links in one query per kind,
so memory and queries stay bounded whatever the number of records. A streamed response is never put in the page
cache (``cop_kb.page_cache`` stores only complete responses).
"""

import contextvars
import csv
import io
from collections.abc import Iterable, Iterator

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone

from cop_kb.records.chunks import loaded_in_chunks
from cop_kb.records.registry import record_type_of, record_types
from cop_kb.records.selectors import records_for_export
from cop_kb.records.views import RecordListView
from cop_kb.search.selectors import PageNotFound, search, search_matches
from cop_kb.search.views import search_page

from .columns import Column, cell, closing_columns, common_columns, record_columns, type_slug

CHUNK_SIZE = 500
# Rows are sent in pieces of about this many characters rather than one by one.
FLUSH_AT = 64 * 1024
FORMAT = "csv"


class _Echo:
    """A file that hands back what is written, for ``csv.writer`` to format one row at a time."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """The CSV text of ``header`` and ``rows`` (RFC 4180: quoted as needed, CRLF), in pieces of about FLUSH_AT."""
    writer = csv.writer(_Echo())
    buffer = io.StringIO()
    buffer.write(writer.writerow(header))
    for row in rows:
        buffer.write(writer.writerow(row))
        if buffer.tell() >= FLUSH_AT:
            yield buffer.getvalue()
            buffer = io.StringIO()
    yield buffer.getvalue()


def record_rows(queryset, columns: list[Column], extra: tuple[str, ...] = (), links: bool = True) -> Iterator[list]:
    """One row of cells per record, ``CHUNK_SIZE`` records with their tags, aliases and links at a time (plain
    rows, one query per relation per chunk: ``loaded_in_chunks``); ``extra`` cells lead."""
    for loaded in loaded_in_chunks(queryset, chunk_size=CHUNK_SIZE, links=links):
        yield [*extra, *(cell(column.read(loaded)) for column in columns)]


def list_csv(model, params, site: str) -> tuple[list[str], Iterator[list[str]]]:
    """The header and rows of the CSV of ``model``'s list narrowed and sorted by ``params``."""
    columns = record_columns(model, site)
    rows = record_rows(records_for_export(model, params), columns)
    return [column.name for column in columns], rows


def search_csv(params, site: str) -> tuple[list[str], Iterator[list[str]]]:
    """The header and rows of the CSV of a search: every match, by record type (in registry order), then title,
    with the columns every type shares after the type's public name."""
    columns = [*common_columns(site), *closing_columns()]
    matches = search_matches(params)

    def rows() -> Iterator[list[str]]:
        for entry in record_types():
            if entry.label in matches:
                records = entry.model.objects.public().filter(pk__in=matches[entry.label].values("object_id"))
                records = records.order_by("title", "pk")
                yield from record_rows(records, columns, extra=(entry.slug,), links=False)

    return ["type", *(column.name for column in columns)], rows()


def _in_context(context: contextvars.Context, pieces: Iterator[str]) -> Iterator[bytes]:
    """Run each step of a streamed body in the request's context: its reads then go to the database the request
    chose (``cop_kb.replica``), although the response is sent after the middleware has returned."""
    while True:
        piece = context.run(next, pieces, None)
        if piece is None:
            return
        yield piece.encode()


def csv_response(request: HttpRequest, name: str, header: list[str], rows: Iterator[list[str]]) -> HttpResponse:
    """A streamed ``text/csv`` attachment named ``cop_kb-<name>-<date>.csv``."""
    body = [] if request.method == "HEAD" else _in_context(contextvars.copy_context(), csv_lines(header, rows))
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cop_kb-{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    # Nothing is kept: each use asks again, so a withdrawn record never lives on in a cache.
    response["Cache-Control"] = "no-cache"
    return response


def site_of(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _list_export(request, view_func, view_args, view_kwargs) -> HttpResponse:
    model = view_func.view_initkwargs["model"]
    if "page" in request.GET:
        # A page number the page would refuse is refused here too (404), although the file has every page.
        view = view_func.view_class(**view_func.view_initkwargs)
        view.setup(request, *view_args, **view_kwargs)
        queryset = records_for_export(model, request.GET)
        view.paginate_queryset(queryset, view.get_paginate_by(queryset))
    header, rows = list_csv(model, request.GET, site_of(request))
    return csv_response(request, type_slug(model), header, rows)


def _search_export(request, view_func, view_args, view_kwargs) -> HttpResponse:
    if "page" in request.GET:
        try:
            search(request.GET)
        except PageNotFound as exc:
            raise Http404("No such page of results.") from exc
    header, rows = search_csv(request.GET, site_of(request))
    return csv_response(request, "search", header, rows)


def _exporter(view_func):
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None and issubclass(view_class, RecordListView):
        model = view_func.view_initkwargs.get("model")
        return _list_export if model is not None and record_type_of(model._meta.label_lower) else None
    return _search_export if view_func is search_page else None


class CsvExportMiddleware:
    """Answers a list or search address asked for ``format=csv`` with the CSV of every record it matches.

    Any other ``format`` on those addresses is a 400 that says what is offered; other addresses ignore it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        wanted = request.GET.get("format", "")
        if not wanted or request.method not in ("GET", "HEAD"):
            return None
        exporter = _exporter(view_func)
        if exporter is None:
            return None
        if wanted != FORMAT:
            return HttpResponseBadRequest(
                f"Unknown format “{wanted[:40]}”: this page can be exported as format=csv only.\n",
                content_type="text/plain; charset=utf-8",
            )
        return exporter(request, view_func, view_args, view_kwargs)
