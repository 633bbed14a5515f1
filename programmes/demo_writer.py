"""Writing demo records: each record type's share, in batches, with tags, links and typed links, and the search
index rebuilt after (``demo_data_generate``). What a demo record is and how one is removed: ``programmes.demo_data``.
"""

import datetime
import random
import time
from collections.abc import Callable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from taggit.models import Tag, TaggedItem

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.facet_triggers import facet_counts_paused
from cop_kb.records.index import index_rebuild
from cop_kb.records.models import DatePrecision, Record, Status
from instruments.models import Instrument, InstrumentRelation, Provision, RelationKind
from strategy.models import Level, StrategicArea

from .demo_data import (
    BATCH_SIZE,
    DEFAULT_SEED,
    DEMO_MODELS,
    DEMO_TAG,
    FIRST_YEAR,
    LAST_YEAR,
    SLUG_PREFIX,
    DemoDataError,
    DemoReport,
    RealRecords,
    chunks,
    demo_data_delete,
    planned_counts,
    slug_for,
)
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


def _colliding_slugs(counts: dict[type[Record], int]) -> list[str]:
    taken = []
    for model, count in counts.items():
        existing = model.objects.filter(slug__startswith=f"{SLUG_PREFIX}{model._meta.model_name}-")
        planned = {slug_for(model, number) for number in range(1, count + 1)}
        taken += [slug for slug in existing.values_list("slug", flat=True) if slug in planned]
    return sorted(taken)


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
        self.tables: set[str] = set()  # every table written, for planner statistics

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
        self.tables.add(model._meta.db_table)
        content_type = ContentType.objects.get_for_model(model).pk
        tagged = []
        for pk in pks:
            tagged.append((self.tags[DEMO_TAG].pk, content_type, pk))
            for name in self.rng.sample(TOPIC_TAGS, self.rng.choice((0, 1, 1, 2))):
                tagged.append((self.tags[name].pk, content_type, pk))
        self.tables.add(_insert(TaggedItem, ("tag", "content_type", "object_id"), tagged))
        by_relation: dict[str, list[tuple]] = {}
        for pk, (_fields, links) in zip(pks, rows, strict=True):
            for relation, targets in links.items():
                by_relation.setdefault(relation, []).extend((pk, target) for target in targets)
        for relation, pairs in by_relation.items():
            if pairs:
                self.tables.add(_write_links(model, relation, pairs))


TYPED_LINKS: dict[type[Record], tuple[type[models.Model], str]] = {
    Programme: (ProgrammeOrganisation, "programme"),
    Activity: (ActivityOrganisation, "activity"),
    Partnership: (PartnershipMember, "partnership"),
}


def _write_links(model: type[Record], relation: str, pairs: list[tuple]) -> str:
    """Insert link rows: many-to-many through rows (held by either end) or typed link rows; the table written."""
    if relation == "organisations":
        link_model, source = TYPED_LINKS[model]
        return _insert(
            link_model, (source, "organisation", "kind"), [(pk, target, kind) for pk, (kind, target) in pairs]
        )
    if relation == "relations":
        return _insert(
            InstrumentRelation, ("subject", "kind", "object"), [(pk, kind, target) for pk, (kind, target) in pairs]
        )
    if relation == "strategic_areas" and model in (Instrument, Provision):
        # Strategic areas hold these links ("draws on"); the demo record is the far end.
        m2m = StrategicArea._meta.get_field(model._meta.model_name + "s")
        return _insert(
            m2m.remote_field.through,
            (m2m.m2m_field_name(), m2m.m2m_reverse_field_name()),
            [(area, pk) for pk, area in pairs],
        )
    m2m = model._meta.get_field(relation)
    return _insert(m2m.remote_field.through, (m2m.m2m_field_name(), m2m.m2m_reverse_field_name()), pairs)


def _insert(model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> str:
    """Plain many-row INSERTs for link and tag rows, which have no defaults or save() logic to run.

    Building a model instance per row would cost more than writing it. One statement per chunk of rows, not per row
    (``executemany``): every statement is a round trip, and on PostgreSQL fires the content version's statement
    trigger; 100,000 demo records have some 800,000 link rows. Table and column names come from the models'
    metadata; every value is a bound parameter. Returns the table's name.
    """
    table = model._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for chunk in chunks(rows, BATCH_SIZE):
            values = ", ".join([row] * len(chunk))
            sql = f"INSERT INTO {quote(table)} ({columns}) VALUES {values}"  # noqa: S608
            cursor.execute(sql, [value for one in chunk for value in one])
    return table


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
        with facet_counts_paused():
            report.created = generator.run(counts)
    report.seconds["create"] = time.perf_counter() - started - report.seconds["delete"]
    # Planner statistics for the tables just filled: without them SQLite (which never gathers them by itself)
    # starts a link query from every published record instead of from the links, 50 times slower at 100,000
    # records; PostgreSQL's autovacuum would gather them, but only minutes later. Only those tables: PostgreSQL
    # keeps a table's row count from an ANALYZE even when the transaction rolls back, and a table analysed while
    # empty (the search index, before its rebuild) is then planned as empty with thousands of rows in it.
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in sorted(generator.tables):
            cursor.execute(f"ANALYZE {quote(table)}")
    if index:
        started = time.perf_counter()
        report.indexed = index_rebuild()
        report.seconds["index"] = time.perf_counter() - started
    return report
