"""What editors meet while editing: errors that say what to fix, inlines both ways, autocomplete, search, filters."""

import pytest

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.models import Alias, Source
from instruments.models import Instrument, InstrumentRelation
from programmes.models import Programme, ProgrammeOrganisation

from .support import admin_url, form_errors, make, management_data

pytestmark = pytest.mark.django_db

ALIAS_PREFIX = "directory-alias-content_type-object_id"
SOURCE_PREFIX = "directory-source-content_type-object_id"


def instrument_data(**overrides) -> dict:
    return {
        "title": "Convention on the Rights of the Child",
        "slug": "crc",
        "official_title": "Convention on the Rights of the Child",
        "kind": "convention",
        "review_interval_days": "365",
        **overrides,
    }


def add_form(client, model) -> dict:
    return management_data(client.get(admin_url(model, "add")).content.decode())


def test_instrument_in_force_before_adoption_is_refused_with_what_to_fix(admin_client):
    data = {
        **add_form(admin_client, Instrument),
        **instrument_data(
            adopted_on="1989-11-20",
            adopted_precision="day",
            entry_into_force_on="1988-01-01",
            entry_into_force_precision="day",
        ),
    }

    response = admin_client.post(admin_url(Instrument, "add"), data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["entry_into_force_on"] == ["Entry into force cannot be before adoption (1989-11-20)."]
    assert b"Entry into force cannot be before adoption (1989-11-20)." in response.content
    assert not Instrument.objects.exists()


def test_date_without_precision_asks_for_the_precision(admin_client):
    data = {**add_form(admin_client, Instrument), **instrument_data(adopted_on="1989-11-20")}

    response = admin_client.post(admin_url(Instrument, "add"), data)

    assert response.context["adminform"].form.errors["adopted_precision"] == [
        "Say how much of the date is known (day, month or year)."
    ]
    assert not Instrument.objects.exists()


def test_instrument_is_added_with_aliases_sources_and_an_outgoing_relation(admin_client):
    convention = make(Instrument, title="Convention on the Rights of the Child")
    data = {
        **add_form(admin_client, Instrument),
        **instrument_data(title="Optional Protocol on the sale of children", slug="opsc", kind="optional_protocol"),
        f"{ALIAS_PREFIX}-TOTAL_FORMS": "1",
        f"{ALIAS_PREFIX}-0-name": "OPSC",
        f"{ALIAS_PREFIX}-0-kind": "acronym",
        f"{SOURCE_PREFIX}-TOTAL_FORMS": "1",
        f"{SOURCE_PREFIX}-0-title": "OHCHR page",
        f"{SOURCE_PREFIX}-0-url": "ohchr.org/en/instruments",
        "relations_out-TOTAL_FORMS": "1",
        "relations_out-0-kind": "supplements",
        "relations_out-0-object": str(convention.pk),
    }

    response = admin_client.post(admin_url(Instrument, "add"), data)

    assert response.status_code == 302, form_errors(response)
    protocol = Instrument.objects.get(slug="opsc")
    assert [alias.name for alias in protocol.aliases.all()] == ["OPSC"]
    assert protocol.sources.get().url == "https://ohchr.org/en/instruments"
    relation = InstrumentRelation.objects.get()
    assert (relation.subject, relation.kind, relation.object) == (protocol, "supplements", convention)


def test_instrument_change_page_shows_relations_both_ways(admin_client):
    convention = make(Instrument, title="Convention on the Rights of the Child")
    protocol = make(Instrument, title="Optional Protocol on the sale of children")
    InstrumentRelation.objects.create(subject=protocol, kind="supplements", object=convention)

    response = admin_client.get(admin_url(Instrument, "change", convention.pk))

    formsets = {inline.formset.prefix: inline for inline in response.context["inline_admin_formsets"]}
    assert [form.instance.subject for form in formsets["relations_in"].formset.initial_forms] == [protocol]
    assert formsets["relations_out"].formset.initial_forms == []
    assert b"Relations to other instruments" in response.content
    assert b"Relations from other instruments" in response.content


def test_same_alias_twice_in_other_capitals_is_refused_not_a_server_error(admin_client):
    data = {
        **add_form(admin_client, Instrument),
        **instrument_data(),
        f"{ALIAS_PREFIX}-TOTAL_FORMS": "2",
        f"{ALIAS_PREFIX}-0-name": "CRC",
        f"{ALIAS_PREFIX}-0-kind": "acronym",
        f"{ALIAS_PREFIX}-1-name": "crc",
        f"{ALIAS_PREFIX}-1-kind": "acronym",
    }

    response = admin_client.post(admin_url(Instrument, "add"), data)

    assert response.status_code == 200
    assert "The alias “crc” is given twice" in form_errors(response)
    assert not Instrument.objects.exists()
    assert not Alias.objects.exists()


def test_country_codes_are_taken_in_any_case_and_checked_for_shape(admin_client):
    base = {**add_form(admin_client, Country), "title": "Kenya", "slug": "kenya", "review_interval_days": "365"}

    refused = admin_client.post(admin_url(Country, "add"), {**base, "iso_alpha2": "k1", "iso_alpha3": "ken"})
    assert refused.context["adminform"].form.errors["iso_alpha2"] == ["Enter the 2-letter ISO 3166-1 code, e.g. KE."]

    saved = admin_client.post(admin_url(Country, "add"), {**base, "iso_alpha2": "ke", "iso_alpha3": "ken"})
    assert saved.status_code == 302, form_errors(saved)
    country = Country.objects.get(slug="kenya")
    assert (country.iso_alpha2, country.iso_alpha3) == ("KE", "KEN")


def test_programme_roles_are_edited_inline(admin_client):
    organisation = make(Organisation, title="Innocenti Research Centre")
    programme = make(Programme)
    page = admin_client.get(admin_url(Programme, "change", programme.pk)).content.decode()
    data = {
        **management_data(page),
        "title": programme.title,
        "slug": programme.slug,
        "kind": programme.kind,
        "level": programme.level,
        "review_interval_days": "365",
        "organisation_roles-TOTAL_FORMS": "1",
        "organisation_roles-0-organisation": str(organisation.pk),
        "organisation_roles-0-kind": "lead",
    }

    response = admin_client.post(admin_url(Programme, "change", programme.pk), data)

    assert response.status_code == 302, form_errors(response)
    role = ProgrammeOrganisation.objects.get()
    assert (role.programme, role.organisation, role.kind) == (programme, organisation, "lead")


def test_autocomplete_finds_instruments_to_link_from_a_programme(admin_client):
    convention = make(Instrument, title="Convention on the Rights of the Child", short_title="", acronym="CRC")
    make(Instrument, title="Optional Protocol on the sale of children")

    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "programmes", "model_name": "programme", "field_name": "instruments", "term": "conv"},
    )

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": str(convention.pk), "text": "CRC — Convention on the Rights of the Child (Instrument)"}
    ]


def test_autocomplete_and_search_find_a_record_by_its_alias(admin_client):
    convention = make(Instrument, title="Convention on the Rights of the Child")
    make(Instrument, title="Council of Europe Convention on Cybercrime")
    Alias.objects.create(record=convention, name="UNCRC", kind="acronym")

    suggestions = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "programmes", "model_name": "programme", "field_name": "instruments", "term": "uncrc"},
    )
    changelist = admin_client.get(admin_url(Instrument, "changelist"), {"q": "UNCRC"})

    assert [result["id"] for result in suggestions.json()["results"]] == [str(convention.pk)]
    assert list(changelist.context["cl"].result_list) == [convention]


def test_changelist_filters_by_tag_used_on_that_type(admin_client):
    tagged = make(Instrument)
    tagged.tags.add("grooming")
    make(Instrument)
    make(Programme).tags.add("research")

    response = admin_client.get(admin_url(Instrument, "changelist"), {"tag": "grooming"})

    assert list(response.context["cl"].result_list) == [tagged]
    assert b"?tag=grooming" in response.content
    assert b"?tag=research" not in response.content


@pytest.mark.parametrize("model", [Alias, Source], ids=lambda model: model._meta.label)
def test_aliases_and_sources_have_no_page_of_their_own(admin_client, model):
    response = admin_client.get(f"/admin/directory/{model._meta.model_name}/")
    assert response.status_code == 404
