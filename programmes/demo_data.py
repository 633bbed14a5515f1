"""Synthetic demo records: many clearly marked, published records for trying the site and measuring it at scale.

Never part of the real content: ``make run`` and ``load_framework`` do not call this; only the
``generate_demo_data`` command does. Every demo record is marked three ways: its title starts with "[Demo] ", its
slug with "demo-", and it carries the tag "synthetic-demo-data". Removal needs both the slug prefix and the tag, so
a real record can never be taken for demo data.

The text is word salad drawn from a child-online-protection vocabulary with realistic frequencies (a few words in
most records, many in some, a rare tail in few), so search has common, rare and multi-word terms to work on. Demo
records link to the real records (countries, strategic areas, instruments, focus areas, sectors, stakeholder
groups, organisations) and to each other. The same seed gives the same records, text and links.

Speed matters (100,000 records in minutes): records, link rows and tag rows are written with ``bulk_create`` in
batches, and ``body_html`` is written from the same blocks as the Markdown ``body`` instead of being rendered record
by record (it is exactly what ``render_markdown(body)`` gives; the tests check that).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from taggit.models import Tag, TaggedItem

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.models import Record
from cop_kb.records.services import record_unindex
from instruments.models import Instrument, Provision
from strategy.models import FocusArea, Sector, StakeholderGroup, StrategicArea

from .demo_text import TOPIC_TAGS
from .models import (
    Activity,
    Output,
    Partnership,
    Programme,
)

SLUG_PREFIX = "demo-"
DEMO_TAG = "synthetic-demo-data"
DEFAULT_SEED = 1
BATCH_SIZE = 2000
FIRST_YEAR, LAST_YEAR = 2000, 2025

# Record types in creation order (each links only to real records or to demo records of types created earlier),
# with their share of the demo records. Removal runs in the reverse order, so protected links never block it.
MIX: tuple[tuple[type[Record], int], ...] = (
    (Organisation, 12),
    (Instrument, 3),
    (Provision, 6),
    (Partnership, 2),
    (Programme, 33),
    (Activity, 24),
    (Output, 20),
)
DEMO_MODELS: tuple[type[Record], ...] = tuple(model for model, _share in MIX)

# ---- links -----------------------------------------------------------------------------------------------------


@dataclass
class RealRecords:
    """The published real records demo records link to, in slug order so a seed always picks the same ones."""

    countries: list[Country]
    strategic_areas: list[int]
    instruments: list[int]
    provisions: list[int]
    focus_areas: list[int]
    sectors: list[int]
    stakeholders: list[int]
    organisations: list[int]
    partnerships: list[int]
    programmes: list[int]

    @classmethod
    def load(cls) -> "RealRecords":
        def pks(model: type[Record]) -> list[int]:
            return list(real_records(model).public().order_by("slug").values_list("pk", flat=True))

        return cls(
            countries=list(real_records(Country).public().order_by("slug").only("pk", "title")),
            strategic_areas=pks(StrategicArea),
            instruments=pks(Instrument),
            provisions=pks(Provision),
            focus_areas=pks(FocusArea),
            sectors=pks(Sector),
            stakeholders=pks(StakeholderGroup),
            organisations=pks(Organisation),
            partnerships=pks(Partnership),
            programmes=pks(Programme),
        )


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    deleted: int = 0
    indexed: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.created.values())


class DemoDataError(Exception):
    """Demo data cannot be written as asked (its slugs are taken), or removed (a real record links to it)."""


def demo_records(model: type[Record]) -> models.QuerySet:
    """Records of ``model`` that are demo data: a "demo-" slug *and* the demo tag, never one without the other."""
    content_type = ContentType.objects.get_for_model(model)
    tagged = TaggedItem.objects.filter(content_type=content_type, tag__name__iexact=DEMO_TAG).values("object_id")
    return model.objects.filter(slug__startswith=SLUG_PREFIX, pk__in=tagged)


def real_records(model: type[Record]) -> models.QuerySet:
    """Records of ``model`` that are not demo data."""
    return model.objects.exclude(pk__in=demo_records(model).values("pk"))


def planned_counts(records: int) -> dict[type[Record], int]:
    """How many records of each type ``records`` demo records are made of (shares from ``MIX``, rest to programmes)."""
    total_share = sum(share for _model, share in MIX)
    counts = {model: records * share // total_share for model, share in MIX}
    counts[Programme] += records - sum(counts.values())
    return counts


def slug_for(model: type[Record], number: int) -> str:
    return f"{SLUG_PREFIX}{model._meta.model_name}-{number:06d}"


@transaction.atomic
def demo_data_delete() -> int:
    """Remove every demo record with its links, tags and index entries; real records are never touched.

    Demo records link to real records and to each other, some through protected links, so types go in reverse
    creation order and links between demo records of one type are cut first. A real record that has since been
    linked *to* a demo record stops the removal (``DemoDataError``) rather than losing that link.
    """
    deleted = 0
    for model in reversed(DEMO_MODELS):
        pks = list(demo_records(model).values_list("pk", flat=True))
        if not pks:
            continue
        for self_link in ("part_of", "parent"):
            if any(f.name == self_link for f in model._meta.get_fields()):
                for chunk in chunks(pks, 500):
                    model.objects.filter(pk__in=chunk, **{f"{self_link}__isnull": False}).update(**{self_link: None})
        try:
            for chunk in chunks(pks, 500):
                deleted += model.objects.filter(pk__in=chunk).delete()[1].get(model._meta.label, 0)
        except ProtectedError as exc:
            blockers = sorted({str(obj) for obj in exc.protected_objects})[:5]
            raise DemoDataError(
                f"Real records link to demo {model._meta.verbose_name_plural}; remove those links first: "
                + "; ".join(blockers)
            ) from exc
        for chunk in chunks(pks, 500):
            record_unindex(model, chunk)
    Tag.objects.filter(name__in=[DEMO_TAG, *TOPIC_TAGS], taggit_taggeditem_items__isnull=True).delete()
    return deleted


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
