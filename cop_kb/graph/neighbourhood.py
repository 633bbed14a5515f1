"""Which records a graph shows: a record's public links and backlinks, one or two steps out, bounded.

Read from the link declarations, like a detail page's link groups: the compact graph on a detail page is drawn from
the groups the page has already loaded (no query of its own); the explore page reads each step with one query, a
``UNION ALL`` over every relation of every record type in that step, each relation's rows numbered per linking
record and cut at a limit, so a step costs one query whatever the data. Each relation's part is built and compiled
once per process and number of records (``cop_kb.records.batch.prepared_parts``), then only given their keys. The
second step counts the links of a relation with more than ``HUB_LINKS`` of them (a strategic area's programmes, an
organisation's roles) instead of reading them in order, from the kept facet counts where a list facet keeps them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.db import models
from django.db.models.functions import RowNumber

from cop_kb.records.batch import prepared_parts
from cop_kb.records.facet_counts import kept_link_counts, linked_count
from cop_kb.records.kept_copies import COPY_PREFIX, public_copy_q, reads_copies
from cop_kb.records.link_pages import BACKLINKS_SHOWN
from cop_kb.records.links import _link_fields, _typed_ends, public_end

# The compact graph on a detail page draws at most this many linked records.
COMPACT_NODES = 24
# The explore page draws at most this many records in all.
EXPLORE_NODES = 300
# Each relation of the record shows at most this many records (as on its page) ...
FIRST_STEP_LIMIT = BACKLINKS_SHOWN
# ... the second step starts from at most this many of them, taking at most this many of each one's relations.
SECOND_STEP_FROM = 60
SECOND_STEP_LIMIT = 6
# A relation of a second-step record with more public links than this is counted, not drawn: reading thousands of
# links to draw six would make the page grow with the data. Known only where a list facet keeps the counts.
HUB_LINKS = 200


def node_key(record) -> tuple[str, int]:
    """A record's identity across types (primary keys repeat between tables)."""
    return (record._meta.label_lower, record.pk)


@dataclass
class Group:
    """The records one relation leads to from a parent node, as the parent says it ("Supplements")."""

    label: str
    inverse: bool
    keys: list = field(default_factory=list)


@dataclass
class Neighbourhood:
    """A record, the records around it by relation, and for depth 2 each one's own new neighbours."""

    centre: object
    records: dict = field(default_factory=dict)  # node key -> record (pk, slug, title), the centre too
    groups: list = field(default_factory=list)  # the centre's relations, forward ones first
    children: dict = field(default_factory=dict)  # first-ring node key -> its Groups of second-ring nodes
    cross: list = field(default_factory=list)  # (key, key, label): links between records already drawn
    hidden: int = 0  # links left out by the bounds

    @property
    def depth(self) -> int:
        return 2 if self.children else 1

    def add(self, record) -> tuple[str, int]:
        key = node_key(record)
        self.records.setdefault(key, record)
        return key

    def reach(self, link: "Link") -> tuple[str, int]:
        """Add the record at the other end of ``link``, made only if it is not drawn yet."""
        if link.key not in self.records:
            self.records[link.key] = link.target()
        return link.key

    def rows(self) -> list[tuple]:
        """Every link drawn, as the tables beside the graphs list them: (record, step, relation, the record it is
        linked from)."""
        rows = [(self.records[key], 1, group.label, self.centre) for group in self.groups for key in group.keys]
        for parent, groups in self.children.items():
            rows += [
                (self.records[key], 2, group.label, self.records[parent]) for group in groups for key in group.keys
            ]
        rows += [(self.records[two], 2, relation, self.records[one]) for one, two, relation in self.cross]
        return rows


def _take(groups: dict, label: str, inverse: bool, key) -> None:
    group = groups.setdefault((label, inverse), Group(label, inverse))
    if key not in group.keys:
        group.keys.append(key)


def compact_neighbourhood(record, link_groups: list) -> Neighbourhood:
    """The neighbourhood of ``record`` drawn from its page's link groups (``load_link_groups``): at most
    ``COMPACT_NODES`` records, taken a relation at a time in turn so every relation shows; ``hidden`` counts the
    links the groups hold or name beyond them."""
    found = Neighbourhood(centre=record)
    centre = found.add(record)
    queues = [(group, list(group.records)) for group in link_groups]
    chosen: dict = {}
    while any(queue for _group, queue in queues):
        for group, queue in queues:
            if not queue:
                continue
            target = queue.pop(0)
            key = node_key(target)
            if key == centre:
                continue
            if key in found.records or len(found.records) <= COMPACT_NODES:
                _take(chosen, group.label, group.inverse, found.add(target))
            else:
                found.hidden += 1
    found.hidden += sum(total - BACKLINKS_SHOWN for group in link_groups for _url, total, _plural in group.more)
    found.groups = sorted(chosen.values(), key=lambda group: group.inverse)
    return found


@dataclass(frozen=True)
class _Relation:
    """One relation of a record type as the explore page reads it: where it leads, and its rows for some records."""

    target: type
    inverse: bool
    rows: Callable  # (source pks, limit, hubs) -> rows of (source pk, pk, slug, title, kind, how many in all)
    label: Callable  # kind -> what the source says ("Supplements")
    hubs: Callable  # source pks -> rows of (source pk, 0, "", "", "", how many links) for the hubs among them


def _public(model) -> models.QuerySet:
    return model._default_manager.public()


def _numbered(rows: models.QuerySet, partition: list, order: list, limit: int) -> models.QuerySet:
    """``rows`` counted and numbered per ``partition``, the first ``limit`` of each kept."""
    per = {"partition_by": partition}
    rows = rows.annotate(
        graph_linked=models.Window(models.Count("*"), **per),
        graph_place=models.Window(RowNumber(), order_by=order, **per),
    )
    return rows.filter(graph_place__lte=limit)


def _counted_hubs(links: models.QuerySet, source: str) -> models.QuerySet:
    """Of ``links`` (public links, each naming the record it leads from at ``source``): the records with more than
    ``HUB_LINKS`` of them, as (``source``, ``graph_links``) rows. Where no list facet keeps the counts: a count
    reads no title and sorts nothing, where reading an organisation's thousands of programmes in title order to draw
    six took 50-110 ms at 100,000 records."""
    counted = links.order_by().values(source).annotate(graph_links=models.Count("pk"))
    return counted.filter(graph_links__gt=HUB_LINKS)


def _not_hubs(source, pks, links: models.QuerySet, path: str) -> models.QuerySet:
    """The keys of the records of ``source`` among ``pks`` with at most ``HUB_LINKS`` of ``links`` (each naming the
    record it leads from at ``path``). Whether a record has more is asked by looking for its link number
    ``HUB_LINKS + 1``, which reads no more than that many: counting read every one of a hub's thousands, and a step's
    rows from four organisations that are hubs took SQLite 46 ms to find that none was to be shown (100,000 records)."""
    beyond = links.filter(**{path: models.OuterRef("pk")}).order_by()[HUB_LINKS : HUB_LINKS + 1]
    return source._default_manager.filter(pk__in=pks).exclude(models.Exists(beyond)).values("pk")


def _hub_rows(groups: models.QuerySet, source: str, count: str) -> models.QuerySet:
    """Hub ``groups`` as a step's rows read them: (source pk, 0, "", "", "", how many links)."""
    empty = models.Value("", output_field=models.CharField())
    return groups.values_list(source, models.Value(0), empty, empty, empty, count)


def _field_relation(target, path: str, label, inverse: bool) -> _Relation:
    """A link field (either way): ``path`` leads from the target records back to the records they link with."""

    kept = kept_link_counts(target, path)

    def hub_groups(pks) -> tuple[models.QuerySet, str, str]:
        """The records of ``pks`` with more than ``HUB_LINKS`` links, from the kept counts where a list facet keeps
        them (a strategic area's programmes), else counted; and the columns naming each one and its count."""
        if kept is not None:
            return kept.filter(target__in=pks, records__gt=HUB_LINKS), "target", "records"
        return _counted_hubs(_public(target).filter(**{f"{path}__in": pks}), path), path, "graph_links"

    def rows(pks, limit, skip_hubs):
        if skip_hubs:
            source = target._meta.get_field(path).related_model
            if kept is None:
                pks = _not_hubs(source, pks, _public(target), path)
            else:
                hubs = hub_groups(pks)[0].values("target")
                pks = source._default_manager.filter(pk__in=pks).exclude(pk__in=hubs).values("pk")
        found = (
            _public(target)
            .filter(**{f"{path}__in": pks})
            .annotate(graph_source=models.F(path), graph_kind=models.Value("", output_field=models.CharField()))
        )
        if isinstance(pks, list) and len(pks) == 1:
            # The first step, from one record: its first ``limit`` by title and how many there are (kept, or
            # counted), as its page reads them; numbering every link read and sorted all of them.
            found = found.annotate(graph_linked=linked_count(found, target, path, pks[0])).order_by("title", "pk")
            return found.values_list("graph_source", "pk", "slug", "title", "graph_kind", "graph_linked")[:limit]
        found = _numbered(found, [models.F(path)], [models.F("title"), models.F("pk")], limit)
        found = found.order_by("graph_source", "title", "pk")
        return found.values_list("graph_source", "pk", "slug", "title", "graph_kind", "graph_linked")

    return _Relation(target, inverse, rows, lambda _kind: str(label), lambda pks: _hub_rows(*hub_groups(pks)))


def _typed_relation(model_field) -> _Relation:
    """Typed link rows naming the record at one end; the kind of each row names the relation."""
    typed = model_field.related_model
    forward, other = _typed_ends(model_field)
    own = model_field.field.name
    target = typed._meta.get_field(other).related_model

    if reads_copies(typed, other):
        # The rows' own copies of the other end (``kept_copies``): no read of its table for each link.
        visible, pk, slug, title = public_copy_q(), other, f"{COPY_PREFIX}slug", f"{COPY_PREFIX}title"
    else:
        visible, pk, slug, title = public_end(typed, other), f"{other}__pk", f"{other}__slug", f"{other}__title"

    def public_rows(pks):
        return typed.objects.filter(visible, **{f"{own}__in": pks})

    def rows(pks, limit, skip_hubs):
        if skip_hubs:
            source = typed._meta.get_field(own).related_model
            pks = _not_hubs(source, pks, typed.objects.filter(visible), own)
        found = public_rows(pks)
        partition = [models.F(own), models.F("kind")]
        found = _numbered(found, partition, [models.F(title), models.F("pk")], limit)
        found = found.order_by(own, "kind", title, "pk")
        return found.values_list(own, pk, slug, title, "kind", "graph_linked")

    def hubs(pks):
        return _hub_rows(_counted_hubs(public_rows(pks), own), own, "graph_links")

    return _Relation(target, not forward, rows, lambda kind: str(typed.LABELS[kind][0 if forward else 1]), hubs)


def relations(model) -> list[tuple[object, _Relation]]:
    """Every relation of ``model``'s records, from its link declarations, with the field that declares it (what
    names the relation's read among the prepared ones): its own links first, then backlinks."""
    found = []
    for role, model_field in _link_fields(model):
        if role in ("single", "many"):
            relation = _field_relation(
                model_field.related_model, model_field.related_query_name(), model_field.label, False
            )
        elif role == "backlink":
            declared = model_field.field
            relation = _field_relation(model_field.related_model, declared.name, declared.inverse_label, True)
        else:
            relation = _typed_relation(model_field)
        found.append((model_field, relation))
    return found


@dataclass(frozen=True)
class Link:
    source: tuple  # node key of the record the step started from
    key: tuple  # node key of the record at the other end
    row: tuple  # (its model, pk, slug, title)
    label: str  # what the source says of it
    inverse: bool

    def target(self):
        """The record at the other end (public: read through ``public()``). Made only for the records drawn: two
        steps out most links read join records already drawn, or are cut, and a model instance costs ~30 µs."""
        model, pk, slug, title = self.row
        return model.shown(pk=pk, slug=slug, title=title, status="published")


def _padded(pks: list) -> tuple:
    """``pks`` with the last one repeated up to the next power of two. A step's reads are prepared once per number of
    keys (``prepared_parts``): up to ``SECOND_STEP_FROM`` records then make 7 statements per relation, not 60. A
    record named twice is read once."""
    size = 1 << (len(pks) - 1).bit_length()
    return (*pks, *[pks[-1]] * (size - len(pks)))


def _rows_of(relation: _Relation, limit: int, skip_hubs: bool, *keys: int) -> models.QuerySet:
    return relation.rows(list(keys), limit, skip_hubs)


def _hubs_of(relation: _Relation, *keys: int) -> models.QuerySet:
    return relation.hubs(list(keys))


def links_from(sources: dict, types: set, limit: int, *, skip_hubs: bool = False) -> tuple[list[Link], int]:
    """The public links of ``sources`` (model -> primary keys) to records of ``types``, in one query: at most
    ``limit`` of each relation (each kind, for typed links) of each source, by title; with ``skip_hubs``, a relation
    with more than ``HUB_LINKS`` links is only counted. Returns the links, forward relations first, and how many were
    left out."""
    keys = {model: _padded(pks) for model, pks in sources.items() if pks}
    parts = [
        (model, declared, relation)
        for model in keys
        for declared, relation in relations(model)
        if relation.target in types
    ]
    counted = parts if skip_hubs else []
    every_rows = prepared_parts(
        [
            (
                ("explore rows", declared, limit, skip_hubs, HUB_LINKS, len(keys[model])),
                partial(_rows_of, relation, limit, skip_hubs),
                keys[model],
            )
            for model, declared, relation in parts
        ]
        + [
            (("explore hubs", declared, HUB_LINKS, len(keys[model])), partial(_hubs_of, relation), keys[model])
            for model, declared, relation in counted
        ]
    )
    hidden = sum(row[5] for rows in every_rows[len(parts) :] for row in rows)
    found = []
    for (model, _declared, relation), rows in zip(parts, every_rows[: len(parts)], strict=True):
        shown: dict = {}
        source_label, target_label = model._meta.label_lower, relation.target._meta.label_lower
        for source, pk, slug, title, kind, linked in rows:
            row = (relation.target, pk, slug, title)
            found.append(Link((source_label, source), (target_label, pk), row, relation.label(kind), relation.inverse))
            shown.setdefault((source, kind), [linked, 0])[1] += 1
        hidden += sum(linked - count for linked, count in shown.values())
    found.sort(key=lambda link: link.inverse)
    return found, hidden


def explore_neighbourhood(record, *, depth: int, types: set) -> Neighbourhood:
    """The neighbourhood of ``record`` for the explore page: its links to records of ``types`` (at most
    ``FIRST_STEP_LIMIT`` per relation), and at depth 2 their own links (from the first ``SECOND_STEP_FROM`` of them,
    ``SECOND_STEP_LIMIT`` per relation each, relations with more than ``HUB_LINKS`` links counted only); at most
    ``EXPLORE_NODES`` records in all. Two queries at most."""
    found = Neighbourhood(centre=record)
    centre = found.add(record)
    first, found.hidden = links_from({type(record): [record.pk]}, types, FIRST_STEP_LIMIT)
    groups: dict = {}
    for link in first:
        key = link.key
        if key == centre:
            continue
        if key in found.records or len(found.records) < EXPLORE_NODES:
            _take(groups, link.label, link.inverse, found.reach(link))
        else:
            found.hidden += 1
    found.groups = list(groups.values())
    if depth < 2:
        return found
    ring = list(dict.fromkeys(key for group in found.groups for key in group.keys))
    sources: dict = {}
    for key in ring[:SECOND_STEP_FROM]:
        sources.setdefault(type(found.records[key]), []).append(key[1])
    second, hidden = links_from(sources, types, SECOND_STEP_LIMIT, skip_hubs=True)
    found.hidden += hidden + _second_ring(found, second)
    return found


def _second_ring(found: Neighbourhood, links: list[Link]) -> int:
    """Place the second step's links: a record not yet drawn joins the sector of the first record that links to
    it (until the bound); a link between two records already drawn is a cross link. Each pair of records is joined
    once (a link seen from both ends is one link). Returns how many were left out."""
    centre = node_key(found.centre)
    children: dict = {}
    pairs: set = set()
    hidden = 0
    for link in links:
        key = link.key
        pair = frozenset((link.source, key))
        if centre in pair or len(pair) < 2 or pair in pairs:
            continue
        pairs.add(pair)
        if key in found.records:
            found.cross.append((link.source, key, link.label))
        elif len(found.records) < EXPLORE_NODES:
            _take(children.setdefault(link.source, {}), link.label, link.inverse, found.reach(link))
        else:
            hidden += 1
    found.children = {parent: list(groups.values()) for parent, groups in children.items()}
    return hidden
