"""Browse pages shared by every record type: a paginated list and a detail page with links both ways."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from .briefs import brief_groups, brief_url, has_brief
from .citations import bibtex, citation_entry, file_address, record_citation, ris
from .facets import FacetOption, query_url
from .link_groups import link_groups, link_select_related
from .link_pages import load_link_groups, load_links, relation_records
from .models import Record, SlugHistory
from .own_rows import with_own_rows
from .pending import pending_change_for
from .presentation import record_aliases, record_facts
from .registry import record_model_at
from .selectors import facet_values, records_for_list
from .snapshots import Snapshot, snapshot_shown


class RecordListView(ListView):
    """Every public record of one type, a page at a time; a bad page number is a 404, never a 500."""

    paginate_by = 50
    template_name = "records/record_list.html"

    def get_queryset(self):
        self.record_list = records_for_list(self.model, self.request.GET)
        return self.record_list.queryset

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # Only the list page itself has its ``record_list`` (a CSV export pages its own records to check a number).
        record_list = getattr(self, "record_list", None)
        if record_list is not None and record_list.total is not None:
            # Unfiltered, the kept counts say how many there are: no count over every public record (2.9 ms for
            # 33,000 programmes on PostgreSQL, against 0.2 ms).
            paginator.count = record_list.total
        return paginator

    def get_template_names(self) -> list[str]:
        opts = self.model._meta
        return [f"{opts.app_label}/{opts.model_name}_list.html", self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(opts=self.model._meta, record_list=self.record_list)
        return context


class RecordFacetView(ListView):
    """Every value of one facet of a list, with its count, keeping the list's filters; a page at a time.

    A list shows only each facet's most used values; this page is where its "show all" link leads. An unknown
    facet or a bad page number is a 404.
    """

    paginate_by = 100
    template_name = "records/facet_values.html"

    def get_queryset(self):
        try:
            self.values = facet_values(self.model, self.kwargs["param"], self.request.GET)
        except LookupError as exc:
            raise Http404("This list has no such filter.") from exc
        return self.values.rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params, param, values = self.request.GET, self.kwargs["param"], self.values
        list_url = self.model.get_list_url()
        options = []
        for value, label, count in context["object_list"]:
            selected = value == values.chosen
            url = list_url + query_url(params, **{param: None if selected else value})
            label = values.facet.label_of(self.model, value, label)
            options.append(FacetOption(value=value, label=label, count=count, url=url, selected=selected))
        context.update(
            opts=self.model._meta,
            list_url=list_url,
            back_url=list_url + query_url(params),
            facet_title=values.title,
            options=options,
            notices=values.notices,
        )
        return context


class _RecordPage(DetailView):
    """One public record, with its single links, tags, aliases and sources."""

    def get_queryset(self):
        return self.model.objects.for_page()

    def get_object(self, queryset=None):
        return with_own_rows(super().get_object(queryset))


class RecordDetailView(_RecordPage):
    """One public record with its facts, tags, aliases, sources, links and backlinks, in a fixed number of queries."""

    template_name = "records/record_detail.html"
    # Backlinks (their accessor names) this type's page shows in a section of its own, not in the lists of links: a
    # topic's strategic areas, with the editors' basis. The graph still draws them.
    shown_apart: tuple[str, ...] = ()

    def get_template_names(self) -> list[str]:
        opts = self.model._meta
        return [f"{opts.app_label}/{opts.model_name}_detail.html", self.template_name]

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A renamed record keeps its old address: redirect permanently to where it lives now.
            record = former_slug_target(self.model, kwargs["slug"])
            if record is None:
                raise
            return HttpResponsePermanentRedirect(record.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        loaded = load_links(record)  # one query: the first links of each relation, for the facts and the groups
        groups = load_link_groups(record, loaded)
        apart = {str(self.model._meta.get_field(name).field.inverse_label) for name in self.shown_apart}
        context.update(
            record_page_context(self.request, record, loaded),
            link_groups=groups,
            listed_groups=[group for group in groups if not (group.inverse and group.label in apart)],
            brief_url=brief_url(record),
        )
        return context


def record_page_context(request, record, loaded) -> dict:
    """What a record's detail page and its brief both show of it: its type, list, facts and citation; its facts'
    links read from what ``load_links`` ``loaded``."""
    model = type(record)
    facts = record_facts(record, loaded)
    return {
        "opts": model._meta,
        "list_url": model.get_list_url(),
        "facts": facts,
        "aliases": record_aliases(record, facts),
        "citation": record_citation(record, request.build_absolute_uri(record.get_absolute_url())),
    }


class RecordBriefView(_RecordPage):
    """A printable brief of one public record: its facts, everything public linked to it grouped by kind of record
    (each group bounded and counted), its sources, the date and a citation; in the detail page's queries. An unknown
    or unpublished record is a 404."""

    template_name = "records/record_brief.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        loaded = load_links(record)
        context.update(
            record_page_context(self.request, record, loaded),
            groups=brief_groups(record, loaded),
            # Printed link targets must work on paper: every address on the brief is absolute.
            site_root=self.request.build_absolute_uri("/").removesuffix("/"),
            prepared=timezone.localdate(),
        )
        return context


class RecordLinksView(ListView):
    """Every public record one relation of a record leads to, a page at a time: where a detail page's "Show all"
    link leads when a group has more records than it shows. An unknown record, relation or kind of link, or a bad
    page number, is a 404."""

    paginate_by = 100
    template_name = "records/record_links.html"

    def get_queryset(self):
        self.record = self.model.objects.public().filter(slug=self.kwargs["slug"]).first()
        if self.record is None:
            raise Http404("No such record.")
        try:
            self.relation = relation_records(self.record, self.kwargs["relation"], self.request.GET.get("kind", ""))
        except LookupError as exc:
            raise Http404("This record has no such links.") from exc
        shown = self.relation.records.only("pk", "slug", "title", "status")
        return shown.annotate(subtitle=self.relation.model.subtitle_expression())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # As on the record's page: no short name that only repeats the record's own (its articles' "CRC").
        own_names = self.record.own_names()
        for linked in context["object_list"]:
            if linked.subtitle in own_names:
                linked.subtitle = ""
        context.update(
            opts=self.model._meta, record=self.record, relation=self.relation, target_opts=self.relation.model._meta
        )
        return context


def record_paths(prefix: str, model, name: str = "", detail_view: type[RecordDetailView] = RecordDetailView) -> list:
    """The list, facet and detail URLs of one record type: ``<prefix>/``, ``<prefix>/facets/<param>/`` (every
    value of one facet), ``<prefix>/<slug>/``, ``<prefix>/<slug>/links/<relation>/`` (every record one relation
    of a record leads to) and, for types whose registry entry declares one, ``<prefix>/<slug>/brief/``. A type
    whose page shows more than its links gives its own ``detail_view``."""
    list_name = f"{name}-list" if name else "list"
    facet_name = f"{name}-facet" if name else "facet"
    detail_name = f"{name}-detail" if name else "detail"
    links_name = f"{name}-links" if name else "links"
    brief_name = f"{name}-brief" if name else "brief"
    briefs = [path(f"{prefix}/<slug:slug>/brief/", RecordBriefView.as_view(model=model), name=brief_name)]
    return [
        path(f"{prefix}/", RecordListView.as_view(model=model), name=list_name),
        path(f"{prefix}/facets/<slug:param>/", RecordFacetView.as_view(model=model), name=facet_name),
        path(f"{prefix}/<slug:slug>/", detail_view.as_view(model=model), name=detail_name),
        path(f"{prefix}/<slug:slug>/links/<slug:relation>/", RecordLinksView.as_view(model=model), name=links_name),
        *(briefs if has_brief(model) else []),
    ]


# Each citation file: how it is written, its media type (the ones reference managers register for), its line ends.
CITATION_FILES = {
    "bib": (bibtex, "application/x-bibtex; charset=utf-8"),
    "ris": (ris, "application/x-research-info-systems; charset=utf-8"),
}


@require_safe
def record_citation_file(request, slug: str, extension: str):
    """The citation of the record whose page is this address without ``.bib`` / ``.ris``, as a BibTeX or RIS file
    to download: the document it is (an instrument), or else its page. Unknown and unpublished records are a 404,
    like their pages; a former slug redirects."""
    model = record_model_at(request.path.removesuffix(f".{extension}") + "/", slug)
    if model is None:
        raise Http404
    record = model.objects.public().select_related(*link_select_related(model)).filter(slug=slug).first()
    if record is None:
        renamed = former_slug_target(model, slug)
        if renamed is None:
            raise Http404
        return HttpResponsePermanentRedirect(file_address(renamed, extension))
    write, content_type = CITATION_FILES[extension]
    entry = citation_entry(record, request.build_absolute_uri(record.get_absolute_url()))
    response = HttpResponse(write(entry).encode(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{record.slug}.{extension}"'
    return response


def former_slug_target(model, slug: str):
    """The public record that used to be at ``slug``, if any."""
    history = SlugHistory.objects.filter(content_type=ContentType.objects.get_for_model(model), slug=slug).first()
    if history is None:
        return None
    return model.objects.public().filter(pk=history.object_id).first()


@never_cache
@staff_member_required
def record_preview(request, content_type_id: int, pk: int):
    """A record's page as it would look published, for staff who may view it; never cached, never indexed."""
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None or not issubclass(model, Record):
        raise Http404
    opts = model._meta
    if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        raise Http404
    record = model.objects.filter(pk=pk).first()
    if record is None:
        raise Http404
    change = pending_change_for(record) if record.is_public else None
    if change is not None:
        # Published with changes waiting for review: preview the record as publishing them would make it.
        try:
            with snapshot_shown(Snapshot.from_json(change.snapshot), status=record.status):
                return _preview_page(request, model.objects.with_links().get(pk=pk), pending=True)
        except ValidationError:
            pass  # The changes no longer fit the record (its admin page says so): preview it as published.
    return _preview_page(request, model.objects.with_links().get(pk=pk))


def _preview_page(request, record: Record, *, pending: bool = False):
    opts = record._meta
    model = type(record)
    facts = record_facts(record)
    context = {
        "object": record,
        "opts": opts,
        "list_url": model.get_list_url(),
        "facts": facts,
        "aliases": record_aliases(record, facts),
        "link_groups": link_groups(record),
        "citation": None,
        "preview": True,
        "preview_pending": pending,
    }
    response = render(
        request, [f"{opts.app_label}/{opts.model_name}_detail.html", RecordDetailView.template_name], context
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
