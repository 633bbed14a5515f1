"""Records made from raw rows for pages to show (``Record.shown``): the same record ``Model(**values)`` makes, in
a quarter of the time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cop_kb.records.models import Status
from cop_kb.records.registry import record_models
from programmes.models import Programme

pytestmark = pytest.mark.django_db


def fields_of(record) -> dict:
    return {model_field.attname: getattr(record, model_field.attname) for model_field in record._meta.concrete_fields}


@pytest.mark.parametrize("model", record_models(), ids=lambda model: model._meta.label_lower)
def test_a_shown_record_is_the_record_django_makes_from_the_same_values(model):
    values = {"pk": 7, "slug": "helplines", "title": "Helplines", "status": Status.PUBLISHED}
    with CaptureQueriesContext(connection) as queries:
        shown = model.shown(**values)
        assert fields_of(shown) == fields_of(model(**values))
        assert shown.get_absolute_url() == model(**values).get_absolute_url()
    assert queries.captured_queries == []
    assert shown.is_public


def test_a_field_not_given_has_its_default():
    programme = Programme.shown(pk=7, slug="helplines", title="Helplines", year=2015)
    assert (programme.summary, programme.status, programme.year, programme.focus_area_id) == ("", "draft", 2015, None)


def test_a_name_that_is_no_field_is_refused():
    with pytest.raises(TypeError, match="no field 'titel'"):
        Programme.shown(pk=1, titel="Helplines")
