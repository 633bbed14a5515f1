"""Changelists run the same number of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cop_kb.directory.models import Organisation
from instruments.models import Instrument
from programmes.models import Output, Partnership, Programme
from strategy.models import FocusArea

from .support import BUILDERS, RECORD_MODELS, admin_url, make

pytestmark = pytest.mark.django_db

FEW = 2
MANY = 10 * FEW


def add_rows(model, count: int) -> None:
    """Rows with every optional link a changelist shows filled in, and tags, so per-row lookups would show."""
    optional_links = {
        Organisation: lambda: {"parent": make(Organisation)},
        Instrument: lambda: {"issuing_body": make(Organisation)},
        Programme: lambda: {"focus_area": make(FocusArea)},
        Partnership: lambda: {"focus_area": make(FocusArea)},
        Output: lambda: {"publisher": make(Organisation)},
    }.get(model, dict)
    for _ in range(count):
        row = make(model, **optional_links())
        if model in RECORD_MODELS:
            row.tags.add("online safety", "grooming")


def count_queries(client, url: str) -> tuple[int, list[str], int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), [query["sql"] for query in queries.captured_queries], response.context["cl"].result_count


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda model: model._meta.label)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model):
    url = admin_url(model, "changelist")
    add_rows(model, FEW)
    admin_client.get(url)  # Warm per-process caches (content types, session) so both counts compare like for like.
    few, few_sql, few_rows = count_queries(admin_client, url)

    add_rows(model, MANY - FEW)
    many, many_sql, many_rows = count_queries(admin_client, url)

    assert many_rows > few_rows
    assert many == few, "\n".join(many_sql)
