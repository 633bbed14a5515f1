"""A record's ``.jsonld`` address and the whole-data download, both public, both cacheable like pages."""

import json
import os

from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, StreamingHttpResponse
from django.views.decorators.http import require_safe

from cop_kb.downloads import served
from cop_kb.records.link_pages import load_link_groups
from cop_kb.records.own_rows import with_own_rows
from cop_kb.records.registry import record_model_at
from cop_kb.records.views import former_slug_target

from .dump import DOCUMENT_TAIL, GRAPH, document_head
from .graph import jsonld_address, record_document, site_iri

CONTENT_TYPE = "application/ld+json"
CHUNK = 64 * 1024


@require_safe
def record_jsonld(request, slug: str):
    """The record whose page is this address without ``.jsonld``, as JSON-LD: the graph its page embeds.
    Unknown, unpublished and hidden records are a 404, like their pages; a former slug redirects."""
    page = request.path.removesuffix(".jsonld") + "/"
    model = record_model_at(page, slug)
    if model is None:
        raise Http404
    record = model.objects.for_page().filter(slug=slug).first()
    if record is None:
        renamed = former_slug_target(model, slug)
        if renamed is None:
            raise Http404
        return HttpResponsePermanentRedirect(jsonld_address(renamed))
    with_own_rows(record)
    document = record_document(record, load_link_groups(record), site_iri(request))
    return HttpResponse(json.dumps(document, ensure_ascii=False), content_type=CONTENT_TYPE)


class _Document:
    """The download's bytes: the head, the graph file in chunks, the tail. Django calls ``close`` when the response
    ends, read or not (a client that hangs up before the first byte), so the file is never left open."""

    def __init__(self, head: bytes, graph, tail: bytes) -> None:
        self.head, self.graph, self.tail = head, graph, tail
        self.size = len(head) + graph.seek(0, os.SEEK_END) + len(tail)
        graph.seek(0)

    def __iter__(self):
        yield self.head
        while chunk := self.graph.read(CHUNK):
            yield chunk
        yield self.tail

    def close(self) -> None:
        self.graph.close()


@require_safe
def whole_data(request):
    """Every public record with its links as one JSON-LD document, streamed from the newest built file (a 503 with
    Retry-After until the first is built); ``@base`` names the address it was asked at."""

    def respond(built, graph):
        document = _Document(document_head(request.build_absolute_uri("/")).encode(), graph, DOCUMENT_TAIL.encode())
        response = StreamingHttpResponse(document, content_type=CONTENT_TYPE)
        response["Content-Length"] = str(document.size)
        response["Content-Disposition"] = 'attachment; filename="cop_kb.jsonld"'
        return response

    return served(request, GRAPH, respond)
