"""Helpers for the editorial workflow tests: admin URLs, posting forms as a browser would, messages, versions."""

import reversion
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import constants, get_messages
from django.http import QueryDict
from django.urls import reverse
from reversion.models import Version

from cop_kb.records.models import AuditAction, AuditEvent
from cop_kb.search.selectors import search

from ..admin.support import form_errors

LOGIN_URL = reverse("admin:login")
# The prefix of the alias inline's fields in a record's admin form.
ALIAS_PREFIX = "directory-alias-content_type-object_id"


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def transition_url(record, step: str) -> str:
    return admin_url(type(record), "transition", record.pk, step)


def preview_url(record) -> str:
    content_type = ContentType.objects.get_for_model(record)
    return reverse("record-preview", kwargs={"content_type_id": content_type.pk, "pk": record.pk})


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def messages_of(response, *, at_least: int = constants.DEBUG) -> list[str]:
    """The messages the request queued for the user (what the next page shows), at ``at_least`` level or above."""
    return [str(message) for message in get_messages(response.wsgi_request) if message.level >= at_least]


def warnings_of(response) -> list[str]:
    return messages_of(response, at_least=constants.WARNING)


def _field_value(form, name: str):
    bound = form[name]
    field = bound.field
    value = bound.value()
    if isinstance(field, forms.BooleanField):
        return "on" if value else None
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return [str(item) for item in value or []]
    formatted = getattr(field.widget, "widget", field.widget).format_value(value)
    if isinstance(formatted, list):
        formatted = formatted[0] if formatted else ""
    return "" if formatted is None else formatted


def _add_form(data: dict, form) -> None:
    for name in form.fields:
        value = _field_value(form, name)
        if value is not None:
            data[form.add_prefix(name)] = value


def form_data(response, **changes) -> dict:
    """What a browser would post back from an admin change (or revision) page, unchanged but for ``changes``.

    Read from the rendered form and inline formsets, so every field the page shows is sent as it stands: the
    record's links, aliases and sources survive the post unless a change says otherwise.
    """
    context = response.context
    assert context is not None and "adminform" in context, f"not an admin form page (status {response.status_code})"
    data: dict = {}
    _add_form(data, context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        data[management.add_prefix("TOTAL_FORMS")] = len(formset.initial_forms)
        for form in formset.initial_forms:
            _add_form(data, form)
    data.update(changes)
    return data


def edit_in_admin(client, record, **changes):
    """Open the record's change page as ``client`` and save it with ``changes``; returns the POST's response."""
    url = admin_url(type(record), "change", record.pk)
    page = client.get(url)
    assert page.status_code == 200, f"change page answered {page.status_code}"
    return client.post(url, form_data(page, **changes))


def save_version(record, *, user=None, comment: str = "", **changes) -> Version:
    """Save ``record`` with ``changes`` as a new version (as the admin would), and return that version."""
    for name, value in changes.items():
        setattr(record, name, value)
    with reversion.create_revision():
        record.save()
        reversion.set_user(user)
        reversion.set_comment(comment)
    return Version.objects.get_for_object(record).first()


def versions_of(record) -> list[Version]:
    """The record's versions, newest first."""
    return list(Version.objects.get_for_object(record).select_related("revision__user"))


def audit_events(record, action: str | None = None):
    content_type = ContentType.objects.get_for_model(record)
    events = AuditEvent.objects.filter(content_type=content_type, object_id=record.pk)
    return events.filter(action=action) if action else events


def events_since_made(record):
    """The record's audit events after the builder made it (its creation is an audit event of its own)."""
    return audit_events(record).exclude(action=AuditAction.CREATE)


def saved(response) -> None:
    """An admin form post that saved: the redirect, or the form's errors as the failure message."""
    assert response.status_code == 302, form_errors(response)


def revert(client, record, version):
    """Open an old version and save it, as a publisher does from the history page; returns the POST's response."""
    url = admin_url(type(record), "revision", record.pk, version.pk)
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, form_data(page))


def public_titles(q: str, **filters: str) -> list[str]:
    """The titles the public search finds for ``q`` (narrowed by ``filters``, e.g. ``type``), in order."""
    params = QueryDict(mutable=True)
    params["q"] = q
    params.update(filters)
    return [hit.title for hit in search(params).hits]
