"""Where a graph's nodes go: a deterministic radial layout, computed in Python so the server can draw it.

The record sits at the centre; its linked records form a ring around it, each relation ("Supplements", "Issued by")
a sector of the ring labelled once; at depth 2, each linked record's own neighbours sit on an outer ring inside its
sector. The same input always gives the same picture (no randomness, no physics), so pages can be cached and tests
can compare them. Nothing here reads the database.
"""

import math
from dataclasses import dataclass, field

# Distances in SVG user units (CSS pixels at natural size).
NODE_GAP = 34  # the least distance between neighbours on a ring
FIRST_RING = 150  # the smallest radius of the first ring
RING_GAP = 190  # from the first ring to the second
STAGGER = 36  # every other node of a crowded ring sits this much further out, so labels interleave
GROUP_GAP = 0.6  # the empty space between two relations' sectors, in node slots
CHAR_WIDTH = 7.2  # a label character's width at the graph's font size, for sizing the picture
LABEL_OFFSET = 16  # from a node's centre to its label
MARGIN = 12
ROTATE_ABOVE = 12  # a ring with more nodes than this writes its labels along the radius


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    angle: float  # radians, 0 pointing right, growing clockwise (SVG's y points down)
    ring: int  # 0 for the centre


@dataclass(frozen=True)
class Label:
    """Where a text goes: ``anchor`` is SVG's text-anchor, ``rotate`` degrees about (x, y)."""

    x: float
    y: float
    anchor: str
    rotate: float = 0.0


@dataclass
class Layout:
    points: dict = field(default_factory=dict)  # node key -> Point
    labels: dict = field(default_factory=dict)  # node key -> Label
    relation_labels: list = field(default_factory=list)  # (text, Label, parent key, node keys) for each sector
    box: tuple = (0.0, 0.0, 0.0, 0.0)  # min x, min y, width, height


@dataclass(frozen=True)
class Sector:
    """One relation's nodes around a parent (the centre, or a first-ring node)."""

    label: str
    keys: tuple


def _weights(sectors: list[Sector], children: dict) -> list[list[float]]:
    """How many slots each first-ring node takes: one, or as many as the sectors of its children need."""
    return [[max(1.0, _span_slots(children.get(key, []))) for key in sector.keys] for sector in sectors]


def _span_slots(sectors: list[Sector]) -> float:
    if not sectors:
        return 0.0
    return sum(len(sector.keys) for sector in sectors) + GROUP_GAP * (len(sectors) - 1)


def _place_ring(sectors, weights, start: float, span: float, radius: float, parent, layout: Layout) -> None:
    """Spread ``sectors`` over the angle from ``start`` to ``start + span`` at ``radius``, recording each node's
    point and each sector's label; ``weights`` gives each node's share in slots, ``parent`` is the node they link
    with."""
    ring = layout.points[parent].ring + 1
    gaps = GROUP_GAP * (len(sectors) - 1) if len(sectors) > 1 else 0.0
    total = sum(sum(row) for row in weights) + gaps
    if total == 0:
        return
    unit = span / total
    crowded = sum(len(sector.keys) for sector in sectors) > ROTATE_ABOVE
    angle = start
    for number, (sector, row) in enumerate(zip(sectors, weights, strict=True)):
        sector_start = angle
        for place, (key, weight) in enumerate(zip(sector.keys, row, strict=True)):
            middle = angle + unit * weight / 2
            out = radius + (STAGGER if crowded and place % 2 else 0)
            layout.points[key] = Point(out * math.cos(middle), out * math.sin(middle), middle, ring)
            layout.labels[key] = _node_label(middle, out, crowded)
            angle += unit * weight
        where = _relation_label((sector_start + angle) / 2, radius, ring, number)
        layout.relation_labels.append((sector.label, where, parent, sector.keys))
        angle += unit * GROUP_GAP


def _node_label(angle: float, radius: float, along_radius: bool) -> Label:
    """A node's label, outside it: written along the radius on a crowded ring, level otherwise."""
    right = math.cos(angle) >= -1e-9
    reach = radius + LABEL_OFFSET
    x, y = reach * math.cos(angle), reach * math.sin(angle)
    if along_radius:
        degrees = math.degrees(angle)
        return Label(x, y, "start" if right else "end", round(degrees if right else degrees - 180, 2))
    if abs(math.cos(angle)) < 0.05:  # straight above or below: centred, clear of the node
        return Label(x, y + (8 if math.sin(angle) > 0 else -4), "middle")
    return Label(x, y + 4, "start" if right else "end")


def _relation_label(angle: float, radius: float, ring: int, number: int) -> Label:
    """A sector's relation, on its middle spoke, between the parent's ring and its own; alternately nearer and
    further, so neighbouring sectors' labels do not meet."""
    inner = 0.0 if ring == 1 else radius - RING_GAP
    reach = inner + (radius - inner) * (0.55 if number % 2 == 0 else 0.75)
    return Label(reach * math.cos(angle), reach * math.sin(angle) + 4, "middle")


def radial_layout(
    centre, sectors: list[Sector], children: dict | None = None, *, title_lengths: dict | None = None
) -> Layout:
    """Lay out ``centre``, its neighbours in ``sectors`` (in order, clockwise from the top) and, for depth 2,
    ``children``: for a first-ring node's key, the sectors of its own neighbours. ``title_lengths`` (node key ->
    characters in its label) sizes the picture so no label is cut."""
    children = children or {}
    layout = Layout()
    layout.points[centre] = Point(0.0, 0.0, 0.0, 0)
    layout.labels[centre] = Label(0.0, 34.0, "middle")
    weights = _weights(sectors, children)
    slots = sum(sum(row) for row in weights) + GROUP_GAP * max(0, len(sectors) - 1)
    first = max(FIRST_RING, NODE_GAP * slots / (2 * math.pi))
    _place_ring(sectors, weights, -math.pi / 2, 2 * math.pi, first, centre, layout)
    second = first + RING_GAP
    for sector, row in zip(sectors, weights, strict=True):
        for key, weight in zip(sector.keys, row, strict=True):
            own = children.get(key)
            if not own:
                continue
            span = 2 * math.pi * weight / max(slots, 1)
            start = layout.points[key].angle - span / 2
            _place_ring(own, [[1.0] * len(s.keys) for s in own], start, span, second, key, layout)
    layout.box = _box(layout, title_lengths or {})
    return layout


def _box(layout: Layout, title_lengths: dict) -> tuple:
    """The smallest box holding every node and its label (labels measured by ``title_lengths``), plus a margin."""
    xs, ys = [0.0], [0.0]
    for key, point in layout.points.items():
        label = layout.labels[key]
        width = title_lengths.get(key, 0) * CHAR_WIDTH
        xs += [point.x - 14, point.x + 14]
        ys += [point.y - 14, point.y + 14]
        if label.rotate:
            radians = math.radians(label.rotate)
            sign = 1 if label.anchor == "start" else -1
            xs.append(label.x + sign * width * math.cos(radians))
            ys.append(label.y + sign * width * math.sin(radians))
        else:
            shift = {"start": (0, width), "end": (-width, 0), "middle": (-width / 2, width / 2)}[label.anchor]
            xs += [label.x + shift[0], label.x + shift[1]]
        ys += [label.y - 12, label.y + 4]
    for text, label, _parent, _keys in layout.relation_labels:
        xs += [label.x - len(text) * CHAR_WIDTH / 2, label.x + len(text) * CHAR_WIDTH / 2]
    left, top = min(xs) - MARGIN, min(ys) - MARGIN
    return (round(left, 1), round(top, 1), round(max(xs) + MARGIN - left, 1), round(max(ys) + MARGIN - top, 1))
