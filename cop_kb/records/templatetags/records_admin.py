"""Template helpers for the admin's own pages."""

from django import template

from .. import admin_views

register = template.Library()


@register.simple_tag(takes_context=True)
def publication_queue(context) -> dict:
    """The newest submissions waiting for a publisher, for the admin home: ``{"rows": [...], "count": n}``."""
    rows, count = admin_views.waiting_for_review(context["request"].user, limit=admin_views.WAITING_ON_HOME)
    return {"rows": rows, "count": count}
