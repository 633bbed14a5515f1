"""The index follows every change editors make in the admin: text, tags, aliases, links, workflow, deletion."""

import pytest

from cop_kb.records.services import record_reindex
from cop_kb.search.models import SearchDocument
from instruments.models import Instrument
from programmes.models import Programme
from strategy.models import StrategicArea

from ..admin.support import admin_url, form_errors
from .support import admin_form_data, facet_counts, hit_titles, record, search_for

pytestmark = pytest.mark.django_db

ALIAS_PREFIX = "directory-alias-content_type-object_id"


def admin_save(admin_client, obj, **changes) -> None:
    """Open the record's change form, change some fields as an editor would, and save."""
    url = admin_url(type(obj), "change", obj.pk)
    data = admin_form_data(admin_client.get(url).content.decode())
    for name, value in changes.items():
        data[name.replace("__", "-")] = value if isinstance(value, list) else [value]
    response = admin_client.post(url, data)
    assert response.status_code == 302, form_errors(response)


def test_title_edited_in_the_admin_is_found_by_its_new_words_only(admin_client):
    made = record(Instrument, title="Axolotl convention")

    admin_save(admin_client, made, title="Quokka convention")

    assert hit_titles(search_for("quokka")) == ["Quokka convention"]
    assert hit_titles(search_for("axolotl")) == []


def test_tags_edited_in_the_admin_are_found_and_counted(admin_client):
    made = record(Instrument, title="Axolotl convention", tags=["wildlife"])

    admin_save(admin_client, made, tags="sextortion, grooming")

    assert hit_titles(search_for("sextortion")) == ["Axolotl convention"]
    assert hit_titles(search_for("wildlife")) == []
    assert facet_counts(search_for("axolotl"), "tag") == {"grooming": 1, "sextortion": 1}


def test_alias_added_in_the_admin_finds_the_record_and_is_named(admin_client):
    made = record(Instrument, title="Axolotl convention")
    page = admin_client.get(admin_url(Instrument, "change", made.pk)).content.decode()
    total = int(admin_form_data(page)[f"{ALIAS_PREFIX}-TOTAL_FORMS"][0])

    admin_save(
        admin_client,
        made,
        **{
            f"{ALIAS_PREFIX}__TOTAL_FORMS": str(total + 1),
            f"{ALIAS_PREFIX}__{total}__name": "Quokkanet Treaty",
            f"{ALIAS_PREFIX}__{total}__kind": "short_title",
        },
    )

    page = search_for("quokkanet")
    assert hit_titles(page) == ["Axolotl convention"]
    assert page.hits[0].matched_alias == "Quokkanet Treaty"


def test_alias_renamed_in_the_admin_no_longer_finds_the_record_by_its_old_name(admin_client):
    made = record(Instrument, title="Axolotl convention", aliases=[{"name": "Quokkanet", "kind": "acronym"}])
    assert hit_titles(search_for("quokkanet")) == ["Axolotl convention"]

    admin_save(admin_client, made, **{f"{ALIAS_PREFIX}__0__name": "Wombatnet"})

    assert hit_titles(search_for("quokkanet")) == []
    assert hit_titles(search_for("wombatnet")) == ["Axolotl convention"]


def test_record_deleted_in_the_admin_leaves_the_index(admin_client):
    made = record(Instrument, title="Axolotl convention")
    record(Instrument, title="Axolotl protocol")

    response = admin_client.post(admin_url(Instrument, "delete", made.pk), {"post": "yes"})

    assert response.status_code == 302
    assert hit_titles(search_for("axolotl")) == ["Axolotl protocol"]
    assert not SearchDocument.objects.filter(record_type="instruments.instrument", object_id=made.pk).exists()


def test_records_deleted_together_from_the_admin_list_leave_the_index(admin_client):
    doomed = [record(Instrument, title=f"Axolotl convention {number}") for number in range(2)]
    record(Instrument, title="Axolotl protocol")

    response = admin_client.post(
        admin_url(Instrument, "changelist"),
        {"action": "delete_selected", "_selected_action": [str(made.pk) for made in doomed], "post": "yes"},
    )

    assert response.status_code == 302
    assert hit_titles(search_for("axolotl")) == ["Axolotl protocol"]


def test_record_withdrawn_with_the_workflow_button_leaves_search_and_returns_when_published(admin_client):
    made = record(Instrument, title="Axolotl convention")

    admin_client.post(admin_url(Instrument, "transition", made.pk, "withdraw"))

    assert hit_titles(search_for("axolotl")) == []

    admin_client.post(admin_url(Instrument, "transition", made.pk, "publish"))

    assert hit_titles(search_for("axolotl")) == ["Axolotl convention"]


def test_programme_linked_to_a_strategic_area_in_the_admin_is_in_that_areas_facet(admin_client):
    area = record(StrategicArea, title="Online safety")
    programme = record(Programme, title="Axolotl programme")
    assert facet_counts(search_for("axolotl"), "strategic_area") == {}

    admin_save(admin_client, programme, strategic_areas=[str(area.pk)])

    # The area itself is found too, through the programme linking to it: the programmes alone are counted here.
    assert facet_counts(search_for("axolotl", type="programmes.programme"), "strategic_area") == {area.slug: 1}
    # The area is in its own facet, and found through the programme linking to it.
    assert hit_titles(search_for("axolotl", strategic_area=area.slug)) == ["Axolotl programme", "Online safety"]


def test_programme_unlinked_from_a_strategic_area_in_the_admin_leaves_that_areas_facet(admin_client):
    area = record(StrategicArea, title="Online safety")
    programme = record(Programme, title="Axolotl programme")
    admin_save(admin_client, programme, strategic_areas=[str(area.pk)])

    admin_save(admin_client, programme, strategic_areas=[])

    assert facet_counts(search_for("axolotl"), "strategic_area") == {}
    assert hit_titles(search_for("axolotl", strategic_area=area.slug)) == []


def test_strategic_area_renamed_in_the_admin_shows_its_new_name_in_the_facet(admin_client):
    area = record(StrategicArea, title="Online safety")
    programme = record(Programme, title="Axolotl programme")
    admin_save(admin_client, programme, strategic_areas=[str(area.pk)])

    admin_save(admin_client, area, title="Safety online and offline")

    page = search_for("axolotl", type="programmes.programme")
    group = next(group for group in page.facets if group.param == "strategic_area")
    assert [(choice.label, choice.count) for choice in group.options] == [("Safety online and offline", 1)]


def test_records_that_rank_the_same_keep_their_order_when_a_neighbour_changes():
    """Equal ranks are told apart by the document's id, which a record keeps when it is written again."""
    twins = [record(title=f"Quokka survey {letter}") for letter in "ab"]
    before = hit_titles(search_for("quokka survey"))
    ids = {document.object_id: document.pk for document in SearchDocument.objects.filter(title__startswith="Quokka")}

    record_reindex(twins[0])

    assert hit_titles(search_for("quokka survey")) == before
    assert {d.object_id: d.pk for d in SearchDocument.objects.filter(title__startswith="Quokka")} == ids
