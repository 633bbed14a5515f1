"""Renaming a record's slug in the admin: old addresses of public records redirect permanently, nothing else leaks."""

import pytest
from django.urls import reverse

from cop_kb.records.models import SlugHistory, Status
from instruments.models import Instrument

from ..admin.support import form_errors
from ..factories import make
from .support import admin_url, edit_in_admin, form_data, transition_url, versions_of

pytestmark = pytest.mark.django_db


def url(slug: str) -> str:
    return reverse("instruments:detail", kwargs={"slug": slug})


def rename(client, record, slug: str) -> None:
    response = edit_in_admin(client, record, slug=slug)
    assert response.status_code == 302, form_errors(response)
    record.refresh_from_db()
    assert record.slug == slug


def test_old_address_of_a_renamed_published_record_redirects_permanently(client, publisher_client):
    record = make(Instrument, status=Status.PUBLISHED, slug="lanzarote", title="Lanzarote Convention")

    rename(publisher_client, record, "cets-201")

    response = client.get(url("lanzarote"))
    assert response.status_code == 301
    assert response["Location"] == url("cets-201")
    page = client.get(url("cets-201"))
    assert page.status_code == 200
    assert "Lanzarote Convention" in page.content.decode()


def test_old_address_of_a_renamed_draft_is_not_found(client, publisher_client):
    record = make(Instrument, status=Status.DRAFT, slug="draft-old", title="Draft convention")

    rename(publisher_client, record, "draft-new")

    for slug in ("draft-old", "draft-new"):
        response = client.get(url(slug))
        assert response.status_code == 404
        assert b"Draft convention" not in response.content


def test_renaming_back_serves_the_first_address_and_redirects_the_second(client, publisher_client):
    record = make(Instrument, status=Status.PUBLISHED, slug="first")

    rename(publisher_client, record, "second")
    rename(publisher_client, record, "first")

    assert client.get(url("first")).status_code == 200
    response = client.get(url("second"), follow=True)
    assert response.redirect_chain == [(url("first"), 301)]
    assert response.status_code == 200
    assert list(SlugHistory.objects.values_list("slug", flat=True)) == ["second"]


def test_every_former_address_redirects_straight_to_the_current_one(client, publisher_client):
    record = make(Instrument, status=Status.PUBLISHED, slug="one")

    rename(publisher_client, record, "two")
    rename(publisher_client, record, "three")

    for old in ("one", "two"):
        response = client.get(url(old), follow=True)
        assert response.redirect_chain == [(url("three"), 301)]


def test_former_address_of_a_record_no_longer_public_is_not_found(client, publisher_client):
    record = make(Instrument, status=Status.PUBLISHED, slug="was-public", title="Withdrawn after rename")
    rename(publisher_client, record, "renamed-then-withdrawn")

    publisher_client.post(transition_url(record, "withdraw"))

    never = client.get(url("never-existed"))
    for slug in ("was-public", "renamed-then-withdrawn"):
        response = client.get(url(slug))
        assert response.status_code == 404
        assert response.content == never.content


def test_former_address_redirects_again_once_the_record_is_republished(client, publisher_client):
    record = make(Instrument, status=Status.PUBLISHED, slug="comes-back")
    rename(publisher_client, record, "came-back")
    publisher_client.post(transition_url(record, "withdraw"))
    assert client.get(url("comes-back")).status_code == 404

    publisher_client.post(transition_url(record, "publish"))

    response = client.get(url("comes-back"))
    assert (response.status_code, response["Location"]) == (301, url("came-back"))


def test_a_current_slug_wins_over_a_former_one(client, publisher_client):
    renamed = make(Instrument, status=Status.PUBLISHED, slug="shared")
    rename(publisher_client, renamed, "moved-away")
    newcomer = make(Instrument, status=Status.PUBLISHED, slug="other")

    rename(publisher_client, newcomer, "shared")

    response = client.get(url("shared"))
    assert response.status_code == 200
    assert response.context["object"] == newcomer
    assert client.get(url("moved-away")).context["object"] == renamed


def test_reverting_a_rename_keeps_the_address_it_had_meanwhile(client, publisher_client):
    """A revert that brings back an old slug is a rename too: the slug it replaces must keep working."""
    record = make(Instrument, status=Status.PUBLISHED, slug="original-slug")
    assert edit_in_admin(publisher_client, record).status_code == 302
    original = versions_of(record)[0]
    rename(publisher_client, record, "interim-slug")

    revision = admin_url(Instrument, "revision", record.pk, original.pk)
    response = publisher_client.post(revision, form_data(publisher_client.get(revision)))

    assert response.status_code == 302, form_errors(response)
    record.refresh_from_db()
    assert record.slug == "original-slug"
    assert client.get(url("original-slug")).status_code == 200
    interim = client.get(url("interim-slug"))
    assert interim.status_code == 301
    assert interim["Location"] == url("original-slug")
