"""The compact relationship graph a detail page shows beside its lists of links: ``{% record_graph %}``."""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .drawing import COMPACT_LABEL_CHARS, draw
from .neighbourhood import compact_neighbourhood
from .views import explore_url

register = template.Library()


@register.inclusion_tag("graph/compact.html", takes_context=True)
def record_graph(context) -> dict:
    """Draw the record on the page and the records its link groups hold (already loaded: no query). A staff
    preview of an unpublished record has no explore page, so it gets no link there."""
    record = context["object"]
    drawing = draw(compact_neighbourhood(record, context["link_groups"]), label_chars=COMPACT_LABEL_CHARS)
    return {
        "object": record,
        "drawing": drawing,
        "title": _("Links of %(title)s") % {"title": record.title},
        "explore_url": "" if context.get("preview") else explore_url(record),
    }


def _value(value) -> str:
    """A value as ``{% localize off %}{{ value }}`` writes it: numbers unlocalised, text escaped."""
    return conditional_escape(localize(value, use_l10n=False))


@register.simple_tag
def graph_svg(drawing, title, svg_id: str, *, link_centre: bool) -> str:
    """The SVG of ``drawing`` titled ``title``, its ids prefixed ``svg_id``; with ``link_centre`` the centre record
    links to its page too (the explore page). Written here rather than in a template: a graph has a node, an edge
    and a label per linked record, and a template spent some 5 ms on a large record's page resolving their dozen
    values each, where this takes a fraction of that."""
    out = [
        f'<svg class="graph-svg" id="{_value(svg_id)}" viewBox="{_value(drawing.view_box)}" '
        f'width="{_value(drawing.box[2])}" height="{_value(drawing.box[3])}" role="group" '
        f'aria-labelledby="{_value(svg_id)}-title" data-graph>\n'
        f'  <title id="{_value(svg_id)}-title">{_value(title)}</title>\n'
        '  <g class="graph-edges" aria-hidden="true">'
    ]
    for edge in drawing.edges:
        cross = " graph-cross" if edge.cross else ""
        out.append(
            f'\n    <line class="graph-edge{cross}" x1="{_value(edge.x1)}" y1="{_value(edge.y1)}" '
            f'x2="{_value(edge.x2)}" y2="{_value(edge.y2)}" data-from="{_value(edge.one)}" '
            f'data-to="{_value(edge.two)}"><title>{_value(edge.relation)}</title></line>'
        )
    out.append('\n  </g>\n  <g class="graph-relations" aria-hidden="true">')
    for label in drawing.relation_labels:
        out.append(
            f'\n    <text class="graph-relation" x="{_value(label.x)}" y="{_value(label.y)}" text-anchor="middle" '
            f'data-from="{_value(label.parent)}" data-to="{_value(label.nodes)}">{_value(label.text)}</text>'
        )
    out.append('\n  </g>\n  <g class="graph-nodes">')
    for node in drawing.nodes:
        linked = node.ring or link_centre
        node_id, place = _value(node.id), f"{_value(node.x)} {_value(node.y)}"
        if linked:
            start = (
                f'<a class="graph-node ring-{_value(node.ring)}" href="{_value(node.url)}" '
                f'aria-label="{_value(node.name)}" id="{_value(svg_id)}-{node_id}" data-node="{node_id}" '
                f'transform="translate({place})">'
            )
        else:
            start = (
                f'<g class="graph-node ring-0" id="{_value(svg_id)}-{node_id}" data-node="{node_id}" '
                f'transform="translate({place})">'
            )
        label_at = f"{_value(node.label_x)} {_value(node.label_y)}"
        rotate = f' transform="rotate({_value(node.rotate)} {label_at})"' if node.rotate else ""
        hidden = ' aria-hidden="true"' if linked else ""
        out.append(
            f"\n    {start}\n"
            f'      <path class="graph-shape" d="{_value(node.path)}" fill="{_value(node.style.fill)}" '
            f'stroke="{_value(node.style.colour)}"/>\n'
            f'      <text x="{_value(node.label_x)}" y="{_value(node.label_y)}" text-anchor="{_value(node.anchor)}"'
            f"{rotate}{hidden}>{_value(node.text)}</text>\n"
            f"    {'</a>' if linked else '</g>'}"
        )
    out.append("\n  </g>\n</svg>\n")
    return mark_safe("".join(out))  # noqa: S308 -- every value above is escaped by _value
