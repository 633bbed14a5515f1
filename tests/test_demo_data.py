"""Synthetic demo data: clearly marked, published, linked, searchable, reproducible, replaceable, and separate.

The generator writes with bulk inserts and renders body HTML itself, so these tests check what ``save()`` would
otherwise guarantee: valid links, the HTML matching the Markdown, and the search index covering the new records.
The real framework they build on is loaded once for the module (``framework``, tests/conftest.py); each test
generates its demo records inside its own savepoint, so none sees another's.
"""

import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag, TaggedItem

from cop_kb.records.facet_counts import facet_counts_differences, kept
from cop_kb.records.facets import TAG_FACET
from cop_kb.records.markdown import render_markdown
from cop_kb.records.models import Record, Status
from cop_kb.search.models import SearchDocument, Synonym
from cop_kb.search.selectors import search
from cop_kb.search.services import indexable_models
from programmes.demo_data import (
    DEMO_MODELS,
    DEMO_TAG,
    FIRST_YEAR,
    LAST_YEAR,
    SLUG_PREFIX,
    demo_records,
    real_records,
)
from programmes.demo_text import TITLE_PREFIX
from programmes.models import Activity, Output, Programme

from .factories import make

pytestmark = pytest.mark.django_db

RECORDS = 60
SEED = 7

EXECUTEMANY = re.compile(r"(\d+) times: ")


def generate(records: int = RECORDS, seed: int = SEED, **options) -> None:
    call_command("generate_demo_data", records=records, seed=seed, verbosity=0, **options)


@pytest.fixture
def demo(framework):
    generate()


def all_demo_records() -> list[Record]:
    return [record for model in DEMO_MODELS for record in demo_records(model).order_by("slug")]


def links(record: Record) -> dict[str, list[Record]]:
    """Every record ``record`` links to, by link name: its link fields, typed links and strategic areas."""
    found = {}
    for field in record._meta.get_fields():
        target = field.related_model
        if field.auto_created or not (isinstance(target, type) and issubclass(target, Record)):
            continue
        if field.many_to_many:
            found[field.name] = list(getattr(record, field.name).all())
        elif field.many_to_one:
            found[field.name] = [linked] if (linked := getattr(record, field.name)) else []
    for roles in ("organisation_roles", "members"):
        if hasattr(record, roles):
            found[roles] = [role.organisation for role in getattr(record, roles).all()]
    if "strategic_areas" not in found and hasattr(record, "strategic_areas"):
        found["strategic_areas"] = list(record.strategic_areas.all())  # held by the strategic area
    return found


def linked_slugs(record: Record) -> dict[str, list[str]]:
    """Links as slugs, so runs whose primary keys differ can be compared."""
    return {name: sorted(linked.slug for linked in records) for name, records in links(record).items()}


def snapshot() -> list[tuple]:
    return [
        (
            record.slug,
            record.title,
            record.summary,
            record.body,
            sorted(tag.name for tag in record.tags.all()),
            linked_slugs(record),
        )
        for record in all_demo_records()
    ]


def real_snapshot() -> dict[str, list[tuple]]:
    return {
        model._meta.label: list(real_records(model).order_by("pk").values_list("pk", "slug", "title", "updated_at"))
        for model in indexable_models()
    }


def words(text: str) -> int:
    return len([word for word in text.replace("**", "").split() if word not in {"-", "##"}])


def test_every_demo_record_is_marked_three_ways(demo):
    records = all_demo_records()
    assert len(records) == RECORDS
    for record in records:
        assert record.title.startswith(TITLE_PREFIX)
        assert record.slug.startswith(SLUG_PREFIX)
        assert DEMO_TAG in {tag.name for tag in record.tags.all()}


def test_demo_records_are_published_and_spread_over_the_main_types(demo):
    counts = {model: demo_records(model).count() for model in DEMO_MODELS}
    assert not any(demo_records(model).exclude(status=Status.PUBLISHED).exists() for model in DEMO_MODELS)
    assert counts[Programme] > counts[Activity] > 0
    assert counts[Output] > 0
    assert all(count > 0 for count in counts.values())


def test_demo_text_has_the_intended_shape(demo):
    for record in all_demo_records():
        assert 5 <= len(record.title.removeprefix(TITLE_PREFIX).split()) <= 12
        assert 30 <= words(record.summary) <= 60
        assert 100 <= words(record.body) <= 250
        # bulk_create skips save(), so the generator writes body_html itself: it must be what save() would write.
        assert record.body_html == render_markdown(record.body)
        year = getattr(record, "year", None)
        assert year is None or FIRST_YEAR <= year <= LAST_YEAR
    bodies = " ".join(record.body for record in all_demo_records())
    assert re.search(r"^## ", bodies, re.MULTILINE)
    assert re.search(r"^- ", bodies, re.MULTILINE)


def test_demo_links_lead_to_published_records_real_and_demo(demo):
    linked = [target for record in all_demo_records() for targets in links(record).values() for target in targets]
    assert all(target.status == Status.PUBLISHED for target in linked)
    assert any(target.slug.startswith(SLUG_PREFIX) for target in linked)
    real = {type(target) for target in linked if not target.slug.startswith(SLUG_PREFIX)}
    assert {"country", "strategicarea", "instrument", "focusarea", "organisation"} <= {
        model._meta.model_name for model in real
    }
    for programme in demo_records(Programme):
        assert programme.countries.exists()
        assert programme.strategic_areas.exists()
    for output in demo_records(Output).select_related("programme"):
        assert output.programme.slug.startswith(SLUG_PREFIX)


def test_a_vocabulary_word_finds_demo_records(demo):
    page = search(QueryDict("q=grooming"))
    assert page.total > 0
    assert any(hit.title.startswith(TITLE_PREFIX) for hit in page.hits)
    assert SearchDocument.objects.filter(slug__startswith=SLUG_PREFIX).count() == RECORDS

    narrowed = search(QueryDict(f"q=online&tag={Tag.objects.get(name=DEMO_TAG).slug}"))
    assert narrowed.total > 0
    assert all(hit.title.startswith(TITLE_PREFIX) for hit in narrowed.hits)


def test_the_same_seed_gives_the_same_records(demo):
    first = snapshot()
    generate(replace=True)
    assert snapshot() == first
    generate(seed=SEED + 1, replace=True)
    assert snapshot() != first


def test_generating_again_without_replace_is_refused(demo):
    before = snapshot()
    with pytest.raises(CommandError, match="--replace"):
        generate(seed=SEED + 1)
    assert snapshot() == before


def test_replace_removes_the_earlier_demo_records_with_their_tags_links_and_index_entries(demo):
    generate(records=30, replace=True)
    assert len(all_demo_records()) == 30
    assert TaggedItem.objects.filter(tag__name=DEMO_TAG).count() == 30
    assert SearchDocument.objects.filter(slug__startswith=SLUG_PREFIX).count() == 30
    assert not Programme.countries.through.objects.exclude(programme__in=Programme.objects.all()).exists()


def test_real_framework_content_is_untouched(framework):
    before = real_snapshot()
    real_documents = SearchDocument.objects.count()
    generate()
    generate(records=25, seed=SEED + 3, replace=True)
    assert real_snapshot() == before
    assert SearchDocument.objects.exclude(slug__startswith=SLUG_PREFIX).count() == real_documents


def test_a_demo_looking_slug_without_the_tag_is_never_removed(framework):
    impostor = Programme.objects.get(slug=Programme.objects.first().slug)
    impostor.slug = f"{SLUG_PREFIX}programme-000001"
    impostor.save()
    with pytest.raises(CommandError, match="not demo data"):
        generate(replace=True)
    assert Programme.objects.filter(pk=impostor.pk, slug=impostor.slug).exists()
    assert not any(demo_records(model).exists() for model in DEMO_MODELS)


def test_loading_the_framework_makes_no_demo_data(framework):
    assert not any(model.objects.filter(slug__startswith=SLUG_PREFIX).exists() for model in DEMO_MODELS)
    assert not Tag.objects.filter(name=DEMO_TAG).exists()


def test_the_tables_just_filled_have_planner_statistics(demo):
    """SQLite gathers none by itself, and plans link queries from every record without them."""
    table = Programme._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
            assert cursor.fetchone()[0] > 0
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            assert cursor.fetchone()[0] >= Programme.objects.count() > 0


def planned_rows(table: str) -> int | None:
    """How many rows the planner's statistics say ``table`` has; None before any (SQLite's statistics table exists
    only after a first ANALYZE; PostgreSQL says -1 for a table never analysed)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if "sqlite_stat1" not in connection.introspection.table_names(cursor):
                return None
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s ORDER BY idx LIMIT 1", [table])
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    # SQLite's ``stat`` starts with the row count ("23 1"); PostgreSQL's is a number.
    rows = int(float(str(row[0]).split()[0])) if row else -1
    return rows if rows >= 0 else None


def test_tables_it_did_not_write_keep_their_planner_statistics(framework):
    """PostgreSQL keeps an ANALYZE's row count through a rollback: analysing the empty search index (no_index)
    made every search plan of the tests after it a nested loop, minutes instead of seconds."""
    table = Synonym._meta.db_table
    before = planned_rows(table)
    # More synonyms than the statistics say there are, so an ANALYZE of this table would change them.
    for number in range((before or 0) + 1):
        Synonym.objects.create(terms=f"planner{number}, statistics{number}")

    generate(no_index=True)

    assert planned_rows(table) == before


def test_counts_kept_by_the_database_match_after_a_bulk_write_and_keep_counting(demo):
    """The generator writes with the count triggers off and counts once at the end; the triggers are back after."""
    assert facet_counts_differences() == []
    tagged = sum(kept(Programme, TAG_FACET).values())

    make(Programme, title="Written after the demo data", tags=["after-the-demo"])

    assert sum(kept(Programme, TAG_FACET).values()) == tagged + 1
    assert facet_counts_differences() == []


def inserting(logged: str) -> int:
    """How many INSERT statements a logged query stands for: Django logs an executemany as "<n> times: <sql>"."""
    many = EXECUTEMANY.match(logged)
    sql = logged[many.end() :] if many else logged
    if not sql.startswith("INSERT"):
        return 0
    return int(many.group(1)) if many else 1


def test_link_rows_are_written_a_chunk_per_statement_not_a_row(framework):
    """Each statement is a round trip, and on PostgreSQL it fires the content version's statement trigger: a statement
    per link row would send some 800,000 for 100,000 records. Each type's batch is one statement for its records, one
    for its tags and one per kind of link it has."""
    with CaptureQueriesContext(connection) as queries:
        generate(records=300)
    link_rows = TaggedItem.objects.filter(tag__name=DEMO_TAG).count() + sum(
        len(linked) for record in demo_records(Programme) for linked in links(record).values()
    )
    inserts = sum(inserting(query["sql"]) for query in queries.captured_queries)

    assert link_rows > 1000
    assert inserts < 10 * len(DEMO_MODELS)
