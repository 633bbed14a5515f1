"""The graph's layout and bounds, without a database: where nodes go, that nothing overlaps or falls outside the
picture, that each relation keeps its own sector, and that the compact graph stays bounded."""

import math
from dataclasses import dataclass, field

import pytest

from cop_kb.graph import drawing, layout, neighbourhood
from cop_kb.graph.drawing import COLOURS, type_styles
from cop_kb.graph.layout import NODE_GAP, Sector, radial_layout
from cop_kb.records.link_groups import LinkGroup
from cop_kb.records.link_pages import BACKLINKS_SHOWN
from cop_kb.records.registry import record_models


def sectors_of(*sizes: int) -> list[Sector]:
    keys = iter(range(1, 10_000))
    return [
        Sector(f"relation {number}", tuple(("t", next(keys)) for _ in range(size))) for number, size in enumerate(sizes)
    ]


def distance(one, two) -> float:
    return math.hypot(one.x - two.x, one.y - two.y)


@pytest.mark.parametrize("sizes", [(1,), (3, 1, 2), (24,), (50, 50, 50, 50, 50, 49)])
def test_no_two_nodes_of_a_ring_are_closer_than_the_gap(sizes):
    placed = radial_layout(("t", 0), sectors_of(*sizes))

    points = list(placed.points.values())
    assert len(points) == sum(sizes) + 1
    closest = min(distance(one, two) for i, one in enumerate(points) for two in points[i + 1 :])
    assert closest >= NODE_GAP * 0.99


def test_each_relation_holds_one_unbroken_sector_clockwise_from_the_top():
    sectors = sectors_of(3, 5, 2)
    placed = radial_layout(("t", 0), sectors)

    angles = [placed.points[key].angle for sector in sectors for key in sector.keys]
    assert angles == sorted(angles), "nodes run clockwise, relation after relation"
    assert angles[0] < -math.pi / 2 + 2 * math.pi / 10, "the first relation starts at the top"
    assert [text for text, *_rest in placed.relation_labels] == ["relation 0", "relation 1", "relation 2"]


def test_the_same_neighbourhood_is_always_drawn_the_same():
    first = radial_layout(("t", 0), sectors_of(4, 7), {("t", 1): sectors_of(3)})
    second = radial_layout(("t", 0), sectors_of(4, 7), {("t", 1): sectors_of(3)})

    assert first == second


def test_a_second_step_sits_further_out_within_its_parent_sector():
    sectors = sectors_of(6, 6)
    parent = sectors[0].keys[2]
    own = [Sector("theirs", tuple(("u", n) for n in range(5)))]
    placed = radial_layout(("t", 0), sectors, {parent: own})

    first_ring = max(math.hypot(p.x, p.y) for key, p in placed.points.items() if key[0] == "t")
    for key in own[0].keys:
        point = placed.points[key]
        assert math.hypot(point.x, point.y) > first_ring
        assert point.ring == 2
    # Nothing of the second ring lands on a first-ring node.
    for key in own[0].keys:
        assert all(
            distance(placed.points[key], placed.points[other]) >= NODE_GAP * 0.99
            for other in placed.points
            if other != key
        )


def test_the_picture_holds_every_node_and_its_label():
    sectors = sectors_of(10, 10)
    lengths = {key: 28 for sector in sectors for key in sector.keys}
    placed = radial_layout(("t", 0), sectors, title_lengths=lengths)

    left, top, width, height = placed.box
    for key, point in placed.points.items():
        assert left < point.x < left + width and top < point.y < top + height
        label = placed.labels[key]
        reach = lengths.get(key, 0) * layout.CHAR_WIDTH
        end = label.x + (reach if label.anchor == "start" else -reach if label.anchor == "end" else 0)
        assert left <= end <= left + width, "a label would be cut at the picture's edge"


def test_every_record_type_has_its_own_shape_colour_and_fill_and_every_colour_reads_on_white():
    styles = type_styles()

    assert len(styles) == len(record_models())
    assert len({(style.shape, style.colour, style.hollow) for style in styles.values()}) == len(styles)
    assert len({style.shape for style in styles.values()}) >= 7, "types are told apart by shape, not colour alone"
    for colour in COLOURS:
        assert contrast(colour, "#ffffff") >= 4.5, colour


def contrast(one: str, two: str) -> float:
    """WCAG 2.1 contrast ratio of two sRGB colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(one), luminance(two)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# ---- the compact graph's bound ---------------------------------------------------------------------------------


@dataclass
class Stand:
    """A record as link groups hold it (pk, slug, title), of a registered model."""

    pk: int
    title: str
    model: type = field(default_factory=lambda: record_models()[0])

    @property
    def _meta(self):
        return self.model._meta

    def get_absolute_url(self) -> str:
        return f"/stand/{self.pk}/"


def test_the_compact_graph_draws_at_most_its_bound_and_takes_every_relation_in_turn():
    centre = Stand(0, "Centre")
    many = LinkGroup(label="Many", records=[Stand(n, f"Many {n}") for n in range(1, 41)])
    few = LinkGroup(label="Few", records=[Stand(n, f"Few {n}") for n in range(100, 103)], inverse=True)
    more = LinkGroup(label="Lots", records=[Stand(n, f"Lots {n}") for n in range(200, 200 + BACKLINKS_SHOWN)])
    more.more.append(("/all/", BACKLINKS_SHOWN + 70, "things"))

    found = neighbourhood.compact_neighbourhood(centre, [many, few, more])

    assert len(found.records) - 1 == neighbourhood.COMPACT_NODES
    labels = {group.label: len(group.keys) for group in found.groups}
    assert labels["Few"] == 3, "a small relation is not crowded out by a large one"
    assert labels["Many"] > 5 and labels["Lots"] > 5
    loaded = 40 + 3 + BACKLINKS_SHOWN
    assert found.hidden == loaded - neighbourhood.COMPACT_NODES + 70
    assert [group.inverse for group in found.groups] == [False, False, True], "what the record says first"


def test_a_record_linked_twice_is_one_node_named_with_both_relations():
    centre = Stand(0, "Centre")
    other = Stand(1, "Other")
    found = neighbourhood.compact_neighbourhood(
        centre,
        [LinkGroup(label="Cites", records=[other]), LinkGroup(label="Is cited by", records=[other], inverse=True)],
    )

    drawn = drawing.draw(found)

    assert len(drawn.linked) == 1 and len(drawn.edges) == 1
    assert "Cites" in drawn.linked[0].name and "Is cited by" in drawn.linked[0].name
