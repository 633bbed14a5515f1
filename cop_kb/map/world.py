"""The world's countries as SVG paths, from the vendored Natural Earth TopoJSON (``data/README.md``).

Decoded and projected once per process, at first use, and kept: a page then only picks the cached path strings of
the countries it shades, so no request does work in proportion to the dataset. The projection is Equal Earth
(Šavrič, Patterson and Jenny, 2018): areas keep their true proportions, so a large country does not look
more important than it is, and the shapes stay familiar.
"""

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"
WORLD_FILE = DATA / "countries-110m.json"
CODES_FILE = DATA / "iso-3166-codes.json"
# The picture's width in SVG units; its height follows from the projection.
WIDTH = 1000
# Antarctica (ISO numeric 010) is left out: no work reaches it, and it would take a fifth of the picture.
LEFT_OUT = {"010"}
# A shape smaller than this many square units (about a 12 x 12 square) is too small to find or click on the map:
# its country is also listed beside it.
SMALL_AREA = 150

# Equal Earth's constants (Šavrič et al. 2018, as in d3-geo's equalEarthRaw).
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(longitude: float, latitude: float) -> tuple[float, float]:
    """Project a point in degrees to Equal Earth's plane (unit sphere; y grows northwards)."""
    lam, phi = math.radians(longitude), math.radians(latitude)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """A quantised TopoJSON topology's arcs as lists of (longitude, latitude): each arc's positions are deltas from
    the previous one, scaled and translated by the topology's transform."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(x), float(y)) for x, y, *_rest in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_rest in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(indexes: list[int], arcs: list) -> list[tuple[float, float]]:
    """A ring from arc indexes: a negative index ``~i`` is arc ``i`` reversed; consecutive arcs share their joining
    point, which is kept once."""
    points: list = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def polygons_of(geometry: dict, arcs: list) -> list[list[list[tuple[float, float]]]]:
    """A Polygon or MultiPolygon geometry as polygons, each a list of rings (the outer one first)."""
    if geometry["type"] == "Polygon":
        return [[ring_points(ring, arcs) for ring in geometry["arcs"]]]
    if geometry["type"] == "MultiPolygon":
        return [[ring_points(ring, arcs) for ring in polygon] for polygon in geometry["arcs"]]
    return []


def _continuous(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """``ring`` with each longitude moved by whole turns to within 180° of the one before it."""
    found = ring[:1]
    for longitude, latitude in ring[1:]:
        found.append((longitude + 360 * round((found[-1][0] - longitude) / 360), latitude))
    return found


def split_at_antimeridian(polygon: list[list[tuple[float, float]]]) -> list[list[list[tuple[float, float]]]]:
    """A polygon as drawn on a map cut at 180°. The data lets a ring cross the antimeridian (a step from 179° to
    -179°), which drawn as it is would run across the whole map. Its rings are made continuous (longitudes past 180°
    kept growing), then the polygon is drawn once on each side its outer ring reaches, points beyond the edge held on
    the edge: the filled area of each copy is the part of the polygon on that side."""
    rings = [_continuous(ring) for ring in polygon if ring]
    if not rings:
        return []
    longitudes = [longitude for longitude, _latitude in rings[0]]
    shifts = [0] + ([-360] if max(longitudes) > 180 else []) + ([360] if min(longitudes) < -180 else [])
    copies = [
        [_held_on_edge([(longitude + shift, latitude) for longitude, latitude in ring]) for ring in rings]
        for shift in shifts
    ]
    return [[ring for ring in copy if ring] for copy in copies if copy[0]]


def _held_on_edge(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """``ring``'s points beyond ±180° held on the edge; of each run of such points only the first and the last are
    kept, so the part beyond is cut off by a straight line along the edge rather than folded onto it. Empty when
    the whole ring lies beyond."""
    beyond = [abs(longitude) > 180 for longitude, _latitude in ring]
    if all(beyond):
        return []
    count = len(ring)
    return [
        (min(180.0, max(-180.0, longitude)), latitude)
        for number, (longitude, latitude) in enumerate(ring)
        if not (beyond[number] and beyond[number - 1] and beyond[(number + 1) % count])
    ]


@dataclass(frozen=True)
class Shape:
    numeric: str  # ISO 3166-1 numeric code, "" for the shapes that have none
    name: str  # Natural Earth's short name, for countries that have no record
    path: str  # SVG path data in the picture's units
    area: float  # in square units of the picture
    centre: tuple[float, float]  # the centre of its largest polygon's bounding box

    @property
    def small(self) -> bool:
        return self.area < SMALL_AREA


@dataclass(frozen=True)
class World:
    shapes: tuple[Shape, ...]
    width: float
    height: float

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


def _ring_area(points: list) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))) / 2


def _shape(geometry: dict, arcs: list, scale: float, left: float, top: float) -> Shape:
    def place(point):
        x, y = equal_earth(*point)
        return (x - left) * scale, (top - y) * scale

    parts, area, largest = [], 0.0, (0.0, (0.0, 0.0))
    pieces = [piece for polygon in polygons_of(geometry, arcs) for piece in split_at_antimeridian(polygon)]
    for polygon in pieces:
        rings = [[place(point) for point in ring] for ring in polygon]
        for ring in rings:
            parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in ring) + "Z")
        outer = _ring_area(rings[0]) - sum(_ring_area(ring) for ring in rings[1:])
        area += outer
        if outer >= largest[0]:
            xs, ys = [x for x, _y in rings[0]], [y for _x, y in rings[0]]
            largest = (outer, (round((min(xs) + max(xs)) / 2, 1), round((min(ys) + max(ys)) / 2, 1)))
    properties = geometry.get("properties", {})
    return Shape(geometry.get("id", ""), properties.get("name", ""), "".join(parts), area, largest[1])


@functools.cache
def world() -> World:
    """Every country's shape, projected and scaled to ``WIDTH`` (decoded once per process)."""
    topology = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    geometries = [
        geometry for geometry in topology["objects"]["countries"]["geometries"] if geometry.get("id") not in LEFT_OUT
    ]
    projected = [
        equal_earth(*point)
        for geometry in geometries
        for polygon in polygons_of(geometry, arcs)
        for piece in split_at_antimeridian(polygon)
        for point in piece[0]
    ]
    left, right = min(x for x, _y in projected), max(x for x, _y in projected)
    bottom, top = min(y for _x, y in projected), max(y for _x, y in projected)
    scale = WIDTH / (right - left)
    shapes = tuple(_shape(geometry, arcs, scale, left, top) for geometry in geometries)
    return World(shapes, WIDTH, round((top - bottom) * scale, 1))


@functools.cache
def numeric_codes() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> numeric code, from the vendored list."""
    return {alpha2: numeric for alpha2, _alpha3, numeric, *_rest in json.loads(CODES_FILE.read_text("utf-8"))}
