"""The compact relationship graph a detail page shows beside its lists of links: ``{% record_graph %}``."""

from html import escape

from django import template
from django.urls import get_script_prefix
from django.utils.formats import localize
from django.utils.safestring import mark_safe
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


def _text(value) -> str:
    """A text escaped as Django escapes it (``html.escape``), lazy translations included."""
    return escape(str(value))


def _plain(value) -> str:
    """A value as ``{% localize off %}{{ value }}`` writes it, before escaping: numbers unlocalised."""
    return localize(value, use_l10n=False)


@register.simple_tag
def graph_svg(drawing, title, svg_id: str, *, link_centre: bool) -> str:
    """The SVG of ``drawing`` titled ``title``, its ids prefixed ``svg_id``; with ``link_centre`` the centre record
    links to its page too (the explore page). Written here rather than in a template: a graph has a node, an edge
    and a label per linked record, and a template spent some 5 ms on a large record's page resolving their dozen
    values each. Written without ``format_html`` too, as ``{% link_items %}`` is: its checks for lazy text were half
    of a two-step explore page's time (some 18,000 values). Every text goes through ``_text`` (Django's own
    escaping, ``html.escape``); numbers are written by ``_plain``."""
    edges = "".join(
        f'\n    <line class="graph-edge{" graph-cross" if edge.cross else ""}" x1="{_plain(edge.x1)}"'
        f' y1="{_plain(edge.y1)}" x2="{_plain(edge.x2)}" y2="{_plain(edge.y2)}" data-from="{_text(edge.one)}"'
        f' data-to="{_text(edge.two)}"><title>{_text(edge.relation)}</title></line>'
        for edge in drawing.edges
    )
    labels = "".join(
        f'\n    <text class="graph-relation" x="{_plain(label.x)}" y="{_plain(label.y)}" text-anchor="middle"'
        f' data-from="{_text(label.parent)}" data-to="{_text(label.nodes)}">{_text(label.text)}</text>'
        for label in drawing.relation_labels
    )
    svg_id = _text(svg_id)
    nodes = "".join(_node(node, svg_id, link_centre) for node in drawing.nodes)
    return mark_safe(  # noqa: S308 - every value escaped above, in _node or here
        f'<svg class="graph-svg" id="{svg_id}" viewBox="{_text(drawing.view_box)}" width="{_plain(drawing.box[2])}"'
        f' height="{_plain(drawing.box[3])}" role="group" aria-labelledby="{svg_id}-title" data-graph>\n  '
        f'<title id="{svg_id}-title">{_text(title)}</title>\n  <g class="graph-edges" aria-hidden="true">{edges}\n  '
        f'</g>\n  <g class="graph-relations" aria-hidden="true">{labels}\n  </g>\n  <g class="graph-nodes">{nodes}'
        "\n  </g>\n</svg>\n"
    )


@register.simple_tag
def graph_table_rows(rows, *, steps: bool) -> str:
    """The rows of a table of links, (record, step, relation, the record it is linked from) each; with ``steps``
    (the explore page) the last two are columns too, without (a detail page, one step from its record) they go
    without saying. Written here for the reason ``graph_svg`` is: two steps out the table has a row for every record
    drawn and every link between them (some 800), and the template resolving their values took a third of the
    page's time."""
    script_prefix = get_script_prefix()
    return mark_safe("".join(_row(*link, steps, script_prefix) for link in rows))  # noqa: S308 - escaped in _row


def _row(target, step: int, relation: str, source, steps: bool, script_prefix: str) -> str:
    cells = (
        f'\n    <tr><th scope="row"><a href="{_text(target.get_absolute_url(script_prefix))}">'
        f"{_text(target.title)}</a></th>"
        f"<td>{_text(verbose_name(target))}</td><td>{_text(relation)}</td>"
    )
    if not steps:
        return cells + "</tr>"
    linked_from = _text(source.title)
    if step != 1:
        linked_from = f'<a href="{_text(source.get_absolute_url(script_prefix))}">{linked_from}</a>'
    return f"{cells}<td>{linked_from}</td><td>{_plain(step)}</td></tr>"


def _node(node, svg_id: str, link_centre: bool) -> str:
    """One node: a link to the record's page (its label hidden from screen readers, the link naming it), or the
    centre record unlinked. ``svg_id`` comes escaped."""
    linked = node.ring or link_centre
    node_id, place = _text(node.id), f"{_plain(node.x)} {_plain(node.y)}"
    label_at = f"{_plain(node.label_x)} {_plain(node.label_y)}"
    rotate = f' transform="rotate({_plain(node.rotate)} {label_at})"' if node.rotate else ""
    hidden = ' aria-hidden="true"' if linked else ""
    shape = (
        f'\n      <path class="graph-shape" d="{_text(node.path)}" fill="{_text(node.style.fill)}"'
        f' stroke="{_text(node.style.colour)}"/>\n      <text x="{_plain(node.label_x)}" y="{_plain(node.label_y)}"'
        f' text-anchor="{_text(node.anchor)}"{rotate}{hidden}>{_text(node.text)}'
        "</text>\n    "
    )
    if linked:
        return (
            f'\n    <a class="graph-node ring-{_plain(node.ring)}" href="{_text(node.url)}"'
            f' aria-label="{_text(node.name)}" id="{svg_id}-{node_id}" data-node="{node_id}"'
            f' transform="translate({place})">{shape}</a>'
        )
    return (
        f'\n    <g class="graph-node ring-0" id="{svg_id}-{node_id}" data-node="{node_id}"'
        f' transform="translate({place})">{shape}</g>'
    )
