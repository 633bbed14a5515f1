"""The map's geometry: the vendored files are the pinned ones, TopoJSON arcs decode as the format says, the Equal
Earth projection keeps areas, and the drawn world has every country in a bounded picture."""

import hashlib
import math
import re

import pytest

from cop_kb.map import world as world_module
from cop_kb.map.drawing import BORDER, CLASSES, NO_RECORD, base_layer, fill_of
from cop_kb.map.world import (
    decode_arcs,
    equal_earth,
    numeric_codes,
    polygons_of,
    ring_points,
    split_at_antimeridian,
    world,
)

README = (world_module.DATA / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [world_module.WORLD_FILE, world_module.CODES_FILE])
def test_vendored_files_are_the_pinned_ones(path):
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest in README, f"{path.name} changed: its sha256 {digest} is not the one in data/README.md"


def test_arcs_are_delta_decoded_and_transformed():
    topology = {
        "transform": {"scale": [0.5, 2], "translate": [10, -5]},
        "arcs": [[[0, 0], [2, 1], [1, -1]], [[3, 0], [0, 3]]],
    }
    assert decode_arcs(topology) == [[(10, -5), (11, -3), (11.5, -5)], [(11.5, -5), (11.5, 1)]]


def test_rings_join_arcs_once_and_reverse_negative_indexes():
    arcs = [[(0, 0), (1, 0), (1, 1)], [(1, 1), (0, 1), (0, 0)]]
    assert ring_points([0, 1], arcs) == [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    # ~0 is arc 0 backwards, ~1 arc 1 backwards
    assert ring_points([~1, ~0], arcs) == [(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)]


def test_multipolygons_keep_each_polygon_and_its_holes():
    arcs = [[(0, 0), (4, 0), (4, 4), (0, 0)], [(1, 1), (2, 1), (1, 1)], [(9, 9), (8, 9), (9, 9)]]
    polygons = polygons_of({"type": "MultiPolygon", "arcs": [[[0], [1]], [[2]]]}, arcs)
    assert [len(polygon) for polygon in polygons] == [2, 1]
    assert polygons_of({"type": "Point", "coordinates": [1, 2]}, arcs) == []


def test_equal_earth_is_centred_symmetric_and_bounded():
    assert equal_earth(0, 0) == (0, 0)
    x, y = equal_earth(120, 40)
    assert equal_earth(-120, -40) == pytest.approx((-x, -y))
    # Equal Earth's width-to-height ratio is about 2.05:1.
    width, height = 2 * equal_earth(180, 0)[0], 2 * equal_earth(0, 90)[1]
    assert width / height == pytest.approx(2.05, abs=0.01)


def test_equal_earth_keeps_areas():
    """A small cell covers the same projected area as on the sphere, up to one constant, at every latitude: the
    cell's width per degree of longitude times its height per degree of latitude, against cos(latitude)."""
    step = 1e-4

    def ratio(latitude):
        width = equal_earth(step, latitude)[0] / step
        height = (equal_earth(0, latitude + step)[1] - equal_earth(0, latitude - step)[1]) / (2 * step)
        return width * height / math.cos(math.radians(latitude))

    ratios = [ratio(latitude) for latitude in range(-85, 86, 5)]
    assert max(ratios) / min(ratios) == pytest.approx(1, abs=1e-4)


def test_the_world_holds_every_country_within_its_picture():
    drawn = world()
    assert len(drawn.shapes) == 176  # the 177 of Natural Earth's 1:110m countries, less Antarctica
    numbers = [float(value) for shape in drawn.shapes for value in re.findall(r"-?[\d.]+", shape.path)]
    assert min(numbers) >= 0 and max(numbers) <= drawn.width
    assert drawn.height == pytest.approx(drawn.width / 2.05, rel=0.12)
    by_name = {shape.name: shape for shape in drawn.shapes}
    assert by_name["Russia"].area > by_name["Argentina"].area > by_name["Ukraine"].area > by_name["Costa Rica"].area
    assert by_name["Costa Rica"].small and not by_name["Argentina"].small
    # Argentina lies in the south-west quarter of the picture, Russia in the north-east half.
    assert by_name["Argentina"].centre[0] < drawn.width / 2 < by_name["Russia"].centre[0]
    assert by_name["Argentina"].centre[1] > drawn.height / 2 > by_name["Russia"].centre[1]


def test_the_base_layer_is_made_once():
    assert base_layer() is base_layer()
    assert base_layer().count("<path ") == len(world().shapes)


def test_iso_codes_join_alpha2_to_the_shapes_numeric_ids():
    codes = numeric_codes()
    by_numeric = {shape.numeric: shape.name for shape in world().shapes}
    assert by_numeric[codes["AR"]] == "Argentina"
    assert by_numeric[codes["VN"]] == "Vietnam"
    assert by_numeric[codes["ZA"]] == "South Africa"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_fill_contrasts_with_the_borders():
    for fill in [NO_RECORD, *(fill for _low, _high, fill, _text in CLASSES)]:
        light, dark = sorted((_luminance(fill), _luminance(BORDER)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 3, fill


def test_classes_cover_every_count_and_darken_with_it():
    fills = [fill_of(count) for count in (0, 1, 2, 4, 5, 19, 20, 100_000)]
    assert fills == [CLASSES[i][2] for i in (0, 1, 2, 2, 3, 3, 4, 4)]
    assert [_luminance(fill) for _l, _h, fill, _t in CLASSES] == sorted(
        (_luminance(fill) for _l, _h, fill, _t in CLASSES), reverse=True
    )


def test_a_polygon_across_the_antimeridian_is_drawn_on_both_sides_within_the_map():
    # A square from 170° east to 170° west (190°), as the data stores it: the longitudes jump.
    polygon = [[(170, 60), (-170, 60), (-170, 70), (170, 70), (170, 60)]]

    east, west = split_at_antimeridian(polygon)

    assert east[0] == [(170, 60), (180, 60), (180, 70), (170, 70), (170, 60)]
    assert west[0] == [(-180, 60), (-170, 60), (-170, 70), (-180, 70)]  # closed by the path's Z


def test_a_ring_beyond_the_edge_is_cut_along_it_not_folded_onto_it():
    # Beyond 180° the ring wanders from 60° to 80° north and back: on the west copy only the points where it
    # leaves and comes back are kept, so no line runs up and down the edge.
    polygon = [[(170, 60), (-170, 60), (-170, 62), (170, 62), (175, 80), (165, 70), (170, 60)]]

    _east, west = split_at_antimeridian(polygon)

    assert west == [[(-180, 60), (-170, 60), (-170, 62), (-180, 62)]]
    assert split_at_antimeridian([[(10, 0), (20, 0), (20, 10), (10, 0)]]) == [[[(10, 0), (20, 0), (20, 10), (10, 0)]]]


def test_no_drawn_edge_runs_across_the_map():
    """Natural Earth's rings cross the antimeridian (Russia, Fiji): no segment of any shape may span half the map."""
    longest = 0.0
    for shape in world().shapes:
        for part in shape.path.split("M")[1:]:
            points = [tuple(map(float, pair.split())) for pair in part.rstrip("Z").split("L")]
            longest = max(longest, *(abs(x2 - x1) for (x1, _y1), (x2, _y2) in zip(points, points[1:], strict=False)))
    assert longest < world().width / 4, longest
