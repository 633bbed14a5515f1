"""The database itself refuses what can never be right, whatever code path writes it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.services import record_create
from instruments.models import Instrument, InstrumentRelation, Provision
from strategy.models import StrategicArea

pytestmark = pytest.mark.django_db


def instrument(**overrides) -> Instrument:
    fields = {"slug": "i", "title": "Instrument", "official_title": "Instrument", "kind": "convention"}
    return Instrument(**{**fields, **overrides})


def assert_refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_slugs_are_unique_per_record_type():
    instrument(slug="crc").save()
    assert_refused(lambda: instrument(slug="crc", title="Another").save())


def test_status_must_be_a_known_state():
    assert_refused(lambda: instrument(status="secret").save())


def test_empty_slug_or_title_is_refused():
    assert_refused(lambda: instrument(slug="").save())
    assert_refused(lambda: instrument(slug="t", title="").save())


def test_kind_must_be_a_known_choice():
    assert_refused(lambda: instrument(kind="treaty-ish").save())


@pytest.mark.parametrize(
    ("earlier", "earlier_on", "entry_into_force_on"),
    [
        ("adopted", datetime.date(2000, 5, 25), datetime.date(1999, 1, 1)),
        ("opened_for_signature", datetime.date(2007, 10, 25), datetime.date(2007, 1, 1)),
    ],
    ids=["adoption", "signature"],
)
def test_entry_into_force_cannot_precede_adoption_or_signature_in_the_database(
    earlier, earlier_on, entry_into_force_on
):
    dates = {f"{earlier}_on": earlier_on, f"{earlier}_precision": "day"}
    assert_refused(
        lambda: instrument(**dates, entry_into_force_on=entry_into_force_on, entry_into_force_precision="day").save()
    )


def test_a_date_needs_its_precision_and_a_precision_needs_its_date():
    assert_refused(lambda: instrument(adopted_on=datetime.date(2008, 11, 1)).save())
    assert_refused(lambda: instrument(adopted_precision="year").save())


def test_validation_explains_a_date_order_mistake_in_words():
    bad = instrument(
        adopted_on=datetime.date(2000, 5, 25),
        adopted_precision="day",
        entry_into_force_on=datetime.date(1999, 1, 1),
        entry_into_force_precision="day",
    )
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "cannot be before adoption" in str(error.value.message_dict["entry_into_force_on"])


def test_service_writes_nothing_when_validation_fails():
    with pytest.raises(ValidationError):
        record_create(
            model=Instrument,
            fields={"slug": "x", "title": "X", "official_title": "X", "kind": "convention"},
            aliases=[{"name": "", "kind": "acronym"}],
        )
    assert not Instrument.objects.exists()


def test_country_codes_must_be_iso_shaped():
    assert_refused(lambda: Country(slug="a", title="A", iso_alpha2="a1", iso_alpha3="AAA").save())
    assert_refused(lambda: Country(slug="b", title="B", iso_alpha2="BB", iso_alpha3="bbb").save())
    Country(slug="c", title="C", iso_alpha2="CC", iso_alpha3="CCC").save()
    assert_refused(lambda: Country(slug="d", title="D", iso_alpha2="CC", iso_alpha3="DDD").save())


def test_an_instrument_cannot_relate_to_itself():
    crc = instrument(slug="crc")
    crc.save()
    assert_refused(lambda: InstrumentRelation.objects.create(subject=crc, object=crc, kind="supplements"))


def test_a_relation_is_recorded_once():
    crc, opsc = instrument(slug="crc"), instrument(slug="opsc")
    crc.save()
    opsc.save()
    InstrumentRelation.objects.create(subject=opsc, object=crc, kind="supplements")
    assert_refused(lambda: InstrumentRelation.objects.create(subject=opsc, object=crc, kind="supplements"))


def test_an_article_number_is_unique_within_its_instrument():
    crc = instrument(slug="crc")
    crc.save()
    Provision.objects.create(slug="crc-13", title="Article 13", instrument=crc, number="13")
    assert_refused(lambda: Provision.objects.create(slug="crc-13b", title="Article 13", instrument=crc, number="13"))


def test_strategic_areas_have_distinct_positions():
    StrategicArea.objects.create(slug="a", title="A", position=1)
    assert_refused(lambda: StrategicArea.objects.create(slug="b", title="B", position=1))


def test_an_organisation_cannot_be_its_own_ancestor():
    parent = Organisation.objects.create(slug="p", title="Parent", kind="un_agency")
    child = Organisation.objects.create(slug="c", title="Child", kind="unicef_unit", parent=parent)
    parent.parent = child
    with pytest.raises(ValidationError, match="cannot be part of itself"):
        parent.full_clean()


def test_markdown_body_is_rendered_and_sanitised_once_at_save():
    record = instrument(
        body="**Bold** [ok](https://example.org) [bad](javascript:alert(1)) <script>alert(1)</script>"
        '<img src=x onerror="alert(1)">'
    )
    record.save()
    assert "<strong>Bold</strong>" in record.body_html
    assert 'href="https://example.org"' in record.body_html
    for dangerous in ("javascript:", "<script", "onerror", "<img"):
        assert dangerous not in record.body_html
    stored = Instrument.objects.get(pk=record.pk)
    assert stored.body_html == record.body_html
