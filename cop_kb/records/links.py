"""Links between records, declared once with a forward and an inverse label.

A link is either a ``LinkForeignKey`` / ``LinkManyToManyField`` (the label says what the owning record does to its
target, the inverse label what the target has done to it) or a row of a ``TypedLink`` model whose ``kind`` carries
the pair of labels. Detail pages, the admin, search facets and versioning read these declarations; nothing else knows
which models link to which.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import models
from django.db.models import Prefetch
from django.db.models.functions import RowNumber
from django.urls import reverse

from .batch import rows_of_each

# A group of links or backlinks on a detail page shows at most this many records, then links to them all.
BACKLINKS_SHOWN = 50


class _LabelledLink:
    def _take_labels(self, kwargs: dict) -> dict:
        self.label = kwargs.pop("label")
        self.inverse_label = kwargs.pop("inverse_label")
        # The linked-data property the link is published as (``cop_kb.linked_data``), e.g. "isPartOf" or
        # "eli:based_on"; "" for the generic one. Not deconstructed: it names no database matter, so changing it
        # needs no migration.
        self.linked_data = kwargs.pop("linked_data", "")
        return kwargs

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["label"] = self.label
        kwargs["inverse_label"] = self.inverse_label
        return name, path, args, kwargs


class LinkForeignKey(_LabelledLink, models.ForeignKey):
    """A single link from one record to another, e.g. a provision *is part of* an instrument."""

    def __init__(self, to, on_delete, **kwargs):
        super().__init__(to, on_delete, **self._take_labels(kwargs))


class LinkManyToManyField(_LabelledLink, models.ManyToManyField):
    """Links from one record to many, e.g. a programme *concerns* instruments."""

    def __init__(self, to, **kwargs):
        super().__init__(to, **self._take_labels(kwargs))


class TypedLink(models.Model):
    """A link row whose kind names the relation: ``source`` *label* ``target`` / ``target`` *inverse* ``source``.

    Subclasses define two foreign keys (named by ``source_field`` and ``target_field``), a ``kind`` field with
    choices, and ``LABELS`` mapping each kind to its (label, inverse label).
    """

    source_field = "source"
    target_field = "target"
    LABELS: dict[str, tuple[str, str]] = {}
    # Each kind's linked-data property (see ``_LabelledLink``); a kind not named here gets the generic one.
    LINKED_DATA: dict[str, str] = {}

    class Meta:
        abstract = True

    def labels(self) -> tuple[str, str]:
        return self.LABELS[self.kind]

    @classmethod
    def linked_data_of(cls, kind: str) -> str:
        return cls.LINKED_DATA.get(kind, "")


@dataclass
class LinkGroup:
    """The records one relation leads to from the record on the page, in display order."""

    label: str
    records: list = field(default_factory=list)
    inverse: bool = False
    # The relation's linked-data property ("" for the generic one); relations that share a label share it.
    linked_data: str = ""
    # Records too many to list here: (the page or list of them all, how many, their type's plural name) each.
    more: list = field(default_factory=list)


def _is_link(model_field) -> bool:
    return isinstance(model_field, _LabelledLink)


def _link_fields(model):
    """Yield (role, field) for every link of ``model``: its own links, its backlinks and its typed link rows."""
    for model_field in model._meta.get_fields():
        related = model_field.related_model
        if _is_link(model_field):
            yield ("single" if model_field.many_to_one else "many"), model_field
        elif model_field.auto_created and not model_field.concrete and _is_link(model_field.field):
            yield "backlink", model_field
        elif model_field.auto_created and isinstance(related, type) and issubclass(related, TypedLink):
            yield "typed", model_field


def _typed_ends(relation) -> tuple[bool, str]:
    """For a reverse relation to a typed link model: whether the record is the source, and the other end's field."""
    typed = relation.related_model
    forward = relation.field.name == typed.source_field
    return forward, typed.target_field if forward else typed.source_field


def _is_forward(role: str, model_field) -> bool:
    """Whether the record states this relation itself (its own link, or a typed row naming it as the source)."""
    return role in ("single", "many") or (role == "typed" and _typed_ends(model_field)[0])


def _public(model) -> models.QuerySet:
    return model._default_manager.public()


def link_prefetches(model, *, backlinks: bool = True) -> list[Prefetch]:
    """Prefetches that load every link and backlink of ``model`` records, public ends only, in fixed queries;
    without ``backlinks``, only the links the records make themselves (typed rows naming them as the source)."""
    prefetches = []
    for role, model_field in _link_fields(model):
        if not backlinks and not _is_forward(role, model_field):
            continue
        if role == "many":
            prefetches.append(Prefetch(model_field.name, queryset=_public(model_field.related_model)))
        elif role == "backlink":
            prefetches.append(Prefetch(model_field.get_accessor_name(), queryset=_public(model_field.related_model)))
        elif role == "typed":
            typed = model_field.related_model
            _, other = _typed_ends(model_field)
            rows = typed.objects.filter(**{f"{other}__in": _public(typed._meta.get_field(other).related_model)})
            prefetches.append(Prefetch(model_field.get_accessor_name(), queryset=rows.select_related(other)))
    return prefetches


def link_select_related(model) -> list[str]:
    """Single links to join in the main query (their visibility is checked when grouping)."""
    return [model_field.name for role, model_field in _link_fields(model) if role == "single"]


def _grouped(entries, more=()) -> list[LinkGroup]:
    """Links as (label, inverse, linked-data property, target) in display order, grouped by label: what the record
    says about others first, then what others say about it ("Referenced by"); ``more``: (label, inverse, link to
    the rest)."""
    groups: dict[tuple[str, bool], LinkGroup] = {}

    def group(label, inverse: bool, term: str = "") -> LinkGroup:
        key = (str(label), inverse)
        return groups.setdefault(key, LinkGroup(label=str(label), inverse=inverse, linked_data=term))

    for label, inverse, term, target in entries:
        group(label, inverse, term).records.append(target)
    for label, inverse, rest in more:
        group(label, inverse).more.append(rest)
    return sorted(groups.values(), key=lambda group: group.inverse)


@dataclass(frozen=True)
class LinkEntry:
    """One link of a loaded record, as declared: the relation's name and both labels, which way it points (``inverse``:
    the other record declares it), and the record at the other end."""

    relation: str
    label: str
    inverse_label: str
    inverse: bool
    target: object
    linked_data: str = ""  # the relation's linked-data property ("" for the generic one)

    @property
    def shown_label(self) -> str:
        """What the record on the page says about the target: the label, or the inverse label for a backlink."""
        return self.inverse_label if self.inverse else self.label


def _single_links(record):
    for role, model_field in _link_fields(type(record)):
        if role == "single":
            target = getattr(record, model_field.name)
            if target is not None and target.is_public:
                yield LinkEntry(
                    model_field.name,
                    str(model_field.label),
                    str(model_field.inverse_label),
                    False,
                    target,
                    model_field.linked_data,
                )


def link_entries(record, *, backlinks: bool = True):
    """Every public link and backlink of a loaded record, reading only what ``link_prefetches`` loaded (fixed
    queries for any number of records, with the same ``backlinks``); a field link is named by its field, a typed
    link by its kind."""
    yield from _single_links(record)
    for role, model_field in _link_fields(type(record)):
        if not backlinks and not _is_forward(role, model_field):
            continue
        if role == "many":
            labels = (str(model_field.label), str(model_field.inverse_label))
            for target in getattr(record, model_field.name).all():
                yield LinkEntry(model_field.name, *labels, False, target, model_field.linked_data)
        elif role == "backlink":
            declared = model_field.field
            labels = (str(declared.label), str(declared.inverse_label))
            for target in getattr(record, model_field.get_accessor_name()).all():
                yield LinkEntry(declared.name, *labels, True, target, declared.linked_data)
        elif role == "typed":
            forward, other = _typed_ends(model_field)
            for row in getattr(record, model_field.get_accessor_name()).all():
                label, inverse_label = row.labels()
                term = row.linked_data_of(row.kind)
                yield LinkEntry(row.kind, str(label), str(inverse_label), not forward, getattr(row, other), term)


def link_groups(record, *, backlinks: bool = True) -> list[LinkGroup]:
    """Group a loaded record's links and backlinks by relation, reading only what ``link_prefetches`` loaded (with
    the same ``backlinks``)."""
    entries = link_entries(record, backlinks=backlinks)
    return _grouped((entry.shown_label, entry.inverse, entry.linked_data, entry.target) for entry in entries)


def _narrowed_list(record, model_field) -> str:
    """For a backlink: the list of the linking records narrowed to ``record`` by one of its facets, or ""."""
    linking = model_field.related_model
    for facet in linking.list_facets:
        if getattr(facet, "path", None) == model_field.field.name:
            return f"{linking.get_list_url()}?{urlencode({facet.param: record.slug})}"
    return ""


def _relation_name(role: str, model_field) -> str:
    """How a relation of a record is named in the address of its page of every linked record."""
    return model_field.name if role == "many" else model_field.get_accessor_name()


def relation_url(record, role: str, model_field, kind: str = "") -> str:
    """The page listing every public record one relation of ``record`` leads to (of one ``kind`` of typed link)."""
    url = reverse(
        type(record).url_name.removesuffix("detail") + "links",
        kwargs={"slug": record.slug, "relation": _relation_name(role, model_field)},
    )
    return f"{url}?{urlencode({'kind': kind})}" if kind else url


def _linked_rows(record, role: str, model_field) -> models.QuerySet:
    """The first ``BACKLINKS_SHOWN`` public records one relation of ``record`` leads to (of each kind, for typed
    links), as (pk, slug, title, typed link kind, how many in all) rows."""
    if role == "typed":
        typed = model_field.related_model
        _forward, other = _typed_ends(model_field)
        target = typed._meta.get_field(other).related_model
        rows = typed.objects.filter(**{model_field.field.name: record.pk, f"{other}__in": _public(target)})
        by_kind = {"partition_by": [models.F("kind")]}
        rows = rows.annotate(
            linked=models.Window(models.Count("*"), **by_kind),
            place=models.Window(RowNumber(), order_by=[models.F(f"{other}__title"), models.F("pk")], **by_kind),
        ).filter(place__lte=BACKLINKS_SHOWN)
        rows = rows.order_by("kind", f"{other}__title", "pk")
        return rows.values_list(f"{other}__pk", f"{other}__slug", f"{other}__title", "kind", "linked")
    query_name = model_field.related_query_name() if role == "many" else model_field.field.name
    rows = _public(model_field.related_model).filter(**{query_name: record.pk})
    kind = models.Value("", output_field=models.CharField())
    rows = rows.annotate(link_kind=kind, linked=models.Window(models.Count("*"))).order_by("title", "pk")
    return rows.values_list("pk", "slug", "title", "link_kind", "linked")[:BACKLINKS_SHOWN]


def _more(record, role: str, model_field, rows) -> list:
    """(label, inverse, (where to see them all, how many, their type's plural name)) for each group of a relation
    that has more records than it shows: a backlink's list narrowed to ``record`` when there is one, else the
    relation's own page."""
    if role == "typed":
        forward, other = _typed_ends(model_field)
        plural = model_field.related_model._meta.get_field(other).related_model._meta.verbose_name_plural
        shown: dict[str, list] = {}
        for row in rows:
            shown.setdefault(row[3], []).append(row)
        labels = model_field.related_model.LABELS
        return [
            (
                labels[kind][0 if forward else 1],
                not forward,
                (relation_url(record, role, model_field, kind), kind_rows[0][4], plural),
            )
            for kind, kind_rows in shown.items()
            if kind_rows[0][4] > len(kind_rows)
        ]
    if not rows or rows[0][4] <= len(rows):
        return []
    plural = model_field.related_model._meta.verbose_name_plural
    if role == "many":
        return [(model_field.label, False, (relation_url(record, role, model_field), rows[0][4], plural))]
    rest = _narrowed_list(record, model_field) or relation_url(record, role, model_field)
    return [(model_field.field.inverse_label, True, (rest, rows[0][4], plural))]


def linked_public(record) -> list[models.QuerySet]:
    """The public records ``record`` links to or is linked from, as one unordered queryset per relation (a record
    linked in several ways is in several): for outputs about everything linked to a record, such as its feed."""
    found = []
    for role, model_field in _link_fields(type(record)):
        if role == "single":
            found.append(_public(model_field.related_model).filter(pk=getattr(record, model_field.attname)))
        elif role == "typed":
            typed = model_field.related_model
            _forward, other = _typed_ends(model_field)
            rows = typed.objects.filter(**{model_field.field.name: record.pk}).values(other)
            found.append(_public(typed._meta.get_field(other).related_model).filter(pk__in=rows))
        else:
            query_name = model_field.related_query_name() if role == "many" else model_field.field.name
            found.append(_public(model_field.related_model).filter(**{query_name: record.pk}))
    return found


def load_link_groups(record) -> list[LinkGroup]:
    """Group ``record``'s public links and backlinks by relation, reading every relation in one query (its single
    links come with the record, ``link_select_related``). For public pages, whatever the number of links: each
    group shows its first ``BACKLINKS_SHOWN`` records and links to a page of them all (for a backlink a list can
    be narrowed by, such as programmes by strategic area, that list)."""
    relations = [(role, model_field) for role, model_field in _link_fields(type(record)) if role != "single"]
    every_rows = rows_of_each([_linked_rows(record, role, model_field) for role, model_field in relations])
    more = [
        entry
        for (role, model_field), rows in zip(relations, every_rows, strict=True)
        for entry in _more(record, role, model_field, rows)
    ]

    def entries():
        for entry in _single_links(record):
            yield entry.shown_label, entry.inverse, entry.linked_data, entry.target
        for (role, model_field), rows in zip(relations, every_rows, strict=True):
            if role == "typed":
                forward, other = _typed_ends(model_field)
                target = model_field.related_model._meta.get_field(other).related_model
                labels = model_field.related_model.LABELS
            else:
                target = model_field.related_model
            for pk, slug, title, kind, _linked in rows:
                linked = target(pk=pk, slug=slug, title=title, status="published")  # read through public()
                if role == "typed":
                    label, inverse_label = labels[kind]
                    term = model_field.related_model.linked_data_of(kind)
                    yield (label if forward else inverse_label), not forward, term, linked
                elif role == "many":
                    yield model_field.label, False, model_field.linked_data, linked
                else:
                    yield model_field.field.inverse_label, True, model_field.field.linked_data, linked

    return _grouped(entries(), more)


@dataclass
class Relation:
    """Every public record one relation of a record leads to, for the page that lists them all."""

    label: str
    model: type
    records: models.QuerySet  # in title order, to be paginated


def relation_records(record, relation: str, kind: str) -> Relation:
    """The public records the relation named ``relation`` of ``record`` leads to (typed links: of ``kind``).

    Raises LookupError for a relation the record's type does not have, a typed relation without a known kind, or
    a kind given to a relation that has none.
    """
    found = next(
        (
            (role, model_field)
            for role, model_field in _link_fields(type(record))
            if role != "single" and _relation_name(role, model_field) == relation
        ),
        None,
    )
    if found is None:
        raise LookupError(relation)
    role, model_field = found
    if role == "typed":
        typed = model_field.related_model
        if kind not in typed.LABELS:
            raise LookupError(kind)
        forward, other = _typed_ends(model_field)
        target = typed._meta.get_field(other).related_model
        rows = typed.objects.filter(**{model_field.field.name: record.pk, "kind": kind}).values(other)
        label = typed.LABELS[kind][0 if forward else 1]
        return Relation(str(label), target, _public(target).filter(pk__in=rows).order_by("title", "pk"))
    if kind:
        raise LookupError(kind)
    target = model_field.related_model
    query_name = model_field.related_query_name() if role == "many" else model_field.field.name
    label = model_field.label if role == "many" else model_field.field.inverse_label
    return Relation(str(label), target, _public(target).filter(**{query_name: record.pk}).order_by("title", "pk"))


def linked_records(record) -> list:
    """Every record ``record`` links to or is linked from, whatever its status (for keeping indexes current)."""
    return linked_records_of([record])


def linked_records_of(records: Iterable) -> list:
    """Every record any of ``records`` links to or is linked from, whatever its status, read in one query per link
    of each record type rather than per record (a load or an import follows thousands).

    The records are read afresh, so the callers' instances keep no prefetched links that a later change would
    leave stale.
    """
    found = []
    by_model: dict[type, list[int]] = {}
    for record in records:
        by_model.setdefault(type(record), []).append(record.pk)
    for model, pks in by_model.items():
        fields = list(_link_fields(model))
        lookups = [_linked_lookup(role, model_field) for role, model_field in fields]
        for stored in model._default_manager.filter(pk__in=pks).prefetch_related(*lookups):
            for (role, model_field), lookup in zip(fields, lookups, strict=True):
                found.extend(_prefetched(stored, role, model_field, lookup))
    return found


def _linked_lookup(role: str, model_field) -> str:
    if role in ("single", "many"):
        return model_field.name
    if role == "backlink":
        return model_field.get_accessor_name()
    return f"{model_field.get_accessor_name()}__{_typed_ends(model_field)[1]}"


def _prefetched(stored, role: str, model_field, lookup: str) -> list:
    if role == "single":
        target = getattr(stored, model_field.name)
        return [target] if target is not None else []
    if role == "typed":
        other = _typed_ends(model_field)[1]
        return [getattr(row, other) for row in getattr(stored, model_field.get_accessor_name()).all()]
    return list(getattr(stored, lookup).all())


def link_paths(model) -> list[tuple[str, bool]]:
    """Query paths from ``model`` to the record at the other end of every link and backlink (through the row, for a
    typed link), each with whether the record states the link itself, for reading the linked records of many
    records at once (the search index's linked names)."""
    return [
        (
            f"{model_field.name}__{_typed_ends(model_field)[1]}" if role == "typed" else model_field.name,
            _is_forward(role, model_field),
        )
        for role, model_field in _link_fields(model)
    ]


def link_lookups(model) -> list[str]:
    """Query names of every link and backlink of ``model`` (for finding records that have none)."""
    return [model_field.name for _role, model_field in _link_fields(model)]


def typed_link_relations(model) -> list[tuple[str, type[TypedLink], str]]:
    """For each kind of typed link row that names ``model``: the accessor, the row model and the field naming it."""
    return [
        (model_field.get_accessor_name(), model_field.related_model, model_field.field.name)
        for role, model_field in _link_fields(model)
        if role == "typed"
    ]
