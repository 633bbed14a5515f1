"""Writes that span the whole framework: loading its content into linked records."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction

from cop_kb.directory.models import Organisation
from cop_kb.records.models import AuditAction, Record, Status
from cop_kb.records.registry import record_types
from cop_kb.records.services import Attribution, RecordBefore, record_create, records_saved, typed_link_create
from instruments.models import Instrument, InstrumentRelation

from .models import (
    Activity,
    ActivityOrganisation,
    Partnership,
    PartnershipMember,
    Programme,
    ProgrammeOrganisation,
)

FRAMEWORK_FILE = Path(__file__).resolve().parent / "content" / "framework.toml"
LOADED = Attribution(action=AuditAction.CREATE, comment="Loaded from the Framework for Action")
LINKED = Attribution(action=AuditAction.CHANGE, comment="Linked to records loaded from the Framework for Action")

# Typed links given inside an entry: key -> (link model, field naming the other end, model of the other end).
TYPED_LINKS: dict[type[Record], tuple[str, type[models.Model], str, type[Record]]] = {
    Instrument: ("relations", InstrumentRelation, "object", Instrument),
    Programme: ("organisations", ProgrammeOrganisation, "organisation", Organisation),
    Partnership: ("organisations", PartnershipMember, "organisation", Organisation),
    Activity: ("organisations", ActivityOrganisation, "organisation", Organisation),
}

RECORD_KEYS = {"tags", "aliases", "sources"}


class ContentError(Exception):
    """The content file is wrong: an unknown field, a link to a missing record, a value the model rejects."""


@dataclass
class LoadReport:
    created: list[Record] = field(default_factory=list)
    existing: int = 0
    links_added: int = 0


def _by_slug(model: type[Record], slug: str, where: str) -> Record:
    try:
        return model.objects.get(slug=slug)
    except ObjectDoesNotExist:
        raise ContentError(f"{where}: no {model._meta.verbose_name} with slug {slug!r}") from None


def _split_entry(model: type[Record], entry: dict, where: str) -> tuple[dict, dict, dict]:
    """Separate an entry into model field values, many-to-many links and record extras (tags, aliases, sources)."""
    typed_key = TYPED_LINKS.get(model, ("",))[0]
    values, many, extras = {}, {}, {}
    for key, value in entry.items():
        if key in RECORD_KEYS or key == typed_key:
            extras[key] = value
            continue
        try:
            model_field = model._meta.get_field(key)
        except models.FieldDoesNotExist:
            raise ContentError(f"{where}: {model.__name__} has no field {key!r}") from None
        if model_field.many_to_many:
            many[key] = value
        elif model_field.many_to_one:
            values[key] = _by_slug(model_field.related_model, value, f"{where}.{key}")
        else:
            values[key] = value
    return values, many, extras


def _sources(extras: dict, catalogue: dict, where: str) -> list[dict]:
    rows = []
    for item in extras.get("sources", []):
        ref = item["ref"]
        if ref not in catalogue:
            raise ContentError(f"{where}: unknown source {ref!r}")
        rows.append({**catalogue[ref], **{k: v for k, v in item.items() if k != "ref"}})
    return rows


@dataclass
class _Pending:
    """An entry's links, set once every record exists."""

    model: type[Record]
    slug: str
    many: dict
    extras: dict
    where: str


@transaction.atomic
def framework_load(*, path: Path = FRAMEWORK_FILE) -> LoadReport:
    """Create every record and link of the framework that is not in the database yet; never touch existing ones.

    Records are matched by slug. A record that exists is left exactly as an editor left it, and so are the links
    between two existing records; a record that is missing (new, or deleted by an editor) is created with all its
    links. The whole load is one transaction: an error anywhere leaves the database unchanged.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    report = LoadReport()
    pending = _create_records(data, report)
    created = {(type(record), record.slug) for record in report.created}
    relinked: dict[tuple, Record] = {}
    for entry in pending:
        for record in _link_entry(entry, created, report):
            relinked[(type(record), record.pk)] = record
    # Each new record is followed once its links are in, so that its first version holds them; so is an existing
    # record that now links to a new one. Records they link to are reindexed with them (search facets read links).
    records_saved([(record, RecordBefore()) for record in report.created], by=LOADED)
    records_saved([(record, RecordBefore.same_links(record)) for record in relinked.values()], by=LINKED)
    return report


def _create_records(data: dict, report: LoadReport) -> list[_Pending]:
    """Create the records missing from the database, in registration order (every single link points at a type
    registered earlier); returns every entry's links for ``_link_entry``."""
    catalogue = data.get("sources", {})
    pending = []
    for entry_type in record_types():
        key, model = entry_type.content_key, entry_type.model
        for index, entry in enumerate(data.get(key, [])):
            where = f"{key}[{index}] ({entry.get('slug', '?')})"
            values, many, extras = _split_entry(model, entry, where)
            pending.append(_Pending(model, entry["slug"], many, extras, where))
            if model.objects.filter(slug=entry["slug"]).exists():
                report.existing += 1
                continue
            try:
                record = record_create(
                    model=model,
                    fields={**values, "status": Status.PUBLISHED},
                    tags=extras.get("tags", []),
                    aliases=extras.get("aliases", []),
                    sources=_sources(extras, catalogue, where),
                    follow=False,
                )
            except ValidationError as exc:
                raise ContentError(f"{where}: {exc.message_dict}") from None
            report.created.append(record)
    return pending


def _link_entry(entry: _Pending, created: set, report: LoadReport) -> list[Record]:
    """Add an entry's links where its record or the other end is new; returns its record if it existed before and
    now has a new link (a new record is followed anyway)."""
    record = entry.model.objects.get(slug=entry.slug)
    record_is_new = (entry.model, entry.slug) in created
    links_before = report.links_added
    for field_name, target_slugs in entry.many.items():
        target_model = entry.model._meta.get_field(field_name).related_model
        for target_slug in target_slugs:
            if record_is_new or (target_model, target_slug) in created:
                target = _by_slug(target_model, target_slug, f"{entry.where}.{field_name}")
                getattr(record, field_name).add(target)
                report.links_added += 1
    if entry.model in TYPED_LINKS:
        typed_key, link_model, other_field, other_model = TYPED_LINKS[entry.model]
        for item in entry.extras.get(typed_key, []):
            other_slug = item[other_field]
            if not (record_is_new or (other_model, other_slug) in created):
                continue
            other = _by_slug(other_model, other_slug, f"{entry.where}.{typed_key}")
            fields = {link_model.source_field: record, other_field: other, "kind": item["kind"]}
            if not link_model.objects.filter(**fields).exists():
                try:
                    typed_link_create(model=link_model, fields=fields)
                except ValidationError as exc:
                    raise ContentError(f"{entry.where}.{typed_key}: {exc.message_dict}") from None
                report.links_added += 1
    return [record] if report.links_added > links_before and not record_is_new else []
