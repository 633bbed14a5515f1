"""A record's page reads its tags, aliases and sources with statements prepared once (``with_own_rows``): the same
rows a prefetch gives, tags by name, in one query each, and relations that still query like any other."""

import html as html_module
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cop_kb.records.own_rows import OWN_ROWS, with_own_rows
from cop_kb.records.registry import record_models
from programmes.models import Programme

from .factories import make

pytestmark = pytest.mark.django_db

TAGS = ["violence", "Anti-bullying", "helplines", "zines", "Child rights"]
ALIASES = [{"name": "Second name"}, {"name": "A first name"}, {"name": "Third name"}]
SOURCES = [
    {"title": "Official page", "url": "https://example.org/official", "supports": "its title"},
    {"title": "Annual report", "url": "https://example.org/report", "supports": "its year"},
]


def fields_of(records) -> list[dict]:
    return [
        {model_field.attname: getattr(row, model_field.attname) for model_field in row._meta.concrete_fields}
        for row in records
    ]


@pytest.mark.parametrize("model", record_models(), ids=lambda model: model._meta.label_lower)
def test_the_rows_are_those_a_prefetch_gives_with_the_tags_by_name(model):
    record = make(model, tags=TAGS, aliases=ALIASES, sources=SOURCES)
    make(model, tags=["other"], aliases=[{"name": "Not its alias"}], sources=[{"title": "Not its source"}])
    prefetched = model.objects.for_detail().get(pk=record.pk)
    loaded = model.objects.for_page().get(pk=record.pk)

    with CaptureQueriesContext(connection) as queries:
        with_own_rows(loaded)
        own = {name: list(getattr(loaded, name).all()) for name in OWN_ROWS}
    assert len(queries) == len(OWN_ROWS)

    assert [tag.name for tag in own["tags"]] == sorted(TAGS, key=str)
    assert fields_of(own["tags"]) == sorted(fields_of(prefetched.tags.all()), key=lambda tag: tag["name"])
    assert fields_of(own["aliases"]) == fields_of(prefetched.aliases.all())
    assert fields_of(own["sources"]) == fields_of(prefetched.sources.all())
    assert all(not row._state.adding for rows in own.values() for row in rows)


def test_a_relation_asked_anew_still_reads_the_database():
    record = make(Programme, tags=TAGS, aliases=ALIASES)
    with_own_rows(record)
    assert list(record.aliases.filter(name__startswith="A ").values_list("name", flat=True)) == ["A first name"]
    assert record.tags.filter(name="zines").count() == 1


def page_and_queries(client, record) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def items(html: str, list_class: str) -> list[str]:
    """The texts of the items of the page's list of ``list_class``, tags stripped."""
    found = re.search(rf'<ul class="{list_class}">(.*?)</ul>', html, re.S)
    return [
        html_module.unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r"<li>(.*?)</li>", found[1], re.S)
    ]


def test_a_page_lists_its_tags_by_name_in_the_same_number_of_queries(client):
    record = make(Programme, tags=TAGS, aliases=ALIASES, sources=SOURCES)
    bare = make(Programme)

    html, queries = page_and_queries(client, record)
    _bare_html, bare_queries = page_and_queries(client, bare)

    assert items(html, "inline tags") == sorted(TAGS, key=str)
    by_title = sorted(SOURCES, key=lambda source: source["title"])
    assert items(html, "sources") == [f"{source['title']} — {source['supports']}" for source in by_title]
    assert queries == bare_queries
