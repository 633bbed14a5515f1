"""A loaded record's links grouped for display and output: every link and backlink, read from what
``link_prefetches`` loaded (detail pages of records, the API, the linked-data dump), in fixed queries for any number
of records."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .links import _is_forward, _link_fields, _public, _typed_ends


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
        found = groups.get(key)
        if found is None:
            found = groups[key] = LinkGroup(label=key[0], inverse=inverse, linked_data=term)
        return found

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
