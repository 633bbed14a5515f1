"""Reads across the whole framework: where work exists for each strategic area, and where it does not."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, QuerySet, Window
from django.urls import reverse
from django.utils.text import capfirst

from cop_kb.records.batch import prepared_over, prepared_rows, rows_of_each
from cop_kb.records.briefs import brief_url
from cop_kb.records.facet_counts import kept_grouped
from cop_kb.records.facets import COUNT, LABEL, VALUE, RelatedFacet
from cop_kb.records.models import Record, public_q
from cop_kb.records.registry import record_type_of, record_types
from instruments.models import Instrument, Provision
from strategy.models import StrategicArea

# Records linked to no strategic area: how many the coverage page lists of each type before "Show all".
UNLINKED_SHOWN = 12
# Articles the editorial classification gives an area: how many are read at most (in all), and shown per instrument.
CLASSIFIED_READ = 2000
CLASSIFIED_SHOWN = 12


@dataclass
class CoverageCell:
    count: int
    url: str
    # Instruments only: how many the editorial classification gives the area (listed under the table), so that a
    # column of records linked to no area does not read as if no instrument served it.
    classified: int = 0


@dataclass
class CoverageRow:
    area: StrategicArea
    cells: list[CoverageCell]


@dataclass
class CoverageGap:
    """One record type's public records that are linked to no strategic area: the first few and how many."""

    title: str
    total: int
    records: list[Record] = field(default_factory=list)
    all_url: str = ""
    # Instruments only: whether the editorial classification gives any of them an area, which this list, of links
    # of their own, does not show.
    classified: bool = False


@dataclass
class InstrumentArticles:
    """One instrument's articles that serve an area under the editorial classification, by article number."""

    instrument: Instrument
    provisions: list[Provision] = field(default_factory=list)

    @property
    def shown(self) -> list[Provision]:
        return self.provisions[:CLASSIFIED_SHOWN]

    @property
    def hidden(self) -> int:
        return max(0, len(self.provisions) - CLASSIFIED_SHOWN)


@dataclass
class ClassifiedCut:
    """Where an area's listing of classified articles stops short: how many it lists, of how many articles in how
    many instruments, and the area's brief, which lists them by instrument."""

    listed: int
    articles: int
    instruments: int
    brief_url: str


@dataclass
class Coverage:
    types: list[type[Record]]
    areas: list[StrategicArea]
    rows: list[CoverageRow]
    gaps: list[CoverageGap]
    # Per area (by pk): the instruments, and their articles, the editorial classification gives it.
    classified: dict[int, list[InstrumentArticles]] = field(default_factory=dict)


def _area_facet(model) -> RelatedFacet | None:
    """The facet ``model``'s list is narrowed by strategic area with, if it has one."""
    return next(
        (
            facet
            for facet in model.list_facets
            if isinstance(facet, RelatedFacet) and model._meta.get_field(facet.path).related_model is StrategicArea
        ),
        None,
    )


def coverage_types() -> list[type[Record]]:
    """Every record type whose list can be narrowed by strategic area, in registry order: what coverage is of."""
    return [entry.model for entry in record_types() if _area_facet(entry.model) is not None]


def unlinked_records(model) -> QuerySet:
    """Public records of ``model`` linked to no public strategic area, by title.

    Asked record by record (NOT EXISTS), which both databases answer as an anti-join: ``NOT IN`` a list of the
    linked ones made PostgreSQL collect every linked record first (an activity's 24,000 at 100,000 records)."""
    linked = model.objects.filter(public_q(_area_facet(model).path), pk=OuterRef("pk"))
    return model.objects.public().filter(~Exists(linked)).order_by("title", "pk")


def _narrowed(model, area: StrategicArea) -> str:
    """``model``'s list narrowed to the records linked to ``area``."""
    return f"{model.get_list_url()}?{urlencode({_area_facet(model).param: area.slug})}"


def _rows_read(types: list) -> tuple[list[list[tuple]], list[list[tuple]]]:
    """Per type: (area slug, how many records, area title) rows, from the counts the unfiltered list's area facet
    keeps, and its first unlinked records as (slug, how many unlinked in all, title) rows; one query for every type."""

    def parts() -> list[QuerySet]:
        found = []
        for model in types:
            found.append(kept_grouped(model, _area_facet(model)).order_by().values_list(VALUE, COUNT, LABEL))
            unlinked = unlinked_records(model).annotate(unlinked=Window(Count("*")))
            found.append(unlinked.values_list("slug", "unlinked", "title")[:UNLINKED_SHOWN])
        return found

    every = prepared_rows(("coverage", UNLINKED_SHOWN, *types), parts)
    return every[0::2], every[1::2]


def coverage_matrix() -> Coverage:
    """Strategic areas against every record type a list narrows by strategic area, public records only.

    A row per area says how many records of each type concern it, each count linking to that filtered list; then,
    per type, the records linked to no area at all (the first ``UNLINKED_SHOWN``, and how many); and per area the
    instruments and articles the editorial classification gives it (``classified_articles``, which reads a bounded
    number; ``classified_counts`` counts them all, for the table and to say where the listing stops). Four queries,
    whatever the number of records: what the page shows does not grow with them.
    """
    types = coverage_types()
    areas = list(StrategicArea.objects.public())
    counted, unlinked = _rows_read(types)
    counts = [{slug: count for slug, count, _title in rows} for rows in counted]
    classified = classified_articles()
    # Counted apart from what is listed: the listing reads at most ``CLASSIFIED_READ`` articles.
    serving = classified_counts()
    rows = [
        CoverageRow(
            area=area,
            cells=[
                CoverageCell(
                    count=by_area.get(area.slug, 0),
                    url=_narrowed(model, area),
                    classified=serving.get(area.pk, (0, 0))[1] if model is Instrument else 0,
                )
                for model, by_area in zip(types, counts, strict=True)
            ],
        )
        for area in areas
    ]
    gaps = []
    for model, found in zip(types, unlinked, strict=True):
        total = found[0][1] if found else 0
        gap = CoverageGap(title=capfirst(model._meta.verbose_name_plural), total=total)
        gap.records = [model.shown(slug=slug, title=title, status="published") for slug, _total, title in found]
        if total > len(found):
            gap.all_url = unlinked_url(model)
        gap.classified = model is Instrument and bool(serving)
        gaps.append(gap)
    for area in areas:
        area.classified = classified.get(area.pk, [])
        listed = sum(len(item.provisions) for item in area.classified)
        articles, instruments = serving.get(area.pk, (0, 0))
        area.classified_cut = (
            ClassifiedCut(listed, articles, instruments, brief_url(area)) if listed < articles else None
        )
    return Coverage(types=types, areas=areas, rows=rows, gaps=gaps, classified=classified)


_ARTICLE_COLUMNS = ("instrument_id", "instrument__slug", "instrument__title", "slug", "title", "number", "position")


def classified_articles() -> dict[int, list[InstrumentArticles]]:
    """Per strategic area (by pk), the public instruments and, for each, its public articles that serve the area
    under the editors' classification: through a topic the area is classified with, or named on their own (CRC
    17(e)). One query, at most ``CLASSIFIED_READ`` articles read; instruments by title, articles by number."""
    by_topic = StrategicArea.topics.through.objects.filter(
        public_q("strategicarea"),
        public_q("topic"),
        public_q("topic__provisions"),
        public_q("topic__provisions__instrument"),
    ).values_list("strategicarea_id", *(f"topic__provisions__{name}" for name in _ARTICLE_COLUMNS))
    on_their_own = StrategicArea.classified_provisions.through.objects.filter(
        public_q("strategicarea"), public_q("provision"), public_q("provision__instrument")
    ).values_list("strategicarea_id", *(f"provision__{name}" for name in _ARTICLE_COLUMNS))
    found: dict[int, dict[int, InstrumentArticles]] = {}
    seen = set()
    for part in rows_of_each([by_topic[:CLASSIFIED_READ], on_their_own[:CLASSIFIED_READ]]):
        for area_id, instrument_id, instrument_slug, instrument_title, slug, title, number, position in part:
            if (area_id, slug) in seen:
                continue
            seen.add((area_id, slug))
            instruments = found.setdefault(area_id, {})
            if instrument_id not in instruments:
                instrument = Instrument.shown(slug=instrument_slug, title=instrument_title, status="published")
                instruments[instrument_id] = InstrumentArticles(instrument=instrument)
            provision = Provision.shown(slug=slug, title=title, number=number, position=position, status="published")
            instruments[instrument_id].provisions.append(provision)
    for instruments in found.values():
        for articles in instruments.values():
            articles.provisions.sort(key=lambda provision: (provision.position, provision.number))
    return {
        area_id: sorted(instruments.values(), key=lambda articles: articles.instrument.title)
        for area_id, instruments in found.items()
    }


def classified_counts() -> dict[int, tuple[int, int]]:
    """Per public strategic area (by pk): how many public articles, of how many public instruments, serve it under
    the editors' classification, counted as ``classified_articles`` lists them (through a public topic classified
    under it, or named on their own; each article once), in one query whatever the number of articles.

    It reads the classification's own link rows (an article's topics under an area, and the articles an area names
    on their own: a few hundred), each with its article's instrument, never every article: with 6,000 articles
    (100,000 demo records) counting over the articles cost a quarter of a second a page."""

    def parts() -> list[QuerySet]:
        shown = (public_q("provision"), public_q("provision__instrument"))
        on_topics = Provision.topics.through.objects.filter(
            *shown, public_q("topic"), topic__classified_areas__in=StrategicArea.objects.public()
        ).values_list("topic__classified_areas", "provision", "provision__instrument")
        on_their_own = StrategicArea.classified_provisions.through.objects.filter(
            *shown, public_q("strategicarea")
        ).values_list("strategicarea", "provision", "provision__instrument")
        return [on_topics.order_by(), on_their_own.order_by()]

    # Counted by the database, which sends a row per area, not every link row; the same statement at every request,
    # prepared once (``prepared_over``).
    counted = "SELECT area, COUNT(DISTINCT article), COUNT(DISTINCT instrument) FROM batch GROUP BY area"
    rows = prepared_over("classified counts", parts, ("area", "article", "instrument"), counted)
    return {area: (articles, instruments) for area, articles, instruments in rows}


def unlinked_url(model) -> str:
    """The page listing every public record of ``model`` linked to no strategic area."""
    return reverse("programmes:coverage-unlinked", kwargs={"kind": record_type_of(model._meta.label_lower).slug})
