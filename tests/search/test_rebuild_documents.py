"""A full rebuild writes exactly what the per-record write path writes: the same documents, column by column, and
the same facets, for the real framework and for linked demo records (names of linked records included).

The rebuild has a bulk path of its own (rounds of records, COPY on PostgreSQL, index upkeep deferred), kept fast
for 100,000 records; this is what keeps it honest.
"""

import pytest
from django.core.management import call_command

from cop_kb.search.models import SearchDocument, SearchFacet
from cop_kb.search.services import DOCUMENT_COLUMNS, indexable_models, search_index_rebuild, search_index_update

pytestmark = pytest.mark.django_db


def indexed() -> tuple[dict, dict]:
    """Every document's columns and every document's facets, by (content type, record id)."""
    documents = {(row[0], row[1]): row for row in SearchDocument.objects.order_by().values_list(*DOCUMENT_COLUMNS)}
    facets: dict[tuple, list] = {}
    rows = SearchFacet.objects.order_by("facet", "value").values_list(
        "document__content_type_id", "document__object_id", "facet", "value"
    )
    for content_type_id, object_id, facet, value in rows:
        facets.setdefault((content_type_id, object_id), []).append((facet, value))
    return documents, facets


def test_rebuild_writes_the_same_documents_and_facets_as_the_write_path(framework):
    call_command("generate_demo_data", records=120, seed=3, no_index=True, verbosity=0)
    search_index_update(record for model in indexable_models() for record in model.objects.public())
    documents, facets = indexed()

    written = search_index_rebuild()

    assert indexed() == (documents, facets)
    assert written == len(documents) > 200
    # The demo records link to each other and to the framework: their documents carry those names.
    assert sum(bool(row[DOCUMENT_COLUMNS.index("backlinked")]) for row in documents.values()) > 50
