"""Builders for valid, published records of every type, and for a graph of them linked in every way there is.

``make(model, **overrides)`` (and ``make_instrument(...)`` and friends) go through ``record_create``, so what they
make has passed ``full_clean()`` and is in the search index. Slugs, titles, codes and positions come from counters,
so builders can be called any number of times in one test. Titles are zero-padded ("Instrument 00012") so that no
title is part of another and a test can say "this title is not on the page" without false alarms.

``make_linked_graph(n)`` builds ``n`` records of every type linked through every link declaration; it writes rows
in bulk (one insert per record, one per kind of extra), so a test can afford hundreds of records.
"""

import datetime
import itertools
import string
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from taggit.models import Tag, TaggedItem

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.links import LinkForeignKey, LinkManyToManyField, TypedLink, typed_link_relations
from cop_kb.records.models import Alias, Record, Source, Status
from cop_kb.records.registry import record_models as registered_record_models
from cop_kb.records.services import record_create, record_reindex, record_slug_changed
from cop_kb.records.services import typed_link_create as _typed_link_create
from cop_kb.search.services import search_index_update
from instruments.models import Instrument, Provision, Topic
from programmes.models import Activity, Output, Partnership, Programme
from strategy.models import FocusArea, Principle, Right, Sector, StakeholderGroup, StrategicArea

_numbers = itertools.count(1)
_countries = itertools.count(0)

# Country codes start with letters no seeded country uses, so builders and `load_framework` can share a test.
_ALPHA2_FIRST = "BDEFGHJKLMNOPQSWXY"

Graph = dict[type[Record], list[Record]]


# ---- the fields of a valid record of each type ----------------------------------------------------------------


def _common_fields(model: type[Record], number: int) -> dict:
    name = str(model._meta.verbose_name)
    return {
        "slug": f"{model._meta.model_name}-{number}",
        "title": f"{name[:1].upper()}{name[1:]} {number:05d}",
        "summary": f"Summary of {name} number {number}.",
        "body": f"Body of {name} number {number}, with **strong words**.",
        "status": Status.PUBLISHED,
    }


def _position(number: int) -> int:
    # Seeded records use small positions; keep clear of them and of PostgreSQL's smallint limit.
    return 100 + number % 30_000


def _country_fields(number: int) -> dict:
    code = next(_countries)
    letters = string.ascii_uppercase
    return {
        "iso_alpha2": _ALPHA2_FIRST[code // 26 % len(_ALPHA2_FIRST)] + letters[code % 26],
        "iso_alpha3": "X" + letters[code // 26 % 26] + letters[code % 26],
    }


def _organisation_fields(number: int) -> dict:
    return {
        "acronym": f"ORG{number}",
        "kind": Organisation.Kind.UN_AGENCY,
        "website": f"https://organisation-{number}.example.org/",
    }


def _instrument_fields(number: int) -> dict:
    return {
        "official_title": f"Official title of instrument {number}",
        "short_title": f"Short title {number}",
        "acronym": f"INS{number}",
        "kind": Instrument.Kind.CONVENTION,
        "adopted_on": datetime.date(2000, 5, 25),
        "adopted_precision": "day",
        "opened_for_signature_on": datetime.date(2000, 6, 1),
        "opened_for_signature_precision": "month",
        "entry_into_force_on": datetime.date(2002, 1, 1),
        "entry_into_force_precision": "year",
        "place": f"Place {number}",
        "reference_number": f"REF/{number}",
        "official_url": f"https://instrument-{number}.example.org/",
    }


# In creation order: every single link points at a type listed earlier (or at the type itself).
FIELDS = {
    Organisation: _organisation_fields,
    Country: _country_fields,
    Instrument: _instrument_fields,
    Provision: lambda number: {"number": str(number), "position": number},
    Topic: lambda number: {"position": _position(number)},
    StrategicArea: lambda number: {"position": _position(number)},
    Right: lambda number: {"side": Right.Side.PROTECTION},
    StakeholderGroup: lambda number: {},
    Sector: lambda number: {},
    FocusArea: lambda number: {"level": "country", "position": _position(number), "statement": "In its words."},
    Principle: lambda number: {
        "scope": Principle.Scope.STRATEGY,
        "position": _position(number),
        "statement": "In its own words.",
    },
    Programme: lambda number: {"kind": Programme.Kind.RESEARCH, "level": "global", "year": 2011},
    Output: lambda number: {"kind": Output.Kind.REPORT, "year": 2013, "url": f"https://output-{number}.example.org/"},
    Partnership: lambda number: {
        "launched_on": datetime.date(2008, 11, 1),
        "launched_precision": "month",
        "website": f"https://partnership-{number}.example.org/",
    },
    Activity: lambda number: {
        "kind": Activity.Kind.MEETING,
        "level": "global",
        "year": 2015,
        "place": f"Venue {number}",
    },
}


def _fields(model: type[Record], **overrides) -> dict:
    number = next(_numbers)
    return {**_common_fields(model, number), **FIELDS[model](number), **overrides}


# ---- one record at a time, through the services ----------------------------------------------------------------


def record_models() -> list[type[Record]]:
    """Every record type the project registers (tests/test_registry.py checks none is left out)."""
    return registered_record_models()


def typed_link_models() -> list[type[TypedLink]]:
    """Every typed link model a record type has (instrument relations, organisations' roles), each once."""
    found = [typed for model in record_models() for _accessor, typed, _own in typed_link_relations(model)]
    return list(dict.fromkeys(found))


def typed_ends(typed: type[TypedLink]) -> tuple[type[Record], type[Record]]:
    """The record types at the source and the target end of a typed link model."""
    opts = typed._meta
    return opts.get_field(typed.source_field).related_model, opts.get_field(typed.target_field).related_model


def link_fields(model: type[Record]) -> list:
    """The link fields ``model`` declares (single and many), in declaration order."""
    fields = (*model._meta.fields, *model._meta.many_to_many)
    return [field for field in fields if isinstance(field, LinkForeignKey | LinkManyToManyField)]


# An instrument with no date at all: give as ``make(Instrument, **NO_DATES)``.
NO_DATES = {
    "adopted_on": None,
    "adopted_precision": "",
    "opened_for_signature_on": None,
    "opened_for_signature_precision": "",
    "entry_into_force_on": None,
    "entry_into_force_precision": "",
}


def make(model: type[Record], **overrides) -> Record:
    """A valid, published record of ``model``; ``tags``, ``aliases`` and ``sources`` may be given as overrides.

    A single link the model requires (a provision's instrument, an output's programme) gets a new published
    record unless one is given.
    """
    extras = {key: overrides.pop(key) for key in ("tags", "aliases", "sources") if key in overrides}
    for field in link_fields(model):
        if isinstance(field, LinkForeignKey) and not field.null and field.name not in overrides:
            overrides[field.name] = make(field.related_model)
    return record_create(model=model, fields=_fields(model, **overrides), **extras)


def rename(record: Record, slug: str) -> str:
    """Give ``record`` a new slug as the admin does, so its old address redirects; returns the old slug."""
    old = record.slug
    record.slug = slug
    record.save()
    record_slug_changed(record=record, old_slug=old)
    return old


def make_country(**overrides) -> Country:
    return make(Country, **overrides)


def make_organisation(**overrides) -> Organisation:
    return make(Organisation, **overrides)


def make_instrument(**overrides) -> Instrument:
    return make(Instrument, **overrides)


def make_provision(**overrides) -> Provision:
    return make(Provision, **overrides)


def make_topic(**overrides) -> Topic:
    return make(Topic, **overrides)


def make_strategic_area(**overrides) -> StrategicArea:
    return make(StrategicArea, **overrides)


def make_right(**overrides) -> Right:
    return make(Right, **overrides)


def make_stakeholder_group(**overrides) -> StakeholderGroup:
    return make(StakeholderGroup, **overrides)


def make_sector(**overrides) -> Sector:
    return make(Sector, **overrides)


def make_focus_area(**overrides) -> FocusArea:
    return make(FocusArea, **overrides)


def make_principle(**overrides) -> Principle:
    return make(Principle, **overrides)


def make_programme(**overrides) -> Programme:
    return make(Programme, **overrides)


def make_output(**overrides) -> Output:
    return make(Output, **overrides)


def make_partnership(**overrides) -> Partnership:
    return make(Partnership, **overrides)


def make_activity(**overrides) -> Activity:
    return make(Activity, **overrides)


BUILDERS = {
    Organisation: make_organisation,
    Country: make_country,
    Instrument: make_instrument,
    Provision: make_provision,
    Topic: make_topic,
    StrategicArea: make_strategic_area,
    Right: make_right,
    StakeholderGroup: make_stakeholder_group,
    Sector: make_sector,
    FocusArea: make_focus_area,
    Principle: make_principle,
    Programme: make_programme,
    Output: make_output,
    Partnership: make_partnership,
    Activity: make_activity,
}


def make_typed_link(typed: type[TypedLink], source: Record, target: Record, kind: str | None = None) -> TypedLink:
    """One typed link row ``source`` *kind* ``target`` (the model's first kind unless one is given)."""
    fields = {typed.source_field: source, typed.target_field: target, "kind": kind or next(iter(typed.LABELS))}
    row = _typed_link_create(model=typed, fields=fields)
    record_reindex(source)
    return row


# ---- many records at once ----------------------------------------------------------------------------------------


def _checked(instance):
    """Field-level validation without the per-row queries: the database enforces keys and constraints on insert."""
    relations = [field.name for field in instance._meta.fields if field.is_relation]
    instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    return instance


def _add_extras(records: list[Record]) -> None:
    """A tag, an alias and a source for every record, written in one insert each."""
    tag, _created = Tag.objects.get_or_create(name="graph", defaults={"slug": "graph"})
    tagged, aliases, sources = [], [], []
    for record in records:
        content_type = ContentType.objects.get_for_model(record)
        tagged.append(TaggedItem(tag=tag, content_type=content_type, object_id=record.pk))
        common = {"content_type": content_type, "object_id": record.pk}
        aliases.append(_checked(Alias(**common, name=f"Graph alias {record.slug}")))
        sources.append(_checked(Source(**common, title=f"Source of {record.slug}", url="https://source.example.org/")))
    TaggedItem.objects.bulk_create(tagged)
    Alias.objects.bulk_create(aliases)
    Source.objects.bulk_create(sources)


def _add_many(record: Record, field, targets: list[Record], *, reverse: bool = False) -> None:
    through = field.remote_field.through
    source_name, target_name = field.m2m_field_name(), field.m2m_reverse_field_name()
    if reverse:
        source_name, target_name = target_name, source_name
    rows = {target.pk: through(**{source_name: record, target_name: target}) for target in targets}
    through.objects.bulk_create(rows.values())


def _add_typed(typed: type[TypedLink], pairs: list[tuple[Record, Record]]) -> None:
    kinds = list(typed.LABELS)
    rows = [
        _checked(typed(**{typed.source_field: source, typed.target_field: target, "kind": kinds[i % len(kinds)]}))
        for i, (source, target) in enumerate(pairs)
        if source != target
    ]
    typed.objects.bulk_create(rows)


def make_linked_graph(n: int, *, status: str = Status.PUBLISHED) -> Graph:
    """``n`` records of every type (published unless told), linked through every link field and typed link model.

    Record ``i`` points its single links at record ``i`` of the target type (at record ``i - 1`` for links to its
    own type), its many-links at records ``i`` and ``i + 1``, and has two typed links of different kinds. Every
    record has a tag, an alias and a source, so that a page that loaded them one row at a time would show it.
    """
    graph: Graph = {}
    for model in FIELDS:
        records: list[Record] = []
        for i in range(n):
            overrides = {"status": status}
            for field in link_fields(model):
                if isinstance(field, LinkForeignKey):
                    own_type = field.related_model is model
                    overrides[field.name] = (
                        (records[-1] if records else None) if own_type else graph[field.related_model][i]
                    )
            record = _checked(model(**_fields(model, **overrides)))
            record.save()
            records.append(record)
        graph[model] = records
    every_record = [record for records in graph.values() for record in records]
    _add_extras(every_record)

    for model, records in graph.items():
        for field in link_fields(model):
            if isinstance(field, LinkManyToManyField):
                targets = graph[field.related_model]
                for i, record in enumerate(records):
                    _add_many(record, field, [targets[i], targets[(i + 1) % n]])
    for typed in typed_link_models():
        sources, targets = (graph[end] for end in typed_ends(typed))
        _add_typed(typed, [(source, targets[(i + step) % n]) for i, source in enumerate(sources) for step in (0, 1)])
    search_index_update(every_record)
    return graph


def link_everywhere(records: Iterable[Record], graph: Graph) -> None:
    """Link each of ``records`` with every record of ``graph`` it can be linked with, every kind of link, both ways.

    A record's many-links point at all of the graph's records of the target type; the graph's records point their
    single links at it (the last of ``records`` of a type wins); typed links are made in both directions, cycling
    through every kind. ``records`` should not be part of ``graph``. The search index is refreshed once, at the end.
    """
    records = list(records)
    for record in records:
        for field in type(record)._meta.get_fields():
            related = field.related_model
            if isinstance(field, LinkManyToManyField):
                _add_many(record, field, graph[related])
            elif not field.auto_created or field.concrete:
                continue
            elif field.one_to_many and isinstance(field.field, LinkForeignKey):
                pks = [other.pk for other in graph[related] if other != record]
                related.objects.filter(pk__in=pks).update(**{field.field.name: record})
            elif field.many_to_many and isinstance(field.field, LinkManyToManyField):
                _add_many(record, field.field, graph[related], reverse=True)
            elif field.one_to_many and issubclass(related, TypedLink):
                record_is_source = field.field.name == related.source_field
                other_end = related.target_field if record_is_source else related.source_field
                others = graph[related._meta.get_field(other_end).related_model]
                _add_typed(related, [(record, other) if record_is_source else (other, record) for other in others])
    search_index_update([*records, *(other for others in graph.values() for other in others)])
