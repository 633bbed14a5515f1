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

import datetime
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models.deletion import ProtectedError
from taggit.models import Tag, TaggedItem

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.index import index_rebuild, index_remove
from cop_kb.records.models import DatePrecision, Record, Status
from instruments.models import Instrument, InstrumentRelation, Provision, RelationKind
from strategy.models import FocusArea, Level, Sector, StakeholderGroup, StrategicArea

from .demo_text import PLACES, TITLE_PREFIX, TOPIC_TAGS, TextWriter
from .models import (
    Activity,
    ActivityOrganisation,
    InitiativeKind,
    Output,
    OutputKind,
    Partnership,
    PartnershipMember,
    Programme,
    ProgrammeOrganisation,
    Role,
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


def _colliding_slugs(counts: dict[type[Record], int]) -> list[str]:
    taken = []
    for model, count in counts.items():
        existing = model.objects.filter(slug__startswith=f"{SLUG_PREFIX}{model._meta.model_name}-")
        planned = {slug_for(model, number) for number in range(1, count + 1)}
        taken += [slug for slug in existing.values_list("slug", flat=True) if slug in planned]
    return sorted(taken)


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
                for chunk in _chunks(pks, 500):
                    model.objects.filter(pk__in=chunk, **{f"{self_link}__isnull": False}).update(**{self_link: None})
        try:
            for chunk in _chunks(pks, 500):
                deleted += model.objects.filter(pk__in=chunk).delete()[1].get(model._meta.label, 0)
        except ProtectedError as exc:
            blockers = sorted({str(obj) for obj in exc.protected_objects})[:5]
            raise DemoDataError(
                f"Real records link to demo {model._meta.verbose_name_plural}; remove those links first: "
                + "; ".join(blockers)
            ) from exc
        for chunk in _chunks(pks, 500):
            index_remove(model, chunk)
    Tag.objects.filter(name__in=[DEMO_TAG, *TOPIC_TAGS], taggit_taggeditem_items__isnull=True).delete()
    return deleted


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _tags() -> dict[str, Tag]:
    """The demo tag and the topic tags, reusing existing tags of the same name (tags match case-insensitively)."""
    found = {}
    for name in (DEMO_TAG, *TOPIC_TAGS):
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name)
        found[name] = tag
    return found


class _Generator:
    """Builds the demo records type by type; demo records of earlier types are remembered by position."""

    def __init__(self, seed: int, real: RealRecords, tags: dict[str, Tag], progress: Callable[[str], None] | None):
        self.rng = random.Random(seed)  # noqa: S311 - reproducible filler text, nothing secret
        self.text = TextWriter(self.rng)
        self.real = real
        self.tags = tags
        self.progress = progress
        self.demo: dict[type[Record], list[int]] = {model: [] for model in DEMO_MODELS}
        self.provision_numbers: dict[int, int] = {}

    # -- helpers

    def _sample(self, pool: Sequence[int], low: int, high: int) -> list[int]:
        count = min(len(pool), self.rng.randint(low, high))
        return self.rng.sample(pool, count) if count else []

    def _one(self, pool: Sequence[int], more: Sequence[int] = ()) -> int | None:
        """One record from ``pool`` and ``more`` taken together (without building a joined list each time)."""
        size = len(pool) + len(more)
        if not size:
            return None
        index = self.rng.randrange(size)
        return pool[index] if index < len(pool) else more[index - len(pool)]

    def _mixed(self, real: Sequence[int], demo: Sequence[int], low: int, high: int) -> list[int]:
        """Distinct records drawn from real and demo ones alike (demo ones only once some exist)."""
        chosen = self._sample(real, low, high)
        if demo and self.rng.random() < 0.5:
            extra = self._one(demo)
            if extra not in chosen:
                chosen.append(extra)
        return chosen

    def _year(self) -> int:
        return self.rng.randint(FIRST_YEAR, LAST_YEAR)

    def _base(self, model: type[Record], number: int, countries: Sequence[Country] = ()) -> dict:
        names = [country.title for country in countries]
        place = self.rng.choice(names) if names and self.rng.random() < 0.5 else ""
        body, body_html = self.text.body(names)
        return {
            "slug": slug_for(model, number),
            "title": self.text.title(place),
            "summary": self.text.summary(),
            "body": body,
            "body_html": body_html,
            "status": Status.PUBLISHED,
        }

    # -- per type: fields for one record, and its link rows once it has a primary key

    def organisation(self, number: int) -> tuple[dict, dict]:
        fields = self._base(Organisation, number)
        words = fields["title"].removeprefix(TITLE_PREFIX).split()
        fields["acronym"] = "".join(word[0] for word in words if word[0].isupper())[:6]
        fields["kind"] = self.rng.choice(Organisation.Kind.values)
        if self.rng.random() < 0.15:
            fields["parent_id"] = self._one(self.real.organisations, self.demo[Organisation])
        return fields, {}

    def instrument(self, number: int) -> tuple[dict, dict]:
        fields = self._base(Instrument, number)
        fields["official_title"] = fields["title"]
        fields["kind"] = self.rng.choice(Instrument.Kind.values)
        fields["issuing_body_id"] = self._one(self.real.organisations, self.demo[Organisation])
        year = self._year()
        if self.rng.random() < 0.5:
            fields["adopted_on"], fields["adopted_precision"] = datetime.date(year, 1, 1), DatePrecision.YEAR
        else:
            day = datetime.date(year, 1, 1) + datetime.timedelta(days=self.rng.randrange(365))
            fields["adopted_on"], fields["adopted_precision"] = day, DatePrecision.DAY
        links = {"strategic_areas": self._sample(self.real.strategic_areas, 1, 2)}
        if self.real.instruments and self.rng.random() < 0.3:
            links["relations"] = [(self.rng.choice(RelationKind.values), self._one(self.real.instruments))]
        return fields, links

    def provision(self, number: int) -> tuple[dict, dict]:
        fields = self._base(Provision, number)
        instrument = self._one(self.demo[Instrument]) or self._one(self.real.instruments)
        position = self.provision_numbers[instrument] = self.provision_numbers.get(instrument, 0) + 1
        fields.update(instrument_id=instrument, number=f"D{position}", position=1000 + position)
        return fields, {"strategic_areas": self._sample(self.real.strategic_areas, 1, 2)}

    def partnership(self, number: int) -> tuple[dict, dict]:
        fields = self._base(Partnership, number)
        fields["focus_area_id"] = self._one(self.real.focus_areas)
        fields["launched_on"], fields["launched_precision"] = datetime.date(self._year(), 1, 1), DatePrecision.YEAR
        members = self._mixed(self.real.organisations, self.demo[Organisation], 2, 4)
        return fields, {"organisations": [(self.rng.choice(Role.values), pk) for pk in members]}

    def _initiative(self, model: type[Record], number: int) -> tuple[dict, dict]:
        countries = self.rng.sample(self.real.countries, min(len(self.real.countries), self.rng.randint(1, 3)))
        fields = self._base(model, number, countries)
        fields.update(kind=self.rng.choice(InitiativeKind.values), level=self.rng.choice(Level.values))
        fields["year"] = self._year()
        organisations = self._mixed(self.real.organisations, self.demo[Organisation], 1, 2)
        links = {
            "countries": [country.pk for country in countries],
            "strategic_areas": self._sample(self.real.strategic_areas, 1, 2),
            "instruments": self._mixed(self.real.instruments, self.demo[Instrument], 0, 2),
            "provisions": self._mixed(self.real.provisions, self.demo[Provision], 0, 1),
            "sectors": self._sample(self.real.sectors, 0, 2),
            "stakeholders": self._sample(self.real.stakeholders, 0, 2),
            "organisations": [(self.rng.choice(Role.values), pk) for pk in organisations],
        }
        return fields, links

    def programme(self, number: int) -> tuple[dict, dict]:
        fields, links = self._initiative(Programme, number)
        fields["focus_area_id"] = self._one(self.real.focus_areas)
        return fields, links

    def activity(self, number: int) -> tuple[dict, dict]:
        fields, links = self._initiative(Activity, number)
        fields["partnership_id"] = self._one(self.demo[Partnership]) or self._one(self.real.partnerships)
        if self.demo[Activity] and self.rng.random() < 0.2:
            fields["part_of_id"] = self._one(self.demo[Activity])
        fields["place"] = self.rng.choice(PLACES) if self.rng.random() < 0.6 else ""
        return fields, links

    def output(self, number: int) -> tuple[dict, dict]:
        fields = self._base(Output, number)
        fields.update(kind=self.rng.choice(OutputKind.values), year=self._year())
        fields["programme_id"] = self._one(self.demo[Programme]) or self._one(self.real.programmes)
        if self.rng.random() < 0.7:
            fields["publisher_id"] = self._one(self.real.organisations, self.demo[Organisation])
        return fields, {}

    # -- writing

    def run(self, counts: dict[type[Record], int]) -> dict[str, int]:
        builders = {
            Organisation: self.organisation,
            Instrument: self.instrument,
            Provision: self.provision,
            Partnership: self.partnership,
            Programme: self.programme,
            Activity: self.activity,
            Output: self.output,
        }
        created = {}
        for model in DEMO_MODELS:
            needed_links = {
                Activity: Activity.partnership,
                Output: Output.programme,
                Provision: Provision.instrument,
            }
            if model in needed_links and counts[model] and not self._has_target(model):
                raise DemoDataError(
                    f"Demo {model._meta.verbose_name_plural} need a {needed_links[model].field.verbose_name}; "
                    "generate more records or load the framework first."
                )
            for start in range(0, counts[model], BATCH_SIZE):
                numbers = range(start + 1, min(counts[model], start + BATCH_SIZE) + 1)
                rows = [builders[model](number) for number in numbers]
                self._write(model, rows)
                if self.progress:
                    self.progress(f"{model._meta.verbose_name_plural}: {numbers[-1]}/{counts[model]}")
            created[model._meta.label_lower] = counts[model]
        return created

    def _has_target(self, model: type[Record]) -> bool:
        targets = {
            Activity: self.demo[Partnership] or self.real.partnerships,
            Output: self.demo[Programme] or self.real.programmes,
            Provision: self.demo[Instrument] or self.real.instruments,
        }
        return bool(targets[model])

    def _write(self, model: type[Record], rows: list[tuple[dict, dict]]) -> None:
        records = model.objects.bulk_create([model(**fields) for fields, _links in rows])
        pks = [record.pk for record in records]
        if any(pk is None for pk in pks):
            raise DemoDataError("The database did not return the new primary keys.")
        self.demo[model].extend(pks)
        content_type = ContentType.objects.get_for_model(model).pk
        tagged = []
        for pk in pks:
            tagged.append((self.tags[DEMO_TAG].pk, content_type, pk))
            for name in self.rng.sample(TOPIC_TAGS, self.rng.choice((0, 1, 1, 2))):
                tagged.append((self.tags[name].pk, content_type, pk))
        _insert(TaggedItem, ("tag", "content_type", "object_id"), tagged)
        by_relation: dict[str, list[tuple]] = {}
        for pk, (_fields, links) in zip(pks, rows, strict=True):
            for relation, targets in links.items():
                by_relation.setdefault(relation, []).extend((pk, target) for target in targets)
        for relation, pairs in by_relation.items():
            _write_links(model, relation, pairs)


TYPED_LINKS: dict[type[Record], tuple[type[models.Model], str]] = {
    Programme: (ProgrammeOrganisation, "programme"),
    Activity: (ActivityOrganisation, "activity"),
    Partnership: (PartnershipMember, "partnership"),
}


def _write_links(model: type[Record], relation: str, pairs: list[tuple]) -> None:
    """Insert link rows: many-to-many through rows (held by either end) or typed link rows."""
    if relation == "organisations":
        link_model, source = TYPED_LINKS[model]
        _insert(link_model, (source, "organisation", "kind"), [(pk, target, kind) for pk, (kind, target) in pairs])
    elif relation == "relations":
        _insert(InstrumentRelation, ("subject", "kind", "object"), [(pk, kind, target) for pk, (kind, target) in pairs])
    elif relation == "strategic_areas" and model in (Instrument, Provision):
        # Strategic areas hold these links ("draws on"); the demo record is the far end.
        m2m = StrategicArea._meta.get_field(model._meta.model_name + "s")
        _insert(
            m2m.remote_field.through,
            (m2m.m2m_field_name(), m2m.m2m_reverse_field_name()),
            [(area, pk) for pk, area in pairs],
        )
    else:
        m2m = model._meta.get_field(relation)
        _insert(m2m.remote_field.through, (m2m.m2m_field_name(), m2m.m2m_reverse_field_name()), pairs)


def _insert(model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
    """A plain many-row INSERT for link and tag rows, which have no defaults or save() logic to run.

    Building a model instance per row would cost more than writing it. Table and column names come from the
    models' metadata; every value is a bound parameter.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, BATCH_SIZE):
            cursor.executemany(sql, chunk)


def demo_data_generate(
    *,
    records: int,
    seed: int = DEFAULT_SEED,
    replace: bool = False,
    index: bool = True,
    progress: Callable[[str], None] | None = None,
) -> DemoReport:
    """Create ``records`` published demo records linked to the real ones, then rebuild the search index.

    Refuses (``DemoDataError``) when a planned slug is already taken, unless ``replace`` is given: then earlier demo
    records are removed first (and a slug still taken by a record that is not demo data is an error). With
    ``index=False`` the search index is left for the caller to rebuild.
    """
    if records < 1:
        raise DemoDataError("Give a positive number of records.")
    report = DemoReport()
    counts = planned_counts(records)
    started = time.perf_counter()
    with transaction.atomic():
        if _colliding_slugs(counts):
            if not replace:
                raise DemoDataError(
                    "Demo records already exist with the same slugs; use --replace to remove the earlier ones first."
                )
            report.deleted = demo_data_delete()
            taken = _colliding_slugs(counts)
            if taken:
                raise DemoDataError(f"Slugs taken by records that are not demo data: {', '.join(taken[:5])}")
        elif replace:
            report.deleted = demo_data_delete()
        report.seconds["delete"] = time.perf_counter() - started
        generator = _Generator(seed, RealRecords.load(), _tags(), progress)
        report.created = generator.run(counts)
    report.seconds["create"] = time.perf_counter() - started - report.seconds["delete"]
    if index:
        started = time.perf_counter()
        report.indexed = index_rebuild()
        report.seconds["index"] = time.perf_counter() - started
    return report
