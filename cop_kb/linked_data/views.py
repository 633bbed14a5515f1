"""A record's ``.jsonld`` address and the whole-data download, both public, both cacheable like pages."""

import json

from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from cop_kb.records.links import load_link_groups
from cop_kb.records.registry import record_types
from cop_kb.records.views import former_slug_target

from .dump import DOCUMENT_TAIL, document_head, open_graph
from .graph import record_document
from .templatetags import jsonld_address

CONTENT_TYPE = "application/ld+json"
CHUNK = 64 * 1024


def _record_type_at(page: str, slug: str):
    """The record type whose detail page for ``slug`` is ``page``, or None."""
    return next((entry.model for entry in record_types() if entry.model(slug=slug).get_absolute_url() == page), None)


@require_safe
def record_jsonld(request, slug: str):
    """The record whose page is this address without ``.jsonld``, as JSON-LD: the graph its page embeds.
    Unknown, unpublished and hidden records are a 404, like their pages; a former slug redirects."""
    page = request.path.removesuffix(".jsonld") + "/"
    model = _record_type_at(page, slug)
    if model is None:
        raise Http404
    record = model.objects.for_detail().filter(slug=slug).first()
    if record is None:
        renamed = former_slug_target(model, slug)
        if renamed is None:
            raise Http404
        return HttpResponsePermanentRedirect(jsonld_address(renamed))
    document = record_document(record, load_link_groups(record), request.build_absolute_uri)
    return HttpResponse(json.dumps(document, ensure_ascii=False), content_type=CONTENT_TYPE)


@require_safe
def whole_data(request):
    """Every public record with its links as one JSON-LD document, streamed from the file built for the current
    content (built first if the content changed since the last one)."""
    address = reverse("linked_data:download")
    graph = open_graph(address)
    head = document_head(request.build_absolute_uri("/")).encode()
    tail = DOCUMENT_TAIL.encode()

    def stream():
        with graph:
            yield head
            while chunk := graph.read(CHUNK):
                yield chunk
            yield tail

    size = len(head) + graph.seek(0, 2) + len(tail)
    graph.seek(0)
    response = StreamingHttpResponse(stream(), content_type=CONTENT_TYPE)
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = 'attachment; filename="cop_kb.jsonld"'
    return response
