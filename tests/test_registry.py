"""The registry of record types: every record model is in it once, in an order the framework can be loaded in."""

from types import SimpleNamespace

import pytest
from django.apps import apps

from cop_kb.records.links import LinkForeignKey
from cop_kb.records.models import Record
from cop_kb.records.registry import record_type, record_type_of, record_types


def test_every_concrete_record_model_is_registered_once():
    concrete = [model for model in apps.get_models() if issubclass(model, Record)]

    assert sorted(entry.model.__name__ for entry in record_types()) == sorted(model.__name__ for model in concrete)
    assert len({entry.content_key for entry in record_types()}) == len(concrete)


def test_every_single_link_points_at_a_type_registered_earlier():
    """The framework loader creates records in registration order, so a record's required links already exist."""
    seen: set = set()
    for entry in record_types():
        for field in entry.model._meta.fields:
            if isinstance(field, LinkForeignKey) and field.related_model is not entry.model:
                assert field.related_model in seen, f"{entry.label}.{field.name} points at a later type"
        seen.add(entry.model)


def test_a_record_type_is_found_by_its_label_with_its_names_and_list_page():
    entry = record_type_of("instruments.instrument")

    assert (entry.content_key, entry.name, entry.plural, entry.list_url()) == (
        "instrument",
        "Instrument",
        "Instruments",
        "/instruments/",
    )
    assert record_type_of("instruments.nothing") is None


def test_registering_a_type_twice_or_reusing_a_content_key_is_refused():
    instrument = record_type_of("instruments.instrument").model
    unregistered = type("Unregistered", (), {"_meta": SimpleNamespace(label_lower="tests.unregistered")})

    with pytest.raises(ValueError, match="registered twice"):
        record_type(content_key="another-key")(instrument)
    with pytest.raises(ValueError, match="already taken"):
        record_type(content_key="instrument")(unregistered)
    assert record_type_of("tests.unregistered") is None
