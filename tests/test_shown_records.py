"""Records made from raw rows for pages to show (``Record.shown``): the same record ``Model(**values)`` makes, in
an eighth of the time."""

import pytest
from django.db import connection
from django.db.models.signals import post_init
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
        shown, made = model.shown(**values), model(**values)
        assert fields_of(shown) == fields_of(made)
        # Nothing more and nothing less is set on it, and it is as new to Django (not from a database, not saved).
        assert vars(shown).keys() == vars(made).keys()
        assert (shown._state.adding, shown._state.db) == (made._state.adding, made._state.db) == (True, None)
        assert shown.get_absolute_url() == made.get_absolute_url()
    assert queries.captured_queries == []
    assert shown.is_public


def test_a_field_not_given_has_its_default():
    programme = Programme.shown(pk=7, slug="helplines", title="Helplines", year=2015)
    assert (programme.summary, programme.status, programme.year, programme.focus_area_id) == ("", "draft", 2015, None)


def test_a_name_that_is_no_field_is_refused():
    with pytest.raises(TypeError, match="no field 'titel'"):
        Programme.shown(pk=1, titel="Helplines")


def test_whoever_listens_to_a_new_record_hears_of_a_shown_one_too():
    heard = []

    def listener(sender, instance, **kwargs):
        heard.append((sender, instance.title))

    post_init.connect(listener, sender=Programme)
    try:
        Programme.shown(pk=7, slug="helplines", title="Helplines")
    finally:
        post_init.disconnect(listener, sender=Programme)
    assert heard == [(Programme, "Helplines")]
