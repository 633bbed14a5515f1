"""The compact relationship graph a detail page shows beside its lists of links: ``{% record_graph %}``."""

from django import template
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from cop_kb.records.templatetags.records import verbose_name

from .drawing import COMPACT_LABEL_CHARS, draw
from .neighbourhood import compact_neighbourhood
from .views import explore_url

register = template.Library()


@register.inclusion_tag("graph/compact.html", takes_context=True)
def record_graph(context) -> dict:
    """Draw the record on the page and the records its link groups hold (already loaded: no query). A staff
    preview of an unpublished record has no explore page, so it gets no link there."""
    record = context["object"]
    found = compact_neighbourhood(record, context["link_groups"])
    return {
        "object": record,
        "drawing": draw(found, label_chars=COMPACT_LABEL_CHARS),
        "rows": found.rows(),
        "title": _("Links of %(title)s") % {"title": record.title},
        "explore_url": "" if context.get("preview") else explore_url(record),
    }


def _plain(value) -> str:
    """A value as ``{% localize off %}{{ value }}`` writes it, before escaping: numbers unlocalised."""
    return localize(value, use_l10n=False)


@register.simple_tag
def graph_svg(drawing, title, svg_id: str, *, link_centre: bool) -> str:
    """The SVG of ``drawing`` titled ``title``, its ids prefixed ``svg_id``; with ``link_centre`` the centre record
    links to its page too (the explore page). Written here rather than in a template: a graph has a node, an edge
    and a label per linked record, and a template spent some 5 ms on a large record's page resolving their dozen
    values each, where this takes a fraction of that. Every value goes through ``format_html``, which escapes it."""
    edges = format_html_join(
        "",
        '\n    <line class="graph-edge{}" x1="{}" y1="{}" x2="{}" y2="{}" data-from="{}" data-to="{}">'
        "<title>{}</title></line>",
        (
            (
                " graph-cross" if edge.cross else "",
                *map(_plain, (edge.x1, edge.y1, edge.x2, edge.y2, edge.one, edge.two)),
                edge.relation,
            )
            for edge in drawing.edges
        ),
    )
    labels = format_html_join(
        "",
        '\n    <text class="graph-relation" x="{}" y="{}" text-anchor="middle" data-from="{}" data-to="{}">{}</text>',
        (
            (*map(_plain, (label.x, label.y, label.parent, label.nodes)), label.text)
            for label in drawing.relation_labels
        ),
    )
    nodes = format_html_join("", "{}", ((_node(node, svg_id, link_centre),) for node in drawing.nodes))
    return format_html(
        '<svg class="graph-svg" id="{}" viewBox="{}" width="{}" height="{}" role="group" aria-labelledby="{}-title"'
        ' data-graph>\n  <title id="{}-title">{}</title>\n  <g class="graph-edges" aria-hidden="true">{}\n  </g>'
        '\n  <g class="graph-relations" aria-hidden="true">{}\n  </g>\n  <g class="graph-nodes">{}\n  </g>\n</svg>\n',
        svg_id,
        drawing.view_box,
        _plain(drawing.box[2]),
        _plain(drawing.box[3]),
        svg_id,
        svg_id,
        title,
        edges,
        labels,
        nodes,
    )


@register.simple_tag
def graph_table_rows(rows, *, steps: bool) -> str:
    """The rows of a table of links, (record, step, relation, the record it is linked from) each; with ``steps``
    (the explore page) the last two are columns too, without (a detail page, one step from its record) they go
    without saying. Written here for the reason ``graph_svg`` is: two steps out the table has a row for every record
    drawn and every link between them (some 800), and the template resolving their values took a third of the
    page's time."""
    row = '\n    <tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td>' + ("<td>{}</td><td>{}</td>" if steps else "")
    return format_html_join("", row + "</tr>", (_cells(*link, steps) for link in rows))


def _cells(target, step: int, relation: str, source, steps: bool) -> tuple:
    cells = (target.get_absolute_url(), target.title, verbose_name(target), relation)
    if not steps:
        return cells
    linked_from = (
        source.title if step == 1 else format_html('<a href="{}">{}</a>', source.get_absolute_url(), source.title)
    )
    return (*cells, linked_from, _plain(step))


def _node(node, svg_id: str, link_centre: bool) -> str:
    """One node: a link to the record's page (its label hidden from screen readers, the link naming it), or the
    centre record unlinked."""
    linked = node.ring or link_centre
    node_id, place = _plain(node.id), f"{_plain(node.x)} {_plain(node.y)}"
    label_at = f"{_plain(node.label_x)} {_plain(node.label_y)}"
    rotate = format_html(' transform="rotate({} {})"', _plain(node.rotate), label_at) if node.rotate else ""
    shape = format_html(
        '\n      <path class="graph-shape" d="{}" fill="{}" stroke="{}"/>\n      <text x="{}" y="{}" text-anchor="{}"{}'
        + (' aria-hidden="true"' if linked else "")
        + ">{}</text>\n    ",
        node.path,
        node.style.fill,
        node.style.colour,
        _plain(node.label_x),
        _plain(node.label_y),
        node.anchor,
        rotate,
        node.text,
    )
    if linked:
        return format_html(
            '\n    <a class="graph-node ring-{}" href="{}" aria-label="{}" id="{}-{}" data-node="{}" '
            'transform="translate({})">{}</a>',
            _plain(node.ring),
            node.url,
            node.name,
            svg_id,
            node_id,
            node_id,
            place,
            shape,
        )
    return format_html(
        '\n    <g class="graph-node ring-0" id="{}-{}" data-node="{}" transform="translate({})">{}</g>',
        svg_id,
        node_id,
        node_id,
        place,
        shape,
    )
