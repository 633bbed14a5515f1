"""A record as a JSON-LD node: its type, names, own fields, sources and links, from the declarations on its model.

One function serves the detail page's embedded block, the record's ``.jsonld`` address and the whole-data download,
so the three say the same thing. It reads only what the caller loaded (the record with its tags, aliases and
sources, and its link groups, which hold public records only), so it adds no query to a page.
"""

from collections.abc import Callable

from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from .vocabulary import CONTEXT, GENERIC_LINK, IN_FORCE, field_value, in_force

Iri = Callable[[str], str]


def _add(node: dict, key: str, value) -> None:
    """Set ``key``, or make it a list of every value given for it (two fields or links may share a property)."""
    if key not in node:
        node[key] = value
    elif isinstance(node[key], list):
        node[key].append(value)
    else:
        node[key] = [node[key], value]


def site_iri(request) -> Iri:
    """What ``request.build_absolute_uri`` makes of a site path (one starting with a single ``/``), with the site's
    address worked out once: it parses every path and reads the host again, about 10 µs for each of the up to 900
    links of a record's block."""
    site = request.build_absolute_uri("/").removesuffix("/")
    return lambda path: site + iri_to_uri(path)


def jsonld_address(record) -> str:
    """The record's ``.jsonld`` address: its page's address with ``.jsonld`` for the trailing slash."""
    return record.get_absolute_url().removesuffix("/") + ".jsonld"


def record_type_name(record) -> str:
    """The record's schema.org type: its model's, or the one its ``kind`` calls for."""
    model = type(record)
    return model.linked_data_kind_types.get(getattr(record, "kind", ""), model.linked_data_type)


def _linked(target, iri: Iri, script_prefix: str) -> dict:
    return {"@id": iri(target.get_absolute_url(script_prefix)), "name": target.title}


def record_node(record, groups, iri: Iri, loaded=None) -> dict:
    """``record`` as a node; ``groups``: its public link groups (``load_link_groups`` or ``link_groups``), written
    under each relation's property, backlinks under ``@reverse``; ``iri`` makes a site path an IRI. Its tags,
    aliases and sources come from ``loaded`` (a ``chunks.Loaded``) when given, else from the record's prefetches."""
    aliases = loaded.aliases if loaded else [alias.name for alias in record.aliases.all()]
    tags = loaded.tags if loaded else [tag.name for tag in record.tags.all()]
    sources = loaded.sources if loaded else record.sources.all()
    url = iri(record.get_absolute_url())
    node = {"@id": url, "@type": record_type_name(record), "url": url, "name": record.title}
    if record.summary:
        node["description"] = record.summary
    for name, term in type(record).linked_data_fields.items():
        value = field_value(record, name, term)
        if value is not None:
            _add(node, term, value)
    for alias in aliases:
        _add(node, "alternateName", alias)
    if "alternateName" in node:
        # An official title, acronym and alias often repeat the title or each other.
        names = node.pop("alternateName")
        names = [name for name in dict.fromkeys(names if isinstance(names, list) else [names]) if name != record.title]
        if names:
            node["alternateName"] = names
    if in_force(record, timezone.localdate()):
        node["legislationLegalForce"] = IN_FORCE
    if tags:
        node["keywords"] = tags
    for source in sources:
        _add(node, "subjectOf", _source(source))
    script_prefix = get_script_prefix()
    for group in groups:
        for linked in group.records:
            target = node.setdefault("@reverse", {}) if group.inverse else node
            _add(target, group.linked_data or GENERIC_LINK, _linked(linked, iri, script_prefix))
    return node


def _source(source) -> dict:
    """Where the record's facts were read: a work about the thing the record describes."""
    work = {"@type": "CreativeWork", "name": source.title}
    if source.url:
        work["url"] = source.url
    if source.supports:
        work["description"] = source.supports
    return work


def record_document(record, groups, iri: Iri) -> dict:
    """A JSON-LD document describing ``record`` alone (its page's block and its ``.jsonld`` address)."""
    return {"@context": CONTEXT, **record_node(record, groups, iri)}
