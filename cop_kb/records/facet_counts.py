"""Facet counts kept by the database, so an unfiltered list's facets cost the same at any number of records.

``FacetCount`` holds, for every record type and list facet, how many public records have each value: a choice's
stored text (``value``), or a linked record's or tag's primary key (``target``). Whether a linked record is public,
and its slug and title, are read when the list is shown, so publishing or renaming an organisation changes no count.
Beside them, under the facet name ``EVERY`` (no facet's URL parameter is empty), how many public records each type
has: the home page's figures, which counting read every record of every type (at 100,000 records on PostgreSQL,
56 of the home page's 95 ms).

Row triggers on every table a count depends on keep them current in the writing transaction, whoever writes: the
write path, the admin, an import, the demo-data generator, a bulk update, the shell. A record's own table adds or
takes away its values when it is inserted, deleted, or updated in its status or a counted column; a many-to-many
through table (and taggit's tagged items) does the same for one link of a public record. A deleted record and its
links agree in either order: whichever row goes first takes the link's count away, the other finds nothing left.

The triggers are generated from the registry and each type's list facets, and (re)installed after every ``migrate``
together with a rebuild of every count (``install_facet_counts``), so a new record type or facet is counted from
then on. ``manage.py facet_counts`` rebuilds them by hand, ``--check`` compares them with a fresh count.
"""

from collections import Counter

from django.db import connections, models, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from .batch import prepared_rows
from .facets import COUNT, LABEL, VALUE, ChoiceFacet, named_field, placed
from .registry import record_models

TRIGGER_PREFIX = "facet_counts"
# The facet name of a type's count of every public record.
EVERY = ""


class FacetCount(models.Model):
    """How many public records of one type have one value of one facet."""

    record_type = models.CharField(max_length=100)  # the registry's label, ``instruments.instrument``
    facet = models.CharField(max_length=50)  # the facet's URL parameter
    value = models.CharField(max_length=100, blank=True)  # a choice's stored text; "" for a link
    target = models.BigIntegerField(default=0)  # a linked record's or tag's primary key; 0 for a choice
    records = models.IntegerField(default=0)

    class Meta:
        app_label = "directory"
        verbose_name = _("facet count")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["record_type", "facet", "value", "target"], name="facet_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.facet}={self.value or self.target}: {self.records}"


def _facets(model) -> tuple:
    from .selectors import list_facets

    return list_facets(model)


def kept_grouped(model, facet) -> models.QuerySet:
    """The kept counts of ``facet`` over every public record of ``model``: the rows ``facet.grouped`` counts over
    ``model.objects.public()``, (value, label, count, place) each, unordered."""
    kept = FacetCount.objects.filter(record_type=model._meta.label_lower, facet=facet.param, records__gt=0)
    if isinstance(facet, ChoiceFacet):
        return placed(kept.values(**{VALUE: F("value"), LABEL: F("value"), COUNT: F("records")}), facet.value_order())
    # Read from the public linked records (a draft or withdrawn one is not offered, as in a fresh count), each with
    # its kept count found by the count's key: its place in its type's order is then read from its own columns.
    # The records with a count are chosen by IN, which the databases answer from one pass over the counts, not by
    # looking the count up for every record of the linked type (an organisation facet: 12,000 at 100,000 records).
    linked = kept.filter(value="")
    records = linked.filter(target=OuterRef("pk")).values("records")[:1]
    targets = facet.public_targets(model).order_by().filter(pk__in=linked.values("target"))
    rows = targets.annotate(**{COUNT: Subquery(records)}).values(
        COUNT, **{VALUE: F("slug"), LABEL: F(named_field(targets.model))}
    )
    return placed(rows, facet.value_order(model))


def kept_link_counts(model, path: str) -> models.QuerySet | None:
    """``(linked record's pk, public records of model linking to it)`` rows for the link ``path`` of ``model``, from
    the kept counts when one of its list facets counts that link (None when none does), so a page that counts
    links per linked record (the world map) reads a row per linked record instead of every link."""
    facet = next((facet for facet in _facets(model) if getattr(facet, "path", None) == path), None)
    if facet is None:
        return None
    kept = FacetCount.objects.filter(record_type=model._meta.label_lower, facet=facet.param, records__gt=0)
    return kept.values_list("target", "records")


def linked_count(rows: models.QuerySet, model, path: str, key: int) -> Subquery:
    """How many public records of ``model`` the link ``path`` joins to the record ``key`` (``rows``: all of them,
    filtered on it), as a subquery: from the kept counts where a list facet counts that link (a strategic area's
    programmes: one row), else counted."""
    kept = kept_link_counts(model, path)
    if kept is not None:
        return Subquery(kept.filter(target=key).values("records")[:1])
    return rows_counted(rows, path)


def rows_counted(rows: models.QuerySet, path: str) -> Subquery:
    """How many of ``rows`` (all filtered on one value of ``path``) there are, as a subquery. ``count(*)`` names no
    column, so an index holding the filtered columns answers it without reading the table."""
    return Subquery(rows.order_by().values(path).annotate(n=models.Count("*")).values("n"))


def _kept_totals(types: list) -> dict:
    """The kept count of every public record of each of the record ``types`` that has one, in one query (pages ask
    at every request: prepared once, ``prepared_rows``)."""
    labels = {model._meta.label_lower: model for model in types}

    def parts() -> list[models.QuerySet]:
        return [FacetCount.objects.filter(record_type__in=labels, facet=EVERY).values_list("record_type", "records")]

    (rows,) = prepared_rows(("public counts", *types), parts)
    return {labels[label]: n for label, n in rows}


def public_counts(types: list) -> dict:
    """How many public records each of the record ``types`` has, from the kept counts, in one query."""
    return {model: 0 for model in types} | _kept_totals(types)


def kept_total(model) -> int | None:
    """How many public records ``model`` has by the kept counts; None when nothing is kept for it (a type whose
    table the count triggers do not watch), for the caller to count them."""
    return _kept_totals([model]).get(model)


def kept_public_count(model) -> Subquery:
    """How many public records ``model`` has, from the kept counts, as a subquery (NULL when it has none)."""
    kept = FacetCount.objects.filter(record_type=model._meta.label_lower, facet=EVERY)
    return Subquery(kept.values("records")[:1])


def kept_across(types: list, facet) -> models.QuerySet:
    """Per value of ``facet`` (a facet every one of the record ``types`` lists by, such as tags): the kept counts
    of all the types added up, as ``target``-keyed rows (target, records)."""
    labels = [model._meta.label_lower for model in types]
    kept = FacetCount.objects.filter(record_type__in=labels, facet=facet.param, records__gt=0).order_by()
    return kept.values("target").annotate(total=models.Sum("records")).values_list("target", "total")


def kept_values(model, facet) -> tuple[models.QuerySet, models.QuerySet]:
    """The kept counts of the choice ``facet`` of ``model`` as rows (value, records), and how many public records
    have no value for it as one row (records): every public record less those with a value."""
    label = model._meta.label_lower
    valued = FacetCount.objects.filter(record_type=label, facet=facet.param, records__gt=0).order_by()
    with_value = valued.values("record_type").annotate(n=models.Sum("records")).values("n")
    none = FacetCount.objects.filter(record_type=label, facet=EVERY).annotate(
        unvalued=F("records") - Coalesce(Subquery(with_value), 0)
    )
    return valued.values_list("value", "records"), none.order_by().values_list("unvalued")


def _kept_facets(model) -> list:
    """What is kept for ``model``: its count of every public record, and each list facet's counts."""
    return [None, *_facets(model)]


def _param(facet) -> str:
    return EVERY if facet is None else facet.param


def counted(model, facet) -> Counter:
    """A fresh count of ``facet`` (None: every record) over the public records of ``model``: {(value, target):
    records}."""
    public = model.objects.public()
    if facet is None:
        n = public.count()
        return Counter({("", 0): n} if n else {})
    if isinstance(facet, ChoiceFacet):
        rows = (
            public.exclude(**{f"{facet.field_name}__isnull": True})
            .values_list(Cast(facet.field_name, models.CharField()))
            .annotate(n=models.Count("pk"))
        )
        return Counter({(value, 0): n for value, n in rows if value != ""})
    rows = public.exclude(**{f"{facet.path}__isnull": True}).values_list(facet.path).annotate(n=models.Count("pk"))
    return Counter({("", target): n for target, n in rows})


def kept(model, facet) -> Counter:
    """The kept counts of ``facet`` over ``model``, as ``counted`` gives them (values with no record left out)."""
    rows = FacetCount.objects.filter(record_type=model._meta.label_lower, facet=_param(facet), records__gt=0)
    rows = rows.values_list("value", "target", "records")
    return Counter({(value, target): n for value, target, n in rows})


def facet_counts_differences() -> list[str]:
    """Every kept count that differs from a fresh count, in words; empty when all agree."""
    differences = []
    for model in record_models():
        for facet in _kept_facets(model):
            fresh, stored = counted(model, facet), kept(model, facet)
            for key in sorted(set(fresh) | set(stored), key=str):
                if fresh[key] != stored[key]:
                    what = "public records" if facet is None else f"{facet.param} {key[0] or key[1]}"
                    differences.append(f"{model._meta.label_lower} {what}: kept {stored[key]}, counted {fresh[key]}")
    return differences


@transaction.atomic
def facet_counts_rebuild(using: str = "default") -> int:
    """Replace every kept count by a fresh count; the number of counts kept."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        # Writers' triggers wait until the fresh counts are in, and the counting sees every committed write.
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {FacetCount._meta.db_table} IN EXCLUSIVE MODE")
    FacetCount.objects.using(using).all().delete()
    rows = [
        FacetCount(record_type=model._meta.label_lower, facet=_param(facet), value=value, target=target, records=n)
        for model in record_models()
        for facet in _kept_facets(model)
        for (value, target), n in counted(model, facet).items()
    ]
    FacetCount.objects.using(using).bulk_create(rows, batch_size=500)
    if connection.vendor == "postgresql":
        # The planner's statistics of a table just refilled, so lists find their rows by the index at once.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {FacetCount._meta.db_table}")
    return len(rows)
