"""Editorial views across every record type: what waits for a publisher, what is due for review, what is incomplete."""

import datetime
from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, DateTimeField, ExpressionWrapper, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .audit import submissions_of
from .body_links import records_linking_to_hidden
from .links import link_lookups
from .models import PendingChange, Record, Status
from .registry import record_models, record_type_of

ROWS_PER_TYPE = 100
# The admin home shows this many of the newest submissions; the rest are on the full list.
WAITING_ON_HOME = 50


@dataclass
class RecordGroup:
    label: str
    count: int
    rows: list[dict] = field(default_factory=list)


def _viewable_models(user) -> list[type[Record]]:
    return [m for m in record_models() if user.has_perm(f"{m._meta.app_label}.view_{m._meta.model_name}")]


def change_url(record) -> str:
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
            rows = [{"record": r, "url": change_url(r), "note": describe(r)} for r in queryset[:ROWS_PER_TYPE]]
            groups.append(RecordGroup(label=capfirst(model._meta.verbose_name_plural), count=count, rows=rows))
    return groups


@dataclass(frozen=True)
class Waiting:
    """One submission waiting for a publisher: a record in review, or a published record's submitted changes."""

    title: str
    type_name: str
    url: str
    changes: bool
    submitted_by: str
    submitted_at: datetime.datetime | None


# Where a record in review with no known submission sorts: after every submission.
_NEVER = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def waiting_for_review(user, *, limit: int | None = WAITING_ON_HOME) -> tuple[list[Waiting], int]:
    """What waits for a publisher across every record type ``user`` may see, newest submission first: records in
    review, and published records whose saved changes were submitted. Returns the first ``limit`` (all for None) and
    how many there are in all.

    Records in review come from one query over every type (a UNION), each with its latest submission from the audit
    trail; one put in review without one (by an import or the loader) comes last, with no one named.
    """
    models = _viewable_models(user)
    if not models:
        return [], 0
    types = ContentType.objects.get_for_models(*models)
    parts = []
    for model in models:
        submissions = submissions_of(types[model])
        submitted_at = Subquery(submissions.values("at")[:1])
        parts.append(
            model.objects.filter(status=Status.IN_REVIEW)
            .order_by()
            .annotate(
                type_id=Value(types[model].pk),
                submitted_at=submitted_at,
                submitted_by=Subquery(submissions.values("username")[:1]),
                sort_at=Coalesce(submitted_at, Value(_NEVER, output_field=DateTimeField())),
            )
            .values("pk", "title", "type_id", "submitted_at", "submitted_by", "sort_at")
        )
    in_review = parts[0].union(*parts[1:], all=True).order_by("-sort_at", "title")
    changes = PendingChange.objects.filter(submitted_at__isnull=False, content_type__in=types.values()).order_by(
        "-submitted_at"
    )
    count = in_review.count() + changes.count()
    if limit is not None:
        in_review, changes = in_review[:limit], changes[:limit]
    models_by_type = {content_type.pk: model for model, content_type in types.items()}
    rows = [
        _waiting(models_by_type[row["type_id"]], row["pk"], row["title"], row["submitted_by"], row["submitted_at"])
        for row in in_review
    ]
    for change in changes.select_related("changed_by").prefetch_related("record"):
        if change.record is not None:
            by = change.changed_by.get_username() if change.changed_by else ""
            record = change.record
            rows.append(_waiting(type(record), record.pk, record.title, by, change.submitted_at, changes=True))
    rows.sort(key=lambda row: row.submitted_at or _NEVER, reverse=True)
    return rows[:limit], count


def _waiting(model, pk: int, title: str, by: str | None, at, *, changes: bool = False) -> Waiting:
    return Waiting(
        title=title,
        type_name=str(record_type_of(model._meta.label_lower).name),
        url=change_url(model(pk=pk)),
        changes=changes,
        submitted_by=by or "",
        submitted_at=at,
    )


def waiting_list(request):
    """Every submission waiting for a publisher (the admin home shows the newest)."""
    rows, count = waiting_for_review(request.user, limit=None)
    context = {
        **admin.site.each_context(request),
        "title": _("Waiting for review"),
        "waiting": rows,
        "waiting_count": count,
    }
    return TemplateResponse(request, "admin/directory/waiting_for_review.html", context)


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
