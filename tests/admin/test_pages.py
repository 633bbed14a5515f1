"""Every admin page of every record and link model opens, and its add and change forms save."""

import itertools

import pytest
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.contenttypes.models import ContentType

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.models import Alias, AuditEvent, PendingChange, Source
from instruments.models import Instrument, InstrumentRelation, Provision, Topic
from programmes.models import (
    Activity,
    ActivityOrganisation,
    Output,
    Partnership,
    PartnershipMember,
    Programme,
    ProgrammeOrganisation,
)
from strategy.models import FocusArea, Principle, Right, Sector, StrategicArea

from .support import BUILDERS, LINK_MODELS, RECORD_MODELS, admin_url, form_errors, make, management_data

pytestmark = pytest.mark.django_db

ALL_MODELS = list(BUILDERS)
CONTENT_APPS = ("directory", "instruments", "strategy", "programmes")
_numbers = itertools.count(100)


def model_id(model) -> str:
    return model._meta.label


def record_data(model) -> dict:
    number = next(_numbers)
    return {
        "title": f"Posted {model._meta.model_name} {number}",
        "slug": f"posted-{model._meta.model_name}-{number}",
        "summary": "A short summary.",
        "body": "Some *Markdown*.",
        # Status is not a form field (only workflow steps change it); a tampered POST must not publish.
        "status": "published",
        "review_interval_days": "365",
        "tags": "online safety, research",
    }


def type_data(model) -> dict:
    """Valid values for the fields each type requires, with its links filled in where it has them."""
    number = next(_numbers)
    if model is Country:
        letter = chr(ord("A") + number % 26)
        return {"iso_alpha2": f"Z{letter}", "iso_alpha3": f"ZZ{letter}"}
    if model is Organisation:
        return {"kind": "un_body", "acronym": "UNX", "parent": make(Organisation).pk}
    if model is Instrument:
        return {
            "official_title": "Convention on Something",
            "kind": "convention",
            "adopted_on": "1989-11-20",
            "adopted_precision": "day",
            "entry_into_force_on": "1990-09-02",
            "entry_into_force_precision": "day",
            "issuing_body": make(Organisation).pk,
        }
    if model is Provision:
        return {"instrument": make(Instrument).pk, "number": "13", "position": "13"}
    if model is Topic:
        return {"position": number}
    if model is StrategicArea:
        return {
            "position": number,
            "provisions": [make(Provision).pk],
            "topics": [make(Topic).pk],
            "classification_basis": "Why the editors put it here.",
        }
    if model is Right:
        return {"side": "participation", "provisions": [make(Provision).pk]}
    if model is FocusArea:
        return {"level": "country", "position": number, "sectors": [make(Sector).pk]}
    if model is Principle:
        return {"scope": "country", "position": number, "statement": "Work with children.", "rights": [make(Right).pk]}
    if model is Programme:
        return {
            "kind": "research",
            "level": "global",
            "year": "2012",
            "instruments": [make(Instrument).pk],
            "countries": [make(Country).pk],
            "focus_area": make(FocusArea).pk,
        }
    if model is Partnership:
        return {"launched_on": "2008-05-01", "launched_precision": "month", "focus_area": make(FocusArea).pk}
    if model is Activity:
        return {"kind": "meeting", "level": "global", "partnership": make(Partnership).pk, "place": "Geneva"}
    if model is Output:
        return {"kind": "report", "year": "2012", "programme": make(Programme).pk, "publisher": make(Organisation).pk}
    if model is InstrumentRelation:
        return {"subject": make(Instrument).pk, "kind": "amends", "object": make(Instrument).pk}
    if model is ProgrammeOrganisation:
        return {"programme": make(Programme).pk, "organisation": make(Organisation).pk, "kind": "lead"}
    if model is PartnershipMember:
        return {"partnership": make(Partnership).pk, "organisation": make(Organisation).pk, "kind": "partner"}
    if model is ActivityOrganisation:
        return {"activity": make(Activity).pk, "organisation": make(Organisation).pk, "kind": "audience"}
    return {}


def valid_data(model) -> dict:
    data = type_data(model)
    if model in RECORD_MODELS:
        data = {**record_data(model), **data}
    return data


def test_every_content_model_but_alias_and_source_has_an_admin_page():
    registered = {model for model in admin.site._registry if model._meta.app_label in CONTENT_APPS}
    assert registered == {*ALL_MODELS, AuditEvent, PendingChange}
    assert Alias not in admin.site._registry
    assert Source not in admin.site._registry


@pytest.mark.parametrize("model", RECORD_MODELS, ids=model_id)
def test_record_admin_edits_aliases_and_sources_inline(model):
    inline_models = {inline.model for inline in admin.site._registry[model].inlines}
    assert {Alias, Source} <= inline_models


@pytest.mark.parametrize("model", ALL_MODELS, ids=model_id)
def test_changelist_lists_existing_rows(admin_client, model):
    row = make(model)
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert row in response.context["cl"].result_list


@pytest.mark.parametrize("model", ALL_MODELS, ids=model_id)
def test_changelist_search_finds_by_title(admin_client, model):
    row = make(model)
    term = str(row).split(" ")[0] if model in LINK_MODELS else row.title
    response = admin_client.get(admin_url(model, "changelist"), {"q": term})
    assert response.status_code == 200
    assert row in response.context["cl"].result_list


@pytest.mark.parametrize("model", ALL_MODELS, ids=model_id)
def test_add_page_opens(admin_client, model):
    response = admin_client.get(admin_url(model, "add"))
    assert response.status_code == 200
    assert b'name="_save"' in response.content


@pytest.mark.parametrize("model", ALL_MODELS, ids=model_id)
def test_posting_a_valid_add_form_creates_the_object(admin_client, model):
    add_url = admin_url(model, "add")
    data = {**management_data(admin_client.get(add_url).content.decode()), **valid_data(model)}
    before = model.objects.count()

    response = admin_client.post(add_url, data)

    assert response.status_code == 302, form_errors(response)
    assert model.objects.count() == before + 1
    if model in RECORD_MODELS:
        created = model.objects.get(slug=data["slug"])
        assert created.title == data["title"]
        assert created.body_html.strip() == "<p>Some <em>Markdown</em>.</p>"
        assert sorted(created.tags.names()) == ["online safety", "research"]


@pytest.mark.parametrize("model", ALL_MODELS, ids=model_id)
def test_change_page_opens_and_a_change_saves(admin_client, model):
    row = make(model)
    change_url = admin_url(model, "change", row.pk)
    page = admin_client.get(change_url)
    assert page.status_code == 200

    data = {**management_data(page.content.decode()), **valid_data(model)}
    response = admin_client.post(change_url, data)

    assert response.status_code == 302, form_errors(response)
    row.refresh_from_db()
    if model in RECORD_MODELS:
        assert row.title == data["title"]
        assert row.status == "draft"
    else:
        assert row.kind == data["kind"]


@pytest.mark.parametrize("model", RECORD_MODELS, ids=model_id)
def test_change_page_links_to_the_record_on_the_site(admin_client, model):
    row = make(model)
    response = admin_client.get(admin_url(model, "change", row.pk))
    content_type = ContentType.objects.get_for_model(model)
    assert f'href="/admin/r/{content_type.pk}/{row.pk}/"'.encode() in response.content


@pytest.mark.parametrize("model", RECORD_MODELS, ids=model_id)
def test_every_editable_field_is_on_the_form(model):
    model_admin = admin.site._registry[model]
    shown = set(flatten_fieldsets(model_admin.fieldsets))
    editable = {
        field.name
        for field in [*model._meta.fields, *model._meta.many_to_many]
        if field.editable and not field.auto_created
    }
    assert "tags" in editable
    assert editable - shown == set()
    links = {
        name
        for name in editable - set(model_admin.readonly_fields)
        if model._meta.get_field(name).is_relation and name != "tags"
    }
    assert links - set(model_admin.autocomplete_fields) == set()
