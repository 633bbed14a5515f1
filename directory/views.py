"""Browse pages shared by every record type: a paginated list and a detail page with links both ways."""

from django.urls import path
from django.views.generic import DetailView, ListView

from .links import link_groups
from .presentation import record_citation, record_facts
from .selectors import records_for_list


class RecordListView(ListView):
    """Every public record of one type, a page at a time; a bad page number is a 404, never a 500."""

    paginate_by = 50
    template_name = "records/record_list.html"

    def get_queryset(self):
        self.record_list = records_for_list(self.model, self.request.GET)
        return self.record_list.queryset

    def get_template_names(self) -> list[str]:
        opts = self.model._meta
        return [f"{opts.app_label}/{opts.model_name}_list.html", self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(opts=self.model._meta, record_list=self.record_list)
        return context


class RecordDetailView(DetailView):
    """One public record with its facts, tags, aliases, sources, links and backlinks, in a fixed number of queries."""

    template_name = "records/record_detail.html"

    def get_queryset(self):
        return self.model.objects.for_detail()

    def get_template_names(self) -> list[str]:
        opts = self.model._meta
        return [f"{opts.app_label}/{opts.model_name}_detail.html", self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        context.update(
            opts=self.model._meta,
            list_url=self.model.get_list_url(),
            facts=record_facts(record),
            link_groups=link_groups(record),
            citation=record_citation(record, self.request.build_absolute_uri(record.get_absolute_url())),
        )
        return context


def record_paths(prefix: str, model, name: str = "") -> list:
    """The list and detail URLs of one record type: ``<prefix>/`` and ``<prefix>/<slug>/``."""
    list_name = f"{name}-list" if name else "list"
    detail_name = f"{name}-detail" if name else "detail"
    return [
        path(f"{prefix}/", RecordListView.as_view(model=model), name=list_name),
        path(f"{prefix}/<slug:slug>/", RecordDetailView.as_view(model=model), name=detail_name),
    ]
