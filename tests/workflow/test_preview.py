"""Previews: staff who may view a record see its unpublished page, marked as a preview and never cached."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from cop_kb.records.models import Status
from instruments.models import Instrument
from programmes.models import Programme

from ..factories import make
from .support import LOGIN_URL, admin_url, is_login_redirect, preview_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return make(Instrument, status=Status.DRAFT, title="Unannounced convention")


def test_editor_sees_a_draft_page_with_the_preview_banner(editor_client, draft):
    response = editor_client.get(preview_url(draft))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Unannounced convention</h1>" in content
    assert "Preview for staff: this record is draft and this page is not public." in content


def test_preview_is_never_stored_by_a_cache_or_indexed(editor_client, draft):
    response = editor_client.get(preview_url(draft))

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control
    assert "noindex" in response["X-Robots-Tag"]


def test_change_page_links_to_the_preview(editor_client, draft):
    response = editor_client.get(admin_url(Instrument, "change", draft.pk))

    assert f'href="{preview_url(draft)}"' in response.content.decode()


def test_anonymous_visitor_is_sent_to_sign_in_and_sees_nothing_of_the_draft(client, draft):
    response = client.get(preview_url(draft))

    assert is_login_redirect(response)
    assert response["Location"].startswith(f"{LOGIN_URL}?next=")
    assert b"Unannounced" not in response.content
    followed = client.get(preview_url(draft), follow=True)
    assert b"Unannounced" not in followed.content


def test_staff_without_view_permission_gets_not_found(client_as, draft):
    response = client_as("staff").get(preview_url(draft))

    assert response.status_code == 404
    assert b"Unannounced" not in response.content


def test_staff_who_may_view_one_type_cannot_preview_another(client_as, draft):
    client = client_as("staff", "programme-reader")
    client.user.user_permissions.add(Permission.objects.get(codename="view_programme"))
    programme = make(Programme, status=Status.DRAFT)

    assert client.get(preview_url(programme)).status_code == 200
    assert client.get(preview_url(draft)).status_code == 404


def test_preview_of_a_missing_record_or_a_type_that_is_not_a_record_is_not_found(editor_client, draft):
    user_type = ContentType.objects.get(app_label="auth", model="user")

    assert editor_client.get(reverse("record-preview", args=[user_type.pk, editor_client.user.pk])).status_code == 404
    content_type = ContentType.objects.get_for_model(Instrument)
    assert editor_client.get(reverse("record-preview", args=[content_type.pk, draft.pk + 1000])).status_code == 404


def test_draft_public_address_stays_not_found_while_it_is_previewed(client, editor_client, draft):
    assert editor_client.get(preview_url(draft)).status_code == 200

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert editor_client.get(draft.get_absolute_url()).status_code == 404
