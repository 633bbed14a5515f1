"""The whole-data download: every public record of every type, with its links, as one JSON-LD document.

Built once per content version (and deployment and day, like a cached page: what is "in force" can change with the
date) into a file under ``DOWNLOADS_DIR``, then served from it until the content changes; older files are removed
when a newer one is written. Records are read a type at a time in batches (``BATCH``), each batch with its links
(public ends only) in a fixed number of queries, and written as they are read, so memory stays bounded however many
records there are.

The file holds the graph with site-relative IRIs (``/instruments/crc/``); the view wraps it in a context whose
``@base`` is the address it was asked for, so the same file serves every host name the site answers to.
"""

import io
import json
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from cop_kb.page_cache import code_id
from cop_kb.records.content_version import content_version
from cop_kb.records.link_groups import link_groups, link_prefetches, link_select_related
from cop_kb.records.registry import record_types

from .graph import record_node
from .vocabulary import CONTEXT

BATCH = 500
FILE_PREFIX = "cop_kb-graph-"


def _dataset(address: str) -> dict:
    """What the download is and how to cite it. The project states no licence for its data, so none is claimed."""
    return {
        "@id": address,
        "@type": "Dataset",
        "name": _("cop_kb: UNICEF Framework for Action knowledge base, every public record"),
        "description": _(
            "Every published record of the knowledge base (instruments, provisions, the strategy's areas, principles,"
            " rights, stakeholders, sectors and focus areas, programmes, partnerships, activities, outputs, countries"
            " and organisations) with its links, as schema.org JSON-LD. No licence has been stated for this data: ask"
            " the publisher before reusing it beyond quotation with attribution. Each record lists the sources of its"
            " facts (subjectOf)."
        ),
        "creditText": _(
            "cop_kb: UNICEF Framework for Action knowledge base, whole-data download (JSON-LD), with the date you"
            " downloaded it."
        ),
        "encodingFormat": "application/ld+json",
    }


def _nodes(address: str):
    """The dataset's description, then every public record's node, a type at a time, a batch at a time."""
    yield _dataset(address)
    for record_type in record_types():
        model = record_type.model
        records = (
            model.objects.public()
            .select_related(*link_select_related(model))
            .prefetch_related("tags", "aliases", "sources", *link_prefetches(model, backlinks=False))
            .order_by("pk")
        )
        for record in records.iterator(chunk_size=BATCH):
            yield record_node(record, link_groups(record, backlinks=False), _site_relative)


def _site_relative(path: str) -> str:
    """A site path stays as it is in the file: the download's ``@base`` resolves it (see ``document_head``)."""
    return path


def write_graph(out, address: str) -> None:
    """Write the graph's nodes to the text file ``out``, separated by commas (the view adds the brackets)."""
    for number, node in enumerate(_nodes(address)):
        if number:
            out.write(",\n")
        out.write(json.dumps(node, cls=DjangoJSONEncoder, ensure_ascii=False))


def open_graph(address: str) -> BinaryIO:
    """The graph for the current content, open for reading; written first if there is none yet. Open, because
    another server or process may replace the file meanwhile (an open file stays readable)."""
    folder = Path(settings.DOWNLOADS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    version = content_version()
    token = version[0] if version else "unversioned"
    path = folder / f"{FILE_PREFIX}{token}-{code_id()}-{timezone.localdate():%Y%m%d}.json"
    if version is not None:
        try:
            return path.open("rb")
        except FileNotFoundError:
            pass
    # Written under a name of its own, then renamed: no reader sees half a file, and two servers building it at
    # once each write a whole one.
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".building-", suffix=".json")
    graph = os.fdopen(handle, "w+b")
    try:
        out = io.TextIOWrapper(graph, encoding="utf-8")
        write_graph(out, address)
        out.flush()
        out.detach()  # the binary file stays open, to be read from the start
        graph.seek(0)
        os.replace(temporary, path)
    except BaseException:
        graph.close()
        Path(temporary).unlink(missing_ok=True)
        raise
    for older in folder.glob(f"{FILE_PREFIX}*.json"):
        if older != path:
            older.unlink(missing_ok=True)  # a download already reading it keeps its open file
    return graph


def document_head(base: str) -> str:
    """The document's start, up to its graph's first node: the context, resolving site paths against ``base``."""
    return '{"@context": ' + json.dumps({**CONTEXT, "@base": base}) + ',\n"@graph": [\n'


DOCUMENT_TAIL = "\n]}\n"
