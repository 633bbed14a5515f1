"""The registry of record types: every record model is in it once, in an order the framework can be loaded in."""

from types import ModuleType, SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import clear_url_caches, reverse

from cop_kb import urls as site_urls
from cop_kb.records.facet_triggers import install_facet_counts
from cop_kb.records.links import LinkForeignKey
from cop_kb.records.models import Record, Status
from cop_kb.records.registry import record_type, record_type_by_slug, record_type_of, record_types, unregister
from cop_kb.records.services import record_create
from cop_kb.records.views import record_paths
from cop_kb.search.models import SearchDocument

from .test_content_version import TokenWatch, tables_with_the_trigger


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


def test_each_record_type_has_its_own_public_name_taken_from_its_list_page():
    slugs = [entry.slug for entry in record_types()]

    assert record_type_of("strategy.strategicarea").slug == "strategic-areas"
    assert len(set(slugs)) == len(slugs)
    assert all(record_type_by_slug(slug).slug == slug for slug in slugs)
    assert record_type_by_slug("nothing") is None


def test_registering_a_type_twice_or_reusing_a_content_key_is_refused():
    instrument = record_type_of("instruments.instrument").model
    unregistered = type("Unregistered", (), {"_meta": SimpleNamespace(label_lower="tests.unregistered")})

    with pytest.raises(ValueError, match="registered twice"):
        record_type(content_key="another-key")(instrument)
    with pytest.raises(ValueError, match="already taken"):
        record_type(content_key="instrument")(unregistered)
    assert record_type_of("tests.unregistered") is None


@pytest.fixture
def leaflets(transactional_db, settings):
    """A record type made up for the test — a model, its table and its two pages — and nothing else; gone after.

    The pages are added to the URLs the way an app's urls.py adds them; every other output must find the type
    through the registry alone.
    """

    class Leaflet(Record):
        url_name = "leaflet-detail"

        class Meta(Record.Meta):
            app_label = "directory"
            verbose_name = "leaflet"
            verbose_name_plural = "leaflets"

    record_type(content_key="leaflet")(Leaflet)
    with connection.schema_editor() as editor:
        editor.create_model(Leaflet)
    urls = ModuleType("leaflet_urls")
    urls.urlpatterns = [*record_paths("leaflets", Leaflet, "leaflet"), *site_urls.urlpatterns]
    settings.ROOT_URLCONF = urls
    clear_url_caches()
    yield Leaflet
    with connection.schema_editor() as editor:
        editor.delete_model(Leaflet)
    unregister(Leaflet)
    del apps.all_models["directory"]["leaflet"]
    apps.clear_cache()
    clear_url_caches()
    # As the migrate that removes a record type would: the facet triggers no longer read its table.
    install_facet_counts()


def test_a_new_record_type_appears_in_lists_search_sitemap_reports_and_the_index(client, admin_client, leaflets):
    leaflet = record_create(
        model=leaflets,
        fields={"slug": "safer-internet-leaflet", "title": "Safer internet leaflet", "status": Status.PUBLISHED},
    )

    listed = client.get("/leaflets/")
    assert listed.status_code == 200
    assert 'href="/leaflets/safer-internet-leaflet/"' in listed.content.decode()
    assert client.get(leaflet.get_absolute_url()).status_code == 200

    assert SearchDocument.objects.filter(url="/leaflets/safer-internet-leaflet/").exists()
    hits = client.get(reverse("search:search"), {"q": "safer internet leaflet"}).context["results"].hits
    assert [(hit.title, hit.type_label) for hit in hits] == [("Safer internet leaflet", "Leaflet")]

    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-directory.leaflet.xml" in index
    section = client.get("/sitemap-directory.leaflet.xml").content.decode()
    assert "/leaflets/safer-internet-leaflet/" in section

    report = admin_client.get(reverse("admin-data-quality"))
    groups = {group.label: [row["record"].title for row in group.rows] for group in report.context["groups"]}
    assert groups["Leaflets"] == ["Safer internet leaflet"]


def test_a_new_record_type_is_covered_after_migrate_without_code_of_its_own(leaflets):
    call_command("migrate", verbosity=0)  # what deploying a new record type runs; its table is made by the fixture
    assert leaflets._meta.db_table in tables_with_the_trigger()

    watch = TokenWatch()
    record_create(model=leaflets, fields={"slug": "leaflet", "title": "Leaflet", "status": Status.PUBLISHED})

    assert watch.changed()
    # Made a draft behind the write path's back, it leaves the index at once (cop_kb/search/visibility.py).
    leaflets.objects.filter(slug="leaflet").update(status=Status.DRAFT)
    assert not SearchDocument.objects.filter(url="/leaflets/leaflet/").exists()
