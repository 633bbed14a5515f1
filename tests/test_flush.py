"""What a ``transaction=True`` test leaves behind: ``flush`` empties every table (by DELETE on PostgreSQL, see
``tests/snapshot.py``) and, since it changes no schema, the post_migrate handlers leave the triggers as the last
migrate installed them; they keep the content version, the facet counts and the search index's names current."""

import pytest
from django.core.management import call_command

from cop_kb.records.content_version import watched_tables
from cop_kb.records.facet_counts import FacetCount, facet_counts_differences
from cop_kb.records.models import Status
from cop_kb.search.models import SearchDocument
from instruments.models import Instrument

from .factories import make
from .test_content_version import TokenWatch, tables_with_the_trigger

pytestmark = pytest.mark.django_db(transaction=True)


def test_after_a_flush_the_tables_are_empty_and_every_trigger_still_works():
    make(Instrument, title="Before the flush", status=Status.PUBLISHED, tags=["grooming"])

    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)

    assert not Instrument.objects.exists()
    assert not SearchDocument.objects.exists()
    assert not FacetCount.objects.exists()
    assert set(watched_tables()) <= tables_with_the_trigger()
    watch = TokenWatch()
    made = make(Instrument, title="After the flush", status=Status.PUBLISHED, tags=["grooming"])
    assert watch.changed()
    assert FacetCount.objects.filter(record_type="instruments.instrument", records__gt=0).exists()
    assert facet_counts_differences() == []
    assert SearchDocument.objects.filter(url=made.get_absolute_url()).exists()
    # The index's visibility triggers (cop_kb/search/visibility.py) are still there too.
    Instrument.objects.filter(pk=made.pk).update(status=Status.DRAFT)
    assert not SearchDocument.objects.filter(url=made.get_absolute_url()).exists()
