"""The home page: the framework at a glance, and the ways into it.

It reads across every content app (what serves each strategic area comes from the instruments' articles under the
editorial classification), so it lives here, in the app that already reads across the whole framework, and
``cop_kb.urls`` includes it by name. Every part shows at most ``HOME_LIMIT`` records and links to the rest, so the
page and its queries stay the same size however many records there are.
"""

from django.db.models import Count, F, IntegerField, QuerySet, Value, Window
from django.db.models.functions import Cast, RowNumber
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from cop_kb.feeds.selectors import site_changes
from cop_kb.map.selectors import country_model
from cop_kb.records.batch import prepared_rows
from cop_kb.records.link_pages import natural_order
from cop_kb.records.models import Status, public_q
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
    counts = prepared_rows(
        ("home counts", *models),
        lambda: [
            model.objects.public().order_by().values(one=Value(1)).annotate(n=Count("pk")).values_list("n")
            for model in models
        ],
    )
    return {model: rows[0][0] if rows else 0 for model, rows in zip(models, counts, strict=True)}


# The lists the home page shows only the titles (and summaries) of, each a type's public records; programmes only
# those under no public focus area (``_headline_records``), so none disappears with its focus area.
_HEADLINES = {
    "strategic_areas": StrategicArea,
    "principles": Principle,
    "rights": Right,
    "stakeholders": StakeholderGroup,
    "other_programmes": Programme,
}


def _headline_records(model):
    public = model.objects.public()
    return public.exclude(focus_area__in=FocusArea.objects.public()) if model is Programme else public


def _headlines() -> dict[str, list]:
    """The first records of each of ``_HEADLINES``, in one query: each list's first ``HOME_LIMIT + 1`` records,
    so the page can tell that there are more."""
    rows = prepared_rows(
        ("home headlines", *_HEADLINES.items()),
        lambda: [
            _headline_records(model).values_list("pk", "slug", "title", "summary")[: HOME_LIMIT + 1]
            for model in _HEADLINES.values()
        ],
    )
    return {
        name: [model(pk=pk, slug=slug, title=title, summary=summary) for pk, slug, title, summary in part]
        for (name, model), part in zip(_HEADLINES.items(), rows, strict=True)
    }


# What the home page lists under each focus area: (attribute, type, the type's link to the focus area).
_AREA_LISTS = (
    ("home_programmes", Programme, "focus_area"),
    ("home_partnerships", Partnership, "focus_area"),
    ("home_sectors", Sector, "focus_areas"),
)


def _area_list_rows(model, path: str) -> QuerySet:
    """The first ``HOME_LIMIT + 1`` public records of ``model`` under each public focus area (linked by ``path``),
    in the type's own order, as (focus area's pk, pk, slug, title, year) rows; year is None for a type without
    one."""
    year = F("year") if model is Programme else Cast(Value(None), IntegerField())
    place = Window(RowNumber(), partition_by=[F(path)], order_by=[*natural_order(model), F("pk").asc()])
    rows = model.objects.public().filter(public_q(path)).annotate(home_area=F(path), home_year=year, home_place=place)
    return rows.filter(home_place__lte=HOME_LIMIT + 1).values_list("home_area", "pk", "slug", "title", "home_year")


def _focus_areas() -> list:
    """Public focus areas, each with its first sectors, programmes and partnerships (``HOME_LIMIT`` of each; ``more``
    says whether it has others, which its own page lists): two queries, the second prepared once."""
    areas = list(FocusArea.objects.public())
    every_rows = prepared_rows(
        ("home focus areas", *_AREA_LISTS), lambda: [_area_list_rows(model, path) for _name, model, path in _AREA_LISTS]
    )
    by_area = {area.pk: area for area in areas}
    for area in areas:
        for name, _model, _path in _AREA_LISTS:
            setattr(area, name, [])
    for (name, model, _path), rows in zip(_AREA_LISTS, every_rows, strict=True):
        for area_pk, pk, slug, title, year in rows:
            if area_pk not in by_area:  # published after the areas were read: it shows from the next request
                continue
            record = model(pk=pk, slug=slug, title=title, status=Status.PUBLISHED)
            if year is not None:  # programmes only
                record.year = year
            getattr(by_area[area_pk], name).append(record)
    for area in areas:
        lists = [getattr(area, name) for name, _model, _path in _AREA_LISTS]
        area.more = any(len(records) > HOME_LIMIT for records in lists)
        for records in lists:
            del records[HOME_LIMIT:]
    return areas


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
    headlines = _headlines()
    other_programmes = headlines.pop("other_programmes")
    _served(headlines["strategic_areas"])
    countries = country_model()
    context = {
        "instruments": list(Instrument.objects.public().select_related("issuing_body")[:HOME_LIMIT]),
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
        "changes": site_changes(HOME_CHANGES),
        "sections": [
            {"opts": model._meta, "count": counts[model], "url": model.get_list_url()} for model in record_models()
        ],
    }
    return render(request, "home.html", context)


urlpatterns = [path("", home, name="home")]
