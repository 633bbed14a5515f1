"""An unfiltered list takes its number of records from the kept counts, not from a count over every record; a
filtered one counts what its filters leave."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cop_kb.records.models import Status
from programmes.models import Programme

from .factories import make

pytestmark = pytest.mark.django_db


def page_and_statements(client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries]


def counts_over_programmes(statements: list[str]) -> list[str]:
    table = connection.ops.quote_name(Programme._meta.db_table)
    return [sql for sql in statements if re.search(r"COUNT\(\*\)", sql, re.I) and f"FROM {table}" in sql]


def test_an_unfiltered_list_pages_its_records_without_counting_them(client):
    for number in range(120):
        make(Programme, title=f"Listed {number:03}", year=2010 + number % 3)
    make(Programme, title="Withdrawn one", year=2012, status=Status.WITHDRAWN)

    html, statements = page_and_statements(client, "/programmes/?page=3")

    assert counts_over_programmes(statements) == []
    assert "Page 3 of 3" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert html.count('<li>\n        <h2><a href="/programmes/') == 20


def test_a_filtered_list_counts_what_its_filters_leave(client):
    for number in range(60):
        make(Programme, title=f"Listed {number:03}", year=2010 if number < 55 else 2020)

    html, statements = page_and_statements(client, "/programmes/?year_from=2020")

    assert counts_over_programmes(statements) != []
    assert html.count('<li>\n        <h2><a href="/programmes/') == 5
