"""Links between records, declared once with a forward and an inverse label.

A link is either a ``LinkForeignKey`` / ``LinkManyToManyField`` (the label says what the owning record does to its
target, the inverse label what the target has done to it) or a row of a ``TypedLink`` model whose ``kind`` carries
the pair of labels. Detail pages, the admin, search facets and versioning read these declarations; nothing else knows
which models link to which. ``link_groups`` reads a loaded record's links for display and output, ``link_pages``
the bounded groups of a public page and the pages of every record a relation leads to.
"""

from collections.abc import Iterable

from django.db import models
from django.utils.text import capfirst, format_lazy

from .batch import prepared_rows, rows_of_each
from .registry import record_type_of, record_types


class _LabelledLink:
    """Labels may name the records of the model that declares the link, as ``{records}``: declared once on an
    abstract base, "{records} in this country" reads "Programmes in this country" on one concrete model's link and
    "Activities in this country" on another's, so a country page tells them apart."""

    # Labels are wording: changing one alters no column. Without this, SQLite would rebuild the table for it and lose
    # the triggers the migrations put on it (the index following visibility, migration search 0004).
    non_db_attrs = (*models.Field.non_db_attrs, "label", "inverse_label")

    def _take_labels(self, kwargs: dict) -> dict:
        self.label = kwargs.pop("label")
        self.inverse_label = kwargs.pop("inverse_label")
        # The linked-data property the link is published as (``cop_kb.linked_data``), e.g. "isPartOf" or
        # "eli:based_on"; "" for the generic one. Not deconstructed: it names no database matter, so changing it
        # needs no migration.
        self.linked_data = kwargs.pop("linked_data", "")
        return kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        if not cls._meta.abstract:
            # Lazily: translations are not ready while models load.
            records = capfirst(cls._meta.verbose_name_plural)
            self.label = format_lazy(self.label, records=records)
            self.inverse_label = format_lazy(self.inverse_label, records=records)

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
    # Columns of the source record each row keeps a copy of, as ``source_<name>`` (kept by the database's triggers,
    # ``kept_copies``): with its visibility, slug, title and order all kept, the target's page reads its first links
    # of each kind from an index alone, however many records link to it.
    kept_source_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def labels(self) -> tuple[str, str]:
        return self.LABELS[self.kind]

    @classmethod
    def linked_data_of(cls, kind: str) -> str:
        return cls.LINKED_DATA.get(kind, "")


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


def public_end(typed, end: str) -> models.Exists:
    """A condition on ``typed`` link rows: the record at ``end`` is public. Asked row by row through that record's
    key, where ``end__in=public()`` made SQLite first collect every public record of the type (at 100,000 records,
    9 of a large organisation's 27 ms of programme links)."""
    return models.Exists(_public(typed._meta.get_field(end).related_model).filter(pk=models.OuterRef(end)))


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


def linked_records(record) -> list:
    """Every record ``record`` links to or is linked from, whatever its status, as references (for keeping indexes
    current; see ``linked_records_of``)."""
    return linked_records_of([record])


# Reads of the links of up to this many records of a type are prepared, one statement for each number of records.
PREPARED_KEYS = 10


def linked_records_of(records: Iterable) -> list:
    """Every record whose search document names any of ``records`` (``reindexed_paths``), whatever its status, as
    references: instances holding only their key (``Model(pk=…)``), for callers that reindex them, which reads each
    afresh. One query per record type of ``records`` (``linked_keys``)."""
    found = []
    by_model: dict[type, list[int]] = {}
    for record in records:
        by_model.setdefault(type(record), []).append(record.pk)
    for model, pks in by_model.items():
        paths = reindexed_paths(model)
        for path, rows in zip(paths, linked_keys(model, pks, paths), strict=True):
            target = model_at(model, path)
            found.extend(target(pk=linked_pk) for _pk, linked_pk in rows)
    return found


def linked_keys(model, pks: list[int], paths: list[str]) -> list[list[tuple[int, int]]]:
    """For each of ``paths`` from ``model``, the (record's key, linked record's key) pairs of the records ``pks``,
    read with one query. For a few records (an editor's save and the records it reindexes, every record a test
    makes) the statement is prepared once per process, set of paths and number of records (``prepared_rows``): built
    with the ORM on every save, the one query per link it replaces cost more than a third of a save in Python."""

    def build(*keys: int) -> list[models.QuerySet]:
        return link_pairs(model._default_manager.filter(pk__in=keys), paths)

    if len(pks) <= PREPARED_KEYS:
        return prepared_rows(("linked keys", model._meta.label_lower, tuple(paths), len(pks)), build, *pks)
    return rows_of_each(build(*pks))


def link_pairs(source: models.QuerySet, paths: list[str]) -> list[models.QuerySet]:
    """For each of ``paths``, the (record's key, linked record's key) pairs of the records of ``source``: the link
    rows alone, the far end's id a column of the row. Joined to the far end's table as well (for its status and
    title), SQLite without planner statistics (no ANALYZE since the data grew) took both ends' status indexes for
    selective and probed the link table for every pair of records, e.g. 6,000 provisions by 33,000 programmes: 36 s
    for one relation at 100,000 records. A path through records (a provision's topics, then their strategic areas)
    passes only through public ones."""
    source = source.order_by()
    return [
        source.filter(public_along(source.model, path), **{f"{path}__isnull": False}).values_list("pk", f"{path}__pk")
        for path in paths
    ]


def public_along(model, path: str) -> models.Q:
    """A condition on ``model``'s records: the records ``path`` passes through between its ends are public (the
    link rows of a typed link are not records: no condition on them)."""
    from .models import public_q  # the record model's module reads the links module as it loads

    condition = models.Q()
    parts = path.split("__")
    for number, name in enumerate(parts[:-1], start=1):
        model = model._meta.get_field(name).related_model
        if record_type_of(model._meta.label_lower) is not None:
            condition &= public_q("__".join(parts[:number]))
    return condition


def _reversed(model, path: str) -> tuple[type, str]:
    """The model at the end of ``path`` from ``model``, and the path back: ``topics__classified_areas`` from a
    provision is ``topics__provisions`` from a strategic area."""
    back = []
    for name in path.split("__"):
        model_field = model._meta.get_field(name)
        back.append(model_field.field.name if model_field.auto_created else model_field.related_query_name())
        model = model_field.related_model
    return model, "__".join(reversed(back))


def model_at(model, path: str):
    """The model at the end of a query path (``"organisation_roles__organisation"``) from ``model``."""
    for part in path.split("__"):
        model = model._meta.get_field(part).related_model
    return model


def link_paths(model) -> list[tuple[str, bool]]:
    """Query paths from ``model`` to the record at the other end of every link and backlink (through the row, for a
    typed link), each with whether the record states the link itself."""
    return [
        (
            f"{model_field.name}__{_typed_ends(model_field)[1]}" if role == "typed" else model_field.name,
            _is_forward(role, model_field),
        )
        for role, model_field in _link_fields(model)
    ]


def named_paths(model) -> list[tuple[str, bool]]:
    """The paths to the records a search document of ``model`` names: its links and backlinks, then the paths its
    registry entry's ``names_through`` declares (named with its backlinks: no link of its own)."""
    entry = record_type_of(model._meta.label_lower)
    return [*link_paths(model), *((path, False) for path in (entry.names_through if entry else ()))]


def reindexed_paths(model) -> list[str]:
    """The paths to the records whose search documents name a record of ``model``, to reindex after its changes:
    its links and backlinks, and the way back along every ``names_through`` path of a type that ends at ``model``
    (an area's articles, through its topics)."""
    paths = [path for path, _forward in link_paths(model)]
    for other in record_types():
        for path in other.names_through:
            end, back = _reversed(other.model, path)
            if end is model:
                paths.append(back)
    return paths


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
