"""What the SVG templates draw: nodes with their shape, colour, link and accessible name, edges, relation labels and
a legend, from a neighbourhood and its layout.

Each record type has a shape and a colour, given by its place in the registry, so a new type is drawn without code
of its own and the two never depend on colour alone. The colours are dark enough for text on white (4.5:1, WCAG AA)
and so also for shapes (3:1); types after the first seven are drawn hollow with the same shapes in other colours.
"""

import functools
import math
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cop_kb.records.registry import record_types

from .layout import Layout, Sector, radial_layout
from .neighbourhood import Neighbourhood, node_key

COLOURS = ("#1f5fa8", "#b3261e", "#2e6b30", "#6a1b9a", "#8a4b00", "#00695c", "#ad1457")
SHAPES = ("circle", "square", "diamond", "triangle", "hexagon", "pentagon", "triangle-down")
RADIUS = 9
CENTRE_RADIUS = 14
# A node's visible label is its title cut to this length (shorter in the compact graph, which is drawn smaller); its
# accessible name is whole.
LABEL_CHARS = 28
COMPACT_LABEL_CHARS = 20


@functools.cache
def shape_path(shape: str, radius: float) -> str:
    """An SVG path for ``shape`` centred on the origin, about ``radius`` across from the centre."""
    if shape == "circle":
        return f"M{-radius} 0a{radius} {radius} 0 1 0 {2 * radius} 0a{radius} {radius} 0 1 0 {-2 * radius} 0Z"
    corners, turn = {
        "square": (4, 45),
        "diamond": (4, 0),
        "triangle": (3, 0),
        "hexagon": (6, 30),
        "pentagon": (5, 0),
        "triangle-down": (3, 180),
    }[shape]
    points = []
    for corner in range(corners):
        angle = math.radians(turn + 360 * corner / corners - 90)
        points.append(f"{radius * 1.15 * math.cos(angle):.2f} {radius * 1.15 * math.sin(angle):.2f}")
    return "M" + "L".join(points) + "Z"


@dataclass(frozen=True)
class TypeStyle:
    label: str  # the type's registry label
    name: str  # "Instrument"
    plural: str  # "Instruments"
    shape: str
    colour: str
    hollow: bool

    @property
    def fill(self) -> str:
        return "#ffffff" if self.hollow else self.colour

    def path(self, radius: float = RADIUS) -> str:
        return shape_path(self.shape, radius)


def type_styles() -> dict[str, TypeStyle]:
    """Every record type's style, by registry label, in registry order (not to be changed: it is shared)."""
    return _type_styles(tuple(record_types()), get_language())


@functools.cache
def _type_styles(entries: tuple, language: str | None) -> dict[str, TypeStyle]:
    """The styles of the registry's ``entries``, worked out once per registry and language (the names are
    translated) rather than for every graph drawn."""
    styles = {}
    for number, entry in enumerate(entries):
        round_, place = divmod(number, len(SHAPES))
        colour = COLOURS[(place + 3 * round_) % len(COLOURS)]
        hollow = round_ % 2 == 1
        styles[entry.label] = TypeStyle(entry.label, str(entry.name), str(entry.plural), SHAPES[place], colour, hollow)
    return styles


@dataclass(frozen=True)
class DrawnNode:
    key: tuple
    x: float
    y: float
    url: str
    name: str  # the accessible name: title, type and how it is linked
    text: str  # the visible label
    label_x: float
    label_y: float
    anchor: str
    rotate: float
    style: TypeStyle
    path: str
    ring: int

    @property
    def id(self) -> str:
        return node_id(self.key)


def node_id(key: tuple) -> str:
    """A node's id in the page, for the script that moves it and its edges: ``instruments-instrument-3``."""
    return f"{key[0].replace('.', '-')}-{key[1]}"


@dataclass(frozen=True)
class Edge:
    one: str  # the ends' node ids (``DrawnNode.id``)
    two: str
    x1: float
    y1: float
    x2: float
    y2: float
    relation: str
    cross: bool  # between two records placed by other links (depth 2)


@dataclass(frozen=True)
class RelationLabel:
    """A relation's name on a sector of edges, and the ids of the node they start from and of the nodes they reach
    (so the script can keep it among them when nodes move)."""

    text: str
    x: float
    y: float
    parent: str
    nodes: str


@dataclass(frozen=True)
class Drawing:
    nodes: list
    edges: list
    relation_labels: list
    legend: list  # TypeStyle of each type drawn, in registry order
    box: tuple
    hidden: int

    @property
    def view_box(self) -> str:
        return " ".join(f"{value:g}" for value in self.box)

    @property
    def linked(self) -> list:
        return [node for node in self.nodes if node.ring]


def _short(title: str, most: int) -> str:
    return title if len(title) <= most else title[: most - 1].rstrip() + "…"


def _relations_of(found: Neighbourhood) -> dict:
    """How each record is linked, as its parent says it: {key: ["Supplements", ...]}."""
    said: dict = {}
    for group in found.groups:
        for key in group.keys:
            said.setdefault(key, []).append(group.label)
    for parent, groups in found.children.items():
        parent_title = found.records[parent].title
        for group in groups:
            for key in group.keys:
                said.setdefault(key, []).append(
                    _("%(relation)s from %(record)s") % {"relation": group.label, "record": parent_title}
                )
    return said


def _sectors(groups: list) -> list[Sector]:
    """A sector per relation; a record linked in several ways sits in the first one's sector (its name says all)."""
    seen: set = set()
    sectors = []
    for group in groups:
        keys = tuple(key for key in group.keys if key not in seen)
        seen.update(keys)
        if keys:
            sectors.append(Sector(group.label, keys))
    return sectors


def draw(found: Neighbourhood, *, label_chars: int = LABEL_CHARS) -> Drawing:
    """Lay out ``found`` and describe everything the SVG shows, titles cut to ``label_chars``."""
    centre = node_key(found.centre)
    sectors = _sectors(found.groups)
    children = {parent: _sectors(groups) for parent, groups in found.children.items()}
    lengths = {key: len(_short(record.title, label_chars)) for key, record in found.records.items()}
    layout = radial_layout(centre, sectors, children, title_lengths=lengths)
    styles = type_styles()
    said = _relations_of(found)
    nodes = []
    for key, point in layout.points.items():
        record, label, style = found.records[key], layout.labels[key], styles[key[0]]
        how = "; ".join(said.get(key, []))
        name = f"{record.title} ({style.name}{': ' + how if how else ''})"
        radius = CENTRE_RADIUS if key == centre else RADIUS
        nodes.append(
            DrawnNode(
                key,
                round(point.x, 1),
                round(point.y, 1),
                record.get_absolute_url(),
                name,
                _short(record.title, label_chars),
                round(label.x - point.x, 1),
                round(label.y - point.y, 1),
                label.anchor,
                label.rotate,
                style,
                style.path(radius),
                point.ring,
            )
        )
    edges = _edges(found, layout)
    drawn_types = {key[0] for key in layout.points}
    legend = [style for label, style in styles.items() if label in drawn_types]
    relation_labels = [
        RelationLabel(text, round(label.x, 1), round(label.y, 1), node_id(parent), " ".join(map(node_id, keys)))
        for text, label, parent, keys in layout.relation_labels
    ]
    return Drawing(nodes, edges, relation_labels, legend, layout.box, found.hidden)


def _edges(found: Neighbourhood, layout: Layout) -> list:
    centre = node_key(found.centre)
    points = layout.points
    lines = []

    def line(a, b, relation, cross=False):
        one, two = points[a], points[b]
        xs = (round(one.x, 1), round(one.y, 1), round(two.x, 1), round(two.y, 1))
        lines.append(Edge(node_id(a), node_id(b), *xs, relation, cross))

    for sector in _sectors(found.groups):
        for key in sector.keys:
            line(centre, key, sector.label)
    for parent, groups in found.children.items():
        for sector in _sectors(groups):
            for key in sector.keys:
                line(parent, key, sector.label)
    for one, two, relation in found.cross:
        line(one, two, relation, cross=True)
    return lines
