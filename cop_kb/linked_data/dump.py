"""The whole-data download: every public record of every type, with its links, as one JSON-LD document.

Built outside requests by ``manage.py build_downloads`` once per content version (and deployment and day: what is
"in force" can change with the date) into a file under ``DOWNLOADS_DIR``, and served from the newest built file
(``cop_kb.downloads``). Records are read a type at a time in chunks (``cop_kb.records.chunks``), each chunk with its
tags, aliases, sources and links (public ends only) in one query per relation, as plain rows, and written as they
are read, so memory stays bounded and time grows linearly with the number of records.

The file holds the graph with site-relative IRIs (``/instruments/crc/``); the view wraps it in a context whose
``@base`` is the address it was asked for, so the same file serves every host name the site answers to.
"""

import datetime
import io
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.translation import gettext as _

from cop_kb.downloads import Download
from cop_kb.records.chunks import loaded_in_chunks
from cop_kb.records.registry import record_types

from .graph import record_node
from .vocabulary import CONTEXT


def _dataset(address: str, version) -> dict:
    """What the download is, which content version it holds, and how to cite it. The project states no licence for
    its data, so none is claimed."""
    described = {"version": version[0], "dateModified": version[1].isoformat()} if version else {}
    return {
        **described,
        "@id": address,
        "@type": "Dataset",
        "name": _("%(site)s, every public record") % {"site": settings.SITE_NAME},
        "description": _(
            "Every published record of the knowledge base (instruments, provisions, the strategy's areas, principles,"
            " rights, stakeholders, sectors and focus areas, programmes, partnerships, activities, outputs, countries"
            " and organisations) with its links, as schema.org JSON-LD. No licence has been stated for this data: ask"
            " the publisher before reusing it beyond quotation with attribution. Each record lists the sources of its"
            " facts (subjectOf)."
        ),
        "creditText": _("%(site)s, whole-data download (JSON-LD), with the date you downloaded it.")
        % {"site": settings.SITE_NAME},
        "encodingFormat": "application/ld+json",
    }


def _nodes(address: str, version):
    """The dataset's description, then every public record's node, a type at a time, a batch at a time."""
    yield _dataset(address, version)
    for record_type in record_types():
        for loaded in loaded_in_chunks(record_type.model.objects.public().order_by("pk"), sources=True):
            yield record_node(loaded.record, loaded.link_groups(), _site_relative, loaded)


def _site_relative(path: str) -> str:
    """A site path stays as it is in the file: the download's ``@base`` resolves it (see ``document_head``)."""
    return path


def write_graph(out, address: str, version: tuple[str, datetime.datetime] | None = None) -> None:
    """Write the graph's nodes to the text file ``out``, separated by commas (the view adds the brackets);
    ``version``: the content version (token, time of change) the dataset node names."""
    for number, node in enumerate(_nodes(address, version)):
        if number:
            out.write(",\n")
        out.write(json.dumps(node, cls=DjangoJSONEncoder, ensure_ascii=False))


def _write(file, changed_at: datetime.datetime, token: str) -> None:
    out = io.TextIOWrapper(file, encoding="utf-8")
    write_graph(out, reverse("linked_data:download"), (token, changed_at))
    out.flush()
    out.detach()  # the caller closes the file


# Built by ``manage.py build_downloads`` (``cop_kb.downloads``), never inside a request.
GRAPH = Download(prefix="cop_kb-graph", suffix=".json", write=_write)


def document_head(base: str) -> str:
    """The document's start, up to its graph's first node: the context, resolving site paths against ``base``."""
    return '{"@context": ' + json.dumps({**CONTEXT, "@base": base}) + ',\n"@graph": [\n'


DOCUMENT_TAIL = "\n]}\n"
