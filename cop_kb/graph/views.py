"""The explore page: a larger graph around one record, one or two steps out, narrowed to chosen record types."""

from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from cop_kb.records.registry import record_type_by_slug, record_type_of, record_types
from cop_kb.records.views import former_slug_target

from .drawing import draw
from .neighbourhood import EXPLORE_NODES, SECOND_STEP_FROM, explore_neighbourhood


class ExploreForm(forms.Form):
    """The explore page's choices, read from the query string: how far to go and which record types to show (none
    chosen: every type)."""

    depth = forms.TypedChoiceField(
        label=gettext_lazy("Steps from the record"),
        choices=[(1, gettext_lazy("1: its own links")), (2, gettext_lazy("2: and their links"))],
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
    )
    type = forms.MultipleChoiceField(
        label=gettext_lazy("Record types to show"),
        help_text=gettext_lazy("None chosen: every type."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(entry.slug, entry.plural) for entry in record_types()]

    def choices(self) -> tuple[int, set]:
        """The depth and the record models chosen; the defaults (1, every type) where the query gave none or was
        not valid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        slugs = data.get("type") or [entry.slug for entry in record_types()]
        return data.get("depth") or 1, {record_type_by_slug(slug).model for slug in slugs}


def explore_url(record) -> str:
    """The explore page of ``record``: ``/explore/instruments/crc/``."""
    entry = record_type_of(record._meta.label_lower)
    return reverse("graph:explore", kwargs={"type_slug": entry.slug, "slug": record.slug})


@require_safe
def explore(request, type_slug: str, slug: str):
    """A record's neighbourhood as a graph, with a table of the same links. An unknown type or record is a 404
    (a former slug redirects); a depth or type the form does not offer is a 400 that says what is wrong and shows the
    graph as it is by default."""
    entry = record_type_by_slug(type_slug)
    if entry is None:
        raise Http404(_("No such record type."))
    record = entry.model.objects.public().filter(slug=slug).only("pk", "slug", "title", "status").first()
    if record is None:
        moved = former_slug_target(entry.model, slug)
        if moved is None:
            raise Http404(_("No such record."))
        query = f"?{urlencode(request.GET, doseq=True)}" if request.GET else ""
        return HttpResponsePermanentRedirect(explore_url(moved) + query)
    form = ExploreForm(request.GET if request.GET else None, initial={"depth": 1})
    depth, types = form.choices()
    found = explore_neighbourhood(record, depth=depth, types=types)
    context = {
        "object": record,
        "opts": entry.model._meta,
        "list_url": entry.list_url(),
        "form": form,
        "depth": depth,
        "drawing": draw(found),
        "title": _("Links of %(title)s, %(depth)s step(s) out") % {"title": record.title, "depth": depth},
        "rows": found.rows(),
        "limits": {"nodes": EXPLORE_NODES, "second_from": SECOND_STEP_FROM},
        "second_cut": depth == 2 and len({key for group in found.groups for key in group.keys}) > SECOND_STEP_FROM,
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "graph/explore.html", context, status=status)
