"""Editorial views across every record type: what is due for review, and what is incomplete."""

import datetime
from dataclasses import dataclass, field

from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .body_links import records_linking_to_hidden
from .links import link_lookups
from .models import Record
from .registry import record_models

ROWS_PER_TYPE = 100


@dataclass
class RecordGroup:
    label: str
    count: int
    rows: list[dict] = field(default_factory=list)


def _viewable_models(user) -> list[type[Record]]:
    return [m for m in record_models() if user.has_perm(f"{m._meta.app_label}.view_{m._meta.model_name}")]


def _change_url(record) -> str:
    """The record's admin page; "" for a record type with no admin (yet): the report lists it all the same."""
    opts = record._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    except NoReverseMatch:
        return ""


def _due_filter(model, today: datetime.date) -> Q:
    """Never verified, or verified longer ago than the record's own review interval."""
    due = Q(last_verified_on__isnull=True)
    for interval in model.objects.order_by().values_list("review_interval_days", flat=True).distinct():
        cutoff = today - datetime.timedelta(days=interval)
        due |= Q(review_interval_days=interval, last_verified_on__lte=cutoff)
    return due


def _groups(request, build) -> list[RecordGroup]:
    groups = []
    for model in _viewable_models(request.user):
        queryset, describe = build(model)
        count = queryset.count()
        if count:
            rows = [{"record": r, "url": _change_url(r), "note": describe(r)} for r in queryset[:ROWS_PER_TYPE]]
            groups.append(RecordGroup(label=capfirst(model._meta.verbose_name_plural), count=count, rows=rows))
    return groups


def review_queue(request):
    """Records due to be checked against their sources, oldest verification first."""
    today = timezone.localdate()

    def build(model):
        queryset = model.objects.filter(_due_filter(model, today)).order_by("last_verified_on", "title")

        def describe(record) -> str:
            if record.last_verified_on is None:
                return str(_("never verified"))
            return str(_("last verified on %(date)s") % {"date": record.last_verified_on.isoformat()})

        return queryset, describe

    context = {
        **admin.site.each_context(request),
        "title": _("Records due for review"),
        "groups": _groups(request, build),
        "intro": _("Records never verified, or last verified longer ago than their review interval."),
    }
    return TemplateResponse(request, "admin/directory/record_report.html", context)


def data_quality(request):
    """Records missing what makes them useful (any link, any source, or a summary), or whose bodies link to records
    that are not public (shown as text until those are published)."""

    def build(model):
        # Each condition is its own subquery: one query with every link joined and OR-ed would need DISTINCT
        # over a cross product of joins, which is slow on PostgreSQL.
        no_links = model.objects.all()
        for lookup in link_lookups(model):
            no_links = no_links.filter(**{f"{lookup}__isnull": True})
        no_source = model.objects.filter(sources__isnull=True)
        hidden_links = records_linking_to_hidden(model)
        incomplete = (
            Q(pk__in=no_links.values("pk"))
            | Q(pk__in=no_source.values("pk"))
            | Q(summary="")
            | Q(pk__in=hidden_links.keys())
        )
        # What each row lacks comes with the row, so the page runs a fixed number of queries per record type.
        queryset = (
            model.objects.filter(incomplete)
            .annotate(
                linkless=ExpressionWrapper(Q(pk__in=no_links.values("pk")), output_field=BooleanField()),
                sourceless=ExpressionWrapper(Q(pk__in=no_source.values("pk")), output_field=BooleanField()),
            )
            .order_by("title")
        )

        def describe(record) -> str:
            problems = []
            if not record.summary:
                problems.append(str(_("no summary")))
            if record.sourceless:
                problems.append(str(_("no source")))
            if record.linkless:
                problems.append(str(_("no links")))
            if record.pk in hidden_links:
                problems.append(
                    str(_("body links to records that are not public (%(addresses)s)"))
                    % {"addresses": ", ".join(hidden_links[record.pk])}
                )
            return ", ".join(problems)

        return queryset, describe

    context = {
        **admin.site.each_context(request),
        "title": _("Data quality"),
        "groups": _groups(request, build),
        "intro": _(
            "Records with no links, no source or no summary, or whose bodies link to records that are not public."
        ),
    }
    return TemplateResponse(request, "admin/directory/record_report.html", context)
