"""Link pickers that tell records apart (short name, title and type), and the slug a new record's title fills in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cop_kb.directory.models import Organisation
from cop_kb.records.admin_pickers import picker_label
from cop_kb.records.models import SlugHistory, Status
from instruments.models import Instrument, InstrumentRelation
from programmes.models import Programme
from strategy.models import Sector

from ..factories import make, make_typed_link
from .support import admin_url, form_errors, management_data

pytestmark = pytest.mark.django_db

LANZAROTE = "Council of Europe Convention on the Protection of Children against Sexual Exploitation and Sexual Abuse"
BUDAPEST = "Council of Europe Convention on Cybercrime"


def autocomplete(client, term: str, *, model: str = "programme", field: str = "instruments", app: str = "programmes"):
    response = client.get(
        "/admin/autocomplete/", {"app_label": app, "model_name": model, "field_name": field, "term": term}
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


@pytest.fixture
def conventions():
    return (
        make(Instrument, title=LANZAROTE, short_title="Lanzarote Convention", acronym=""),
        make(Instrument, title=BUDAPEST, short_title="Budapest Convention", acronym=""),
    )


def test_the_two_council_of_europe_conventions_are_told_apart_by_short_name_and_type(admin_client, conventions):
    assert sorted(autocomplete(admin_client, "Council of Europe")) == [
        "Budapest Convention — Council of Europe Convention on Cybercrime (Instrument)",
        "Lanzarote Convention — Council of Europe Convention on the Protection of Children against Sexual "
        "Exploitation and Sexual A… (Instrument)",
    ]


def test_a_short_name_comes_from_the_records_own_fields_then_its_aliases():
    by_field = make(
        Instrument, title="International Labour Organization Convention 182", short_title="", acronym="C182"
    )
    by_alias = make(
        Sector, title="Information and communication technology", aliases=[{"name": "ICT", "kind": "acronym"}]
    )
    short_title_first = make(
        Sector,
        title="Internet governance",
        aliases=[{"name": "IG", "kind": "acronym"}, {"name": "Governance", "kind": "short_title"}],
    )
    other_names_only = make(Sector, title="Education", aliases=[{"name": "Schooling", "kind": "alternative"}])
    same_as_title = make(Organisation, title="UNICEF", acronym="unicef")

    assert [picker_label(record) for record in (by_field, by_alias, short_title_first, other_names_only)] == [
        "C182 — International Labour Organization Convention 182 (Instrument)",
        "ICT — Information and communication technology (Sector)",
        "Governance — Internet governance (Sector)",
        "Education (Sector)",
    ]
    assert picker_label(same_as_title) == "UNICEF (Organisation)"


def test_every_record_picker_answers_with_the_label_typed_links_included(admin_client, conventions):
    make(Organisation, title="Council of Europe", acronym="CoE")

    assert autocomplete(admin_client, "Council", model="instrument", field="issuing_body", app="instruments") == [
        "CoE — Council of Europe (Organisation)"
    ]
    assert autocomplete(admin_client, "Cybercrime", model="instrumentrelation", field="object", app="instruments") == [
        "Budapest Convention — Council of Europe Convention on Cybercrime (Instrument)"
    ]


def test_the_records_already_chosen_show_the_same_label(admin_client, conventions):
    lanzarote, budapest = conventions
    programme = make(Programme)
    programme.instruments.set([lanzarote])
    relation = make_typed_link(InstrumentRelation, lanzarote, budapest)

    page = admin_client.get(admin_url(Programme, "change", programme.pk)).content.decode()
    relation_page = admin_client.get(admin_url(InstrumentRelation, "change", relation.pk)).content.decode()

    assert f"selected>Lanzarote Convention — {LANZAROTE[:99]}… (Instrument)</option>" in page
    assert "selected>Budapest Convention — Council of Europe Convention on Cybercrime (Instrument)</option>" in (
        relation_page
    )


def test_autocomplete_runs_the_same_queries_for_one_result_or_many(admin_client):
    def count(term: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            results = autocomplete(admin_client, term)
        return len(queries), len(results)

    make(Instrument, title="Convention alone", aliases=[{"name": "CA", "kind": "acronym"}])
    autocomplete(admin_client, "Convention")  # warm per-process caches
    one = count("Convention")
    for number in range(8):
        make(Instrument, title=f"Convention {number}", aliases=[{"name": f"C{number}", "kind": "acronym"}])

    many = count("Convention")

    assert many[1] > one[1]
    assert many[0] == one[0]


def test_the_record_forms_load_the_picker_script_and_styles_from_static_files(admin_client):
    page = admin_client.get(admin_url(Programme, "add")).content.decode()

    assert '<script src="/static/js/admin-link-pickers.js"></script>' in page
    assert 'href="/static/css/admin-records.css"' in page
    assert page.index("admin/js/jquery.init.js") < page.index("js/admin-link-pickers.js")


def test_a_new_records_slug_follows_its_title_and_says_so(admin_client):
    response = admin_client.get(admin_url(Programme, "add"))

    prepopulated = response.context["adminform"].prepopulated_fields
    assert [(field["field"].name, [d.name for d in field["dependencies"]]) for field in prepopulated] == [
        ("slug", ["title"])
    ]
    assert "filled in from the title as you type it" in response.content.decode()


def test_a_saved_records_slug_is_not_refilled_from_its_title(admin_client):
    programme = make(Programme)

    response = admin_client.get(admin_url(Programme, "change", programme.pk))

    assert response.context["adminform"].prepopulated_fields == []
    assert "filled in from the title" not in response.content.decode()
    assert "Permanent address of the page." in response.content.decode()


def test_a_slug_typed_on_the_add_form_is_saved_and_a_later_change_redirects(admin_client, client):
    page = admin_client.get(admin_url(Sector, "add"))
    data = {
        **management_data(page.content.decode()),
        "title": "Online gaming",
        "slug": "online-gaming",
        "review_interval_days": "365",
    }
    response = admin_client.post(admin_url(Sector, "add"), data)
    assert response.status_code == 302, form_errors(response)
    sector = Sector.objects.get(slug="online-gaming")
    assert not SlugHistory.objects.exists()

    sector.status = Status.PUBLISHED
    sector.save()
    page = admin_client.get(admin_url(Sector, "change", sector.pk))
    response = admin_client.post(
        admin_url(Sector, "change", sector.pk),
        {**data, **management_data(page.content.decode()), "slug": "online-games"},
    )
    assert response.status_code == 302, form_errors(response)

    assert client.get("/sectors/online-gaming/").url == "/sectors/online-games/"
