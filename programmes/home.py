"""The home page: the framework at a glance, and the ways into it.

It reads across every content app (what serves each strategic area comes from the instruments' articles under the
editorial classification), so it lives here, in the app that already reads across the whole framework, and
``cop_kb.urls`` includes it by name. Every part shows at most ``HOME_LIMIT`` records and links to the rest, so the
page and its queries stay the same size however many records there are.
"""

from django.db.models import Count, F, IntegerField, Q, Value
from django.db.models.functions import Cast
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from cop_kb.feeds.selectors import site_changes
from cop_kb.map.selectors import country_model
from cop_kb.records.batch import rows_of_each
from cop_kb.records.registry import record_models
from cop_kb.views import HOME_LIMIT
from instruments.models import Instrument
from strategy.models import FocusArea, Principle, Right, Sector, StakeholderGroup, StrategicArea

from .models import Partnership, Programme
from .selectors import classified_counts

# How many of the latest changes the home page names; the feed and its page have the rest.
HOME_CHANGES = 6


def _record_counts() -> dict[type, int]:
    """How many public records of each type there are, in one query."""
    models = record_models()
    counts = rows_of_each(
        [
            model.objects.public().order_by().values(one=Value(1)).annotate(n=Count("pk")).values_list("n")
            for model in models
        ]
    )
    return {model: rows[0][0] if rows else 0 for model, rows in zip(models, counts, strict=True)}


def _headlines(querysets: dict[str, object]) -> dict[str, list]:
    """The first records of several lists that show only titles (and summaries), in one query: each list's
    first ``HOME_LIMIT + 1`` records, so a page can tell that there are more."""
    rows = rows_of_each(
        [queryset.values_list("pk", "slug", "title", "summary")[: HOME_LIMIT + 1] for queryset in querysets.values()]
    )
    return {
        name: [queryset.model(pk=pk, slug=slug, title=title, summary=summary) for pk, slug, title, summary in part]
        for (name, queryset), part in zip(querysets.items(), rows, strict=True)
    }


def _focus_areas() -> list:
    """Public focus areas, each with its first sectors, programmes and partnerships (``HOME_LIMIT`` of each; ``more``
    says whether it has others, which its own page lists).

    Each list is read on its own, in its type's order and cut at ``HOME_LIMIT + 1`` by the database, all in one
    query: a prefetch cut to a number would number every programme of every area first, which at 100,000 records
    sorted some 30,000 rows, texts and all, for a dozen titles each."""
    areas = list(FocusArea.objects.public())
    # Where each list goes, its type, the area's public records of it, and the year field a list shows (the parts
    # of one query read the same columns, so the others read none).
    kinds = (
        ("home_programmes", Programme, lambda area: area.programme_set.public(), "year"),
        ("home_partnerships", Partnership, lambda area: area.partnerships.public(), ""),
        ("home_sectors", Sector, lambda area: area.sectors.public(), ""),
    )
    # Typed, or PostgreSQL takes the NULL for text and refuses to put it in one column with the years.
    no_year = Cast(Value(None), output_field=IntegerField())
    parts = iter(
        rows_of_each(
            [
                records(area)
                .annotate(shown_year=F(year) if year else no_year)
                .values_list("pk", "slug", "title", "shown_year")[: HOME_LIMIT + 1]
                for area in areas
                for _name, _model, records, year in kinds
            ]
        )
    )
    for area in areas:
        for name, model, _records, year in kinds:
            rows = next(parts)
            shown = [
                model(pk=pk, slug=slug, title=title, **({year: value} if year else {}))
                for pk, slug, title, value in rows
            ]
            setattr(area, name, shown)
        lists = (area.home_programmes, area.home_partnerships, area.home_sectors)
        area.more = any(len(records) > HOME_LIMIT for records in lists)
        for records in lists:
            del records[HOME_LIMIT:]
    return areas


def _other_programmes():
    """Public programmes under no public focus area: the first of those under none and of those under a hidden one,
    each read in order through the index on the focus area, and of these the first in order.

    Asked at once ("no focus area, or a hidden one"), both databases read every programme to find the few."""
    public = Programme.objects.public()
    hidden = FocusArea.objects.exclude(pk__in=FocusArea.objects.public()).values_list("pk", flat=True)

    def first(records):
        return records.values("pk")[: HOME_LIMIT + 1]

    return public.filter(
        Q(pk__in=first(public.filter(focus_area__isnull=True)))
        | Q(pk__in=first(public.filter(focus_area__in=list(hidden))))
    )


def _served(areas: list[StrategicArea]) -> None:
    """Give each area how many articles, of how many instruments, serve it under the editorial classification."""
    counts = classified_counts()
    for area in areas:
        area.served_articles, area.served_instruments = counts.get(area.pk, (0, 0))


@require_safe
def home(request):
    """The framework's parts (instruments, strategy, country- and global-level work) and how many of each exist,
    with what serves each strategic area, where the work reaches, and what changed last."""
    focus_areas = _focus_areas()
    counts = _record_counts()
    lists = {
        "strategic_areas": StrategicArea.objects.public(),
        "principles": Principle.objects.public(),
        "rights": Right.objects.public(),
        "stakeholders": StakeholderGroup.objects.public(),
        # Programmes under no public focus area, so none disappears with its focus area.
        "other_programmes": _other_programmes(),
    }
    headlines = _headlines(lists)
    other_programmes = headlines.pop("other_programmes")
    _served(headlines["strategic_areas"])
    countries = country_model()
    context = {
        "instruments": list(Instrument.objects.public().select_related("issuing_body")[:HOME_LIMIT]),
        "more_instruments": Instrument.get_list_url() if counts[Instrument] > HOME_LIMIT else "",
        **{name: records[:HOME_LIMIT] for name, records in headlines.items()},
        # Where to see all of a part that shows only its first records.
        "more": {
            name: lists[name].model.get_list_url() for name, records in headlines.items() if len(records) > HOME_LIMIT
        },
        "country_focus_areas": [area for area in focus_areas if area.level == "country"],
        "global_focus_areas": [area for area in focus_areas if area.level != "country"],
        "other_programmes": other_programmes[:HOME_LIMIT],
        "more_other_programmes": Programme.get_list_url() if len(other_programmes) > HOME_LIMIT else "",
        "countries_reached": counts.get(countries, 0),
        "changes": site_changes()[:HOME_CHANGES],
        "sections": [
            {"opts": model._meta, "count": counts[model], "url": model.get_list_url()} for model in record_models()
        ],
    }
    return render(request, "home.html", context)


urlpatterns = [path("", home, name="home")]
