from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.generic import ListView

from cop_kb.records.registry import record_type_by_slug

from .selectors import coverage_matrix, coverage_types, unlinked_records


@require_safe
def coverage(request):
    """Strategic areas × every record type a list narrows by area: where work exists, where there is none, and
    which records are linked to no area."""
    found = coverage_matrix()
    columns = [model._meta for model in found.types]
    return render(request, "programmes/coverage.html", {"coverage": found, "columns": columns})


class UnlinkedView(ListView):
    """Every public record of one covered type that is linked to no strategic area, a page at a time. A type the
    coverage page does not cover, or a bad page number, is a 404."""

    paginate_by = 100
    template_name = "programmes/coverage_unlinked.html"

    def get_queryset(self):
        entry = record_type_by_slug(self.kwargs["kind"])
        if entry is None or entry.model not in coverage_types():
            raise Http404("The coverage page does not cover that record type.")
        self.opts = entry.model._meta
        return unlinked_records(entry.model).only("pk", "slug", "title", "status")

    def get_context_data(self, **kwargs):
        return super().get_context_data(opts=self.opts, **kwargs)
