"""Reads across the whole framework: where work exists for each strategic area, and where it does not."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.text import capfirst

from cop_kb.records.models import Record
from instruments.models import Instrument
from strategy.models import StrategicArea

from .models import Activity, Programme

COVERAGE_TYPES: tuple[type[Record], ...] = (Instrument, Programme, Activity)


@dataclass
class CoverageCell:
    count: int
    url: str


@dataclass
class CoverageRow:
    area: StrategicArea
    cells: list[CoverageCell]


@dataclass
class CoverageDetail:
    """One record type's records, each with the strategic areas it is linked to, in area order."""

    title: str
    rows: list[tuple[Record, list[bool]]]


def coverage_matrix() -> tuple[list[StrategicArea], list[CoverageRow], list[CoverageDetail]]:
    """Strategic areas against instruments, programmes and activities, public records only.

    Returns the areas, a summary row per area (how many records of each type concern it, with a link to that
    filtered list) and, per type, which of its records concern which area. Two queries per type plus one.
    """
    areas = list(StrategicArea.objects.public())
    details = []
    counts = {area.pk: [0] * len(COVERAGE_TYPES) for area in areas}
    for column, model in enumerate(COVERAGE_TYPES):
        records = model.objects.public().prefetch_related(
            Prefetch("strategic_areas", queryset=StrategicArea.objects.public().only("pk"))
        )
        rows = []
        for record in records:
            linked = {area.pk for area in record.strategic_areas.all()}
            for pk in linked:
                counts[pk][column] += 1
            rows.append((record, [area.pk in linked for area in areas]))
        details.append(CoverageDetail(title=capfirst(model._meta.verbose_name_plural), rows=rows))
    summary = [
        CoverageRow(
            area=area,
            cells=[
                CoverageCell(count=count, url=f"{model.get_list_url()}?strategic_area={area.slug}")
                for model, count in zip(COVERAGE_TYPES, counts[area.pk], strict=True)
            ],
        )
        for area in areas
    ]
    return areas, summary, details
