"""The timeline page: a GET form (record types, strategic area) over the dated records, grouped by year."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from cop_kb.records.registry import record_type_by_slug

from .selectors import area_type, timeline, timeline_types


class TimelineForm(forms.Form):
    """The timeline's choices, read from the query string: record types (none chosen: every dated type) and one
    strategic area (none: every record)."""

    type = forms.MultipleChoiceField(
        label=gettext_lazy("Record types"),
        help_text=gettext_lazy("None chosen: every type."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("choose among the record types offered.")},
    )
    # The messages do not repeat the value asked for: an unpublished area's slug answers as one that never existed.
    area = forms.ChoiceField(
        label=gettext_lazy("Strategic area"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("choose one of the areas offered.")},
    )

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {area.slug: area for area in areas}
        self.fields["type"].choices = [(entry.slug, entry.plural) for entry in timeline_types()]
        self.fields["area"].choices = [("", gettext_lazy("Every area"))] + [(a.slug, a.title) for a in areas]

    def choices(self) -> tuple[list, object]:
        """The record types and the strategic area chosen; the defaults (every type, no area) where the query gave
        none or was not valid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        slugs = data.get("type") or []
        types = [record_type_by_slug(slug) for slug in slugs] or timeline_types()
        return types, self.areas.get(data.get("area") or "")


@require_safe
def timeline_page(request):
    """Dated public records by year. A type or area the form does not offer is a 400 that names the field and shows
    the whole timeline."""
    areas_type = area_type()
    areas = list(areas_type.model.objects.public().only("pk", "slug", "title")) if areas_type else []
    form = TimelineForm(request.GET if request.GET else None, areas=areas)
    types, area = form.choices()
    context = {
        "form": form,
        "timeline": timeline(types, area),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "timeline/timeline.html", context, status=status)
