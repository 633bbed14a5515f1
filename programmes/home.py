"""The home page: the framework at a glance, and the ways into it.

It reads across every content app (what serves each strategic area comes from the instruments' articles under the
editorial classification), so it lives here, in the app that already reads across the whole framework, and
``cop_kb.urls`` includes it by name. Every part shows at most ``HOME_LIMIT`` records and links to the rest, so the
page and its queries stay the same size however many records there are.
"""

from django.db.models import BooleanField, ExpressionWrapper, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from cop_kb.feeds.selectors import site_changes
from cop_kb.map.selectors import country_model
from cop_kb.map.world import world
from cop_kb.records.batch import prepared_rows
from cop_kb.records.facet_counts import public_counts
from cop_kb.records.models import public_q
from cop_kb.records.registry import record_models
from cop_kb.views import HOME_LIMIT
from instruments.models import Instrument
from strategy.models import FocusArea, Principle, Right, Sector, StakeholderGroup, StrategicArea

from .models import Partnership, Programme
from .selectors import classified_counts

# How many of the latest changes the home page names; the feed and its page have the rest.
HOME_CHANGES = 6


# The lists the home page shows only the titles (and summaries) of, each a type's public records; programmes only
# those under no public focus area (``_other_programmes``), so none disappears with its focus area.
_HEADLINES = {
    "strategic_areas": StrategicArea,
    "principles": Principle,
    "rights": Right,
    "stakeholders": StakeholderGroup,
    "other_programmes": Programme,
}


def _other_programmes(hidden: tuple[int, ...]) -> QuerySet:
    """Public programmes under no public focus area (``hidden``: the focus areas that are not public): the first of
    those under none and of those under a hidden one, each read in order through the index on the focus area, and of
    these the first in order.

    Asked at once ("no focus area, or a hidden one"), both databases read every programme to find the few."""
    public = Programme.objects.public()

    def first(records):
        return records.values("pk")[: HOME_LIMIT + 1]

    return public.filter(
        Q(pk__in=first(public.filter(focus_area__isnull=True)))
        | Q(pk__in=first(public.filter(focus_area__in=list(hidden))))
    )


def _headlines(hidden: tuple[int, ...]) -> dict[str, list]:
    """The first records of each of ``_HEADLINES``, in one query: each list's first ``HOME_LIMIT + 1`` records,
    so the page can tell that there are more. ``hidden``: the focus areas that are not public, whose keys the
    prepared statement takes."""

    def parts(*hidden_keys: int) -> list[QuerySet]:
        lists = [model.objects.public() for model in _HEADLINES.values()]
        lists[-1] = _other_programmes(hidden_keys)
        return [records.values_list("pk", "slug", "title", "summary")[: HOME_LIMIT + 1] for records in lists]

    rows = prepared_rows(("home headlines", *_HEADLINES.items(), len(hidden)), parts, *hidden)
    return {
        name: [
            model.shown(pk=pk, slug=slug, title=title, summary=summary, status="published")
            for pk, slug, title, summary in part
        ]
        for (name, model), part in zip(_HEADLINES.items(), rows, strict=True)
    }


# What the home page lists under each focus area: where the list goes, its type, the type's link to the focus area,
# and the year field the list shows (the parts of one query read the same columns, so the others read none).
_AREA_LISTS = (
    ("home_programmes", Programme, "focus_area", "year"),
    ("home_partnerships", Partnership, "focus_area", ""),
    ("home_sectors", Sector, "focus_areas", ""),
)


def _focus_areas() -> tuple[list, tuple[int, ...]]:
    """Public focus areas, each with its first sectors, programmes and partnerships (``HOME_LIMIT`` of each; ``more``
    says whether it has others, which its own page lists), and the keys of the others (for ``_headlines``): every
    focus area is read at once, marked by the visibility rule, as there are only a few.

    Each list is read on its own, in its type's order and cut at ``HOME_LIMIT + 1`` by the database, all in one
    query (prepared once per number of areas, ``prepared_rows``, the areas' keys bound): a prefetch cut to a number
    would number every programme of every area first, which at 100,000 records sorted some 30,000 rows, texts and
    all, for a dozen titles each."""

    def every_area() -> list[QuerySet]:
        marked = FocusArea.objects.annotate(visible=ExpressionWrapper(public_q(), output_field=BooleanField()))
        return [marked.values_list("pk", "slug", "title", "level", "visible")]

    areas, hidden = [], []
    (every,) = prepared_rows("home every focus area", every_area)
    for pk, slug, title, level, visible in every:
        if visible:
            areas.append(FocusArea.shown(pk=pk, slug=slug, title=title, level=level, status="published"))
        else:
            hidden.append(pk)
    # Typed, or PostgreSQL takes the NULL for text and refuses to put it in one column with the years.
    no_year = Cast(Value(None), output_field=IntegerField())

    def parts(*area_keys: int) -> list[QuerySet]:
        return [
            model.objects.public()
            .filter(**{path: key})
            .annotate(shown_year=F(year) if year else no_year)
            .values_list("pk", "slug", "title", "shown_year")[: HOME_LIMIT + 1]
            for key in area_keys
            for _name, model, path, year in _AREA_LISTS
        ]

    every_rows = iter(prepared_rows(("home focus areas", *_AREA_LISTS, len(areas)), parts, *(a.pk for a in areas)))
    for area in areas:
        for name, model, _path, year in _AREA_LISTS:
            shown = [
                model.shown(pk=pk, slug=slug, title=title, status="published", **({year: value} if year else {}))
                for pk, slug, title, value in next(every_rows)
            ]
            setattr(area, name, shown)
        lists = (area.home_programmes, area.home_partnerships, area.home_sectors)
        area.more = any(len(records) > HOME_LIMIT for records in lists)
        for records in lists:
            del records[HOME_LIMIT:]
    return areas, tuple(hidden)


_INSTRUMENT_COLUMNS = ("pk", "slug", "title", "short_title", "acronym", "adopted_on", "opened_for_signature_on")
_ISSUER_COLUMNS = ("pk", "slug", "title", "status")


def _instruments() -> list[Instrument]:
    """The first ``HOME_LIMIT`` public instruments with what their lines show (year, short name, issuing body), in a
    statement prepared once (``prepared_rows``): built by the ORM, it and the records it made took 1.4 ms."""

    def parts() -> list[QuerySet]:
        issuer = [f"issuing_body__{name}" for name in _ISSUER_COLUMNS]
        return [Instrument.objects.public().values_list(*_INSTRUMENT_COLUMNS, *issuer)[:HOME_LIMIT]]

    (rows,) = prepared_rows("home instruments", parts)
    issuers = Instrument._meta.get_field("issuing_body").related_model
    instruments = []
    for row in rows:
        own, issuer = row[: len(_INSTRUMENT_COLUMNS)], row[len(_INSTRUMENT_COLUMNS) :]
        instrument = Instrument.shown(status="published", **dict(zip(_INSTRUMENT_COLUMNS, own, strict=True)))
        if issuer[0] is not None:
            instrument.issuing_body = issuers.shown(**dict(zip(_ISSUER_COLUMNS, issuer, strict=True)))
        instruments.append(instrument)
    return instruments


def _served(areas: list[StrategicArea]) -> None:
    """Give each area how many articles, of how many instruments, serve it under the editorial classification."""
    counts = classified_counts()
    for area in areas:
        area.served_articles, area.served_instruments = counts.get(area.pk, (0, 0))


@require_safe
def home(request):
    """The framework's parts (instruments, strategy, country- and global-level work) and how many of each exist,
    with what serves each strategic area, where the work reaches, and what changed last."""
    focus_areas, hidden = _focus_areas()
    counts = public_counts(record_models())
    headlines = _headlines(hidden)
    other_programmes = headlines.pop("other_programmes")
    _served(headlines["strategic_areas"])
    countries = country_model()
    context = {
        "instruments": _instruments(),
        "more_instruments": Instrument.get_list_url() if counts[Instrument] > HOME_LIMIT else "",
        **{name: records[:HOME_LIMIT] for name, records in headlines.items()},
        # Where to see all of a part that shows only its first records.
        "more": {
            name: _HEADLINES[name].get_list_url() for name, records in headlines.items() if len(records) > HOME_LIMIT
        },
        "country_focus_areas": [area for area in focus_areas if area.level == "country"],
        "global_focus_areas": [area for area in focus_areas if area.level != "country"],
        "other_programmes": other_programmes[:HOME_LIMIT],
        "more_other_programmes": Programme.get_list_url() if len(other_programmes) > HOME_LIMIT else "",
        "countries_reached": counts.get(countries, 0),
        "world": world(),
        "changes": site_changes(HOME_CHANGES),
        "sections": [
            {"opts": model._meta, "count": counts[model], "url": model.get_list_url()} for model in record_models()
        ],
    }
    return render(request, "home.html", context)


urlpatterns = [path("", home, name="home")]
