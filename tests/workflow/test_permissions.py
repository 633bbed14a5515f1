"""Who may do what in the admin, checked on the views and actions themselves (posting directly, not reading menus).

Roles: anonymous, staff without a group, Editor, Publisher, superuser. Editors add, change and view records,
submit them for review, return them to draft, mark them verified, compare versions and preview; Publishers may
also delete, publish, withdraw, revert, recover and read the audit trail. Nobody edits the audit trail.

Every case says what the user would notice had it worked (a page showing the record, the record changed or
gone) and checks it happened for the roles allowed and did not for the others; anonymous users are sent to the
sign-in page, and everyone else refused gets a 403 (a 404 for previews, a message for bulk actions that are not
offered to them).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from cop_kb.directory.models import Organisation
from cop_kb.records.audit import audit_record
from cop_kb.records.models import AuditAction, AuditEvent, Status
from cop_kb.records.services import TRANSITIONS
from cop_kb.search.models import Synonym
from instruments.models import Instrument
from programmes.models import Partnership
from strategy.models import Sector

from ..factories import make
from .conftest import ROLES
from .support import (
    admin_url,
    form_data,
    is_login_redirect,
    preview_url,
    save_version,
    transition_url,
    warnings_of,
)

pytestmark = pytest.mark.django_db

EDITORS = frozenset({"editor", "publisher", "superuser"})
PUBLISHERS = frozenset({"publisher", "superuser"})
NOBODY = frozenset()

# The record fields each type requires beyond title and slug, as the add form takes them.
ADD_DATA = {
    Instrument: {"official_title": "Convention on Something", "kind": "convention"},
    Organisation: {"kind": "un_body"},
    Sector: {},
    Partnership: {},
}
MODELS = list(ADD_DATA)


@dataclass
class Bench:
    """What a case works with: the client of the role under test, the record type, and a way to prepare data."""

    client: Client
    model: type
    client_as: Callable

    @cached_property
    def admin(self) -> Client:
        """A superuser's client, to read the forms a role would post (what its browser would have shown)."""
        return self.client_as("superuser", "bench-admin")

    def record(self, status: str = Status.DRAFT, **fields):
        return make(self.model, status=status, **fields)

    def reload(self, record):
        return self.model.objects.filter(pk=record.pk).first()


@dataclass(frozen=True)
class Case:
    name: str
    allowed: frozenset
    run: Callable  # (Bench) -> (response, done): done says whether what the user asked for happened
    # How a refusal shows: "403"; "404" (previews do not admit the record exists); "action" (403, or the action
    # is not offered and a message says nothing was done); "no rows" (the report opens but lists nothing the
    # reader may not view); "not done" (any answer, as long as nothing happened).
    refused: str = "403"


def refused_as_expected(kind: str, response) -> bool:
    if kind == "404":
        return response.status_code == 404
    if kind == "action":
        return response.status_code == 403 or (response.status_code == 302 and bool(warnings_of(response)))
    if kind == "no rows":
        # A report open to any staff member lists only the record types its reader may view.
        return response.status_code in (200, 403)
    if kind == "not done":
        return response.status_code in (200, 302, 403)
    return response.status_code == 403


def shows(response, *texts: str) -> bool:
    content = response.content.decode()
    return response.status_code == 200 and all(text in content for text in texts)


# ---- what each role tries on a record type ----------------------------------------------------------------------


def open_changelist(bench: Bench):
    record = bench.record()
    response = bench.client.get(admin_url(bench.model, "changelist"))
    return response, shows(response, record.title)


def open_add_form(bench: Bench):
    response = bench.client.get(admin_url(bench.model, "add"))
    return response, shows(response, 'name="_save"')


def post_add_form(bench: Bench):
    url = admin_url(bench.model, "add")
    slug = f"added-{bench.model._meta.model_name}"
    data = form_data(bench.admin.get(url), title="Added by hand", slug=slug, **ADD_DATA[bench.model])
    response = bench.client.post(url, data)
    return response, bench.model.objects.filter(slug=slug).exists()


def open_change_form(bench: Bench):
    record = bench.record()
    response = bench.client.get(admin_url(bench.model, "change", record.pk))
    return response, shows(response, record.title, 'name="_save"')


def post_change_form(bench: Bench):
    record = bench.record()
    url = admin_url(bench.model, "change", record.pk)
    response = bench.client.post(url, form_data(bench.admin.get(url), title="Retitled"))
    return response, bench.reload(record).title == "Retitled"


def open_delete_page(bench: Bench):
    record = bench.record()
    response = bench.client.get(admin_url(bench.model, "delete", record.pk))
    return response, shows(response, "Are you sure")


def post_delete(bench: Bench):
    record = bench.record()
    response = bench.client.post(admin_url(bench.model, "delete", record.pk), {"post": "yes"})
    return response, bench.reload(record) is None


def run_delete_action(bench: Bench):
    record = bench.record()
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [record.pk], "post": "yes"}
    response = bench.client.post(admin_url(bench.model, "changelist"), data)
    return response, bench.reload(record) is None


def open_history(bench: Bench):
    record = bench.record()
    save_version(record, comment="First version")
    save_version(record, comment="Second version", title="Retitled")
    response = bench.client.get(admin_url(bench.model, "history", record.pk))
    return response, shows(response, "Second version", "with the version before")


def open_compare(bench: Bench):
    record = bench.record(title="Title before")
    older = save_version(record)
    newer = save_version(record, title="Title after")
    url = admin_url(bench.model, "compare", record.pk) + f"?a={older.pk}&b={newer.pk}"
    response = bench.client.get(url)
    return response, shows(response, "Title before", "Title after")


def _two_versions(bench: Bench):
    record = bench.record(title="Title to go back to")
    older = save_version(record)
    save_version(record, title="Title to undo")
    return record, admin_url(bench.model, "revision", record.pk, older.pk)


def open_revert_page(bench: Bench):
    record, url = _two_versions(bench)
    response = bench.client.get(url)
    return response, shows(response, 'value="Title to go back to"')


def post_revert(bench: Bench):
    record, url = _two_versions(bench)
    data = form_data(bench.admin.get(url))
    response = bench.client.post(url, data)
    return response, bench.reload(record).title == "Title to go back to"


def _deleted_version(bench: Bench):
    record = bench.record(title="Deleted record")
    version = save_version(record)
    record.delete()
    return version


def open_recover_list(bench: Bench):
    _deleted_version(bench)
    response = bench.client.get(admin_url(bench.model, "recoverlist"))
    return response, shows(response, "Deleted record")


def open_recover_page(bench: Bench):
    version = _deleted_version(bench)
    response = bench.client.get(admin_url(bench.model, "recover", version.pk))
    return response, shows(response, 'value="Deleted record"')


def step(name: str, start: str, target: str):
    def run(bench: Bench):
        record = bench.record(status=start)
        response = bench.client.post(transition_url(record, name))
        return response, bench.reload(record).status == target

    return run


def action(name: str, start: str, done: Callable):
    def run(bench: Bench):
        record = bench.record(status=start)
        data = {"action": name, ACTION_CHECKBOX_NAME: [record.pk]}
        response = bench.client.post(admin_url(bench.model, "changelist"), data)
        return response, done(bench.reload(record))

    return run


def open_preview(bench: Bench):
    record = bench.record(status=Status.DRAFT, title="Draft being prepared")
    response = bench.client.get(preview_url(record))
    return response, shows(response, "Draft being prepared")


RECORD_CASES = [
    Case("changelist", EDITORS, open_changelist),
    Case("add GET", EDITORS, open_add_form),
    Case("add POST", EDITORS, post_add_form),
    Case("change GET", EDITORS, open_change_form),
    Case("change POST", EDITORS, post_change_form),
    Case("delete GET", PUBLISHERS, open_delete_page),
    Case("delete POST", PUBLISHERS, post_delete),
    Case("delete action", PUBLISHERS, run_delete_action, "action"),
    Case("history", EDITORS, open_history),
    Case("compare", EDITORS, open_compare),
    Case("revert GET", PUBLISHERS, open_revert_page),
    Case("revert POST", PUBLISHERS, post_revert),
    Case("recover list", PUBLISHERS, open_recover_list),
    Case("recover GET", PUBLISHERS, open_recover_page),
    Case("submit step", EDITORS, step("submit", Status.DRAFT, Status.IN_REVIEW)),
    Case("publish step", PUBLISHERS, step("publish", Status.IN_REVIEW, Status.PUBLISHED)),
    Case("withdraw step", PUBLISHERS, step("withdraw", Status.PUBLISHED, Status.WITHDRAWN)),
    Case("return step", EDITORS, step("return", Status.IN_REVIEW, Status.DRAFT)),
    Case(
        "submit action",
        EDITORS,
        action("submit_for_review", Status.DRAFT, lambda r: r.status == Status.IN_REVIEW),
        "action",
    ),
    Case(
        "publish action",
        PUBLISHERS,
        action("publish", Status.IN_REVIEW, lambda r: r.status == Status.PUBLISHED),
        "action",
    ),
    Case(
        "withdraw action",
        PUBLISHERS,
        action("withdraw", Status.PUBLISHED, lambda r: r.status == Status.WITHDRAWN),
        "action",
    ),
    Case(
        "return action",
        EDITORS,
        action("return_to_draft", Status.IN_REVIEW, lambda r: r.status == Status.DRAFT),
        "action",
    ),
    Case(
        "verify action",
        EDITORS,
        action("mark_verified", Status.PUBLISHED, lambda r: r.last_verified_on is not None),
        "action",
    ),
    Case("preview", EDITORS, open_preview, "404"),
]
# The other record types (one from each app) are checked on the writes that matter most, for the two roles
# whose rights differ (the sign-in and group checks are the same for every type, and Instrument has them all).
SPOT_ROLES = ("editor", "publisher")
SPOT_CHECKS = {
    "add POST",
    "change POST",
    "delete POST",
    "revert POST",
    "publish step",
    "withdraw step",
    "publish action",
    "preview",
}

RECORD_MATRIX = [
    pytest.param(model, case, role, id=f"{model._meta.model_name}-{case.name}-{role}".replace(" ", "_"))
    for model in MODELS
    for case in RECORD_CASES
    if model is Instrument or case.name in SPOT_CHECKS
    for role in (ROLES if model is Instrument else SPOT_ROLES)
]


def check(case: Case, role: str, response, done: bool) -> None:
    if role == "anonymous":
        assert is_login_redirect(response), f"answered {response.status_code}, not the sign-in page"
        assert not done
    elif role in case.allowed:
        assert response.status_code in (200, 302), f"answered {response.status_code}"
        assert not is_login_redirect(response)
        assert done, f"{role} was allowed, but it did not happen (status {response.status_code})"
    else:
        assert not done, f"{role} is not allowed to, but it happened"
        assert refused_as_expected(case.refused, response), (
            f"{role} refused with {response.status_code}, {warnings_of(response)}"
        )


@pytest.mark.parametrize(("model", "case", "role"), RECORD_MATRIX)
def test_role_may_do_on_a_record_only_what_the_role_allows(client_as, model, case, role):
    bench = Bench(client_as(role), model, client_as)

    response, done = case.run(bench)

    check(case, role, response, done)


# ---- pages and models that are not one record type ---------------------------------------------------------------


def open_review_queue(bench: Bench):
    record = make(Instrument, status=Status.DRAFT, title="Never checked instrument")
    assert record.last_verified_on is None
    response = bench.client.get(reverse("admin-review-queue"))
    return response, shows(response, "Never checked instrument")


def open_data_quality(bench: Bench):
    make(Instrument, status=Status.DRAFT, title="Instrument with no summary", summary="")
    response = bench.client.get(reverse("admin-data-quality"))
    return response, shows(response, "Instrument with no summary")


def _audit_event() -> AuditEvent:
    return audit_record(action=AuditAction.PUBLISH, user=None, record=make(Instrument, title="Audited record"))


def open_audit_trail(bench: Bench):
    _audit_event()
    response = bench.client.get(admin_url(AuditEvent, "changelist"))
    return response, shows(response, "Audited record")


def open_audit_add_form(bench: Bench):
    response = bench.client.get(admin_url(AuditEvent, "add"))
    return response, response.status_code == 200


def post_audit_change(bench: Bench):
    event = _audit_event()
    data = {"action": "revert", "username": "someone-else", "object_repr": "Rewritten", "detail": "Rewritten"}
    response = bench.client.post(admin_url(AuditEvent, "change", event.pk), data)
    event.refresh_from_db()
    return response, event.detail == "Rewritten" or event.action != AuditAction.PUBLISH


def post_audit_delete(bench: Bench):
    event = _audit_event()
    response = bench.client.post(admin_url(AuditEvent, "delete", event.pk), {"post": "yes"})
    return response, not AuditEvent.objects.filter(pk=event.pk).exists()


def run_audit_delete_action(bench: Bench):
    event = _audit_event()
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [event.pk], "post": "yes"}
    response = bench.client.post(admin_url(AuditEvent, "changelist"), data)
    return response, not AuditEvent.objects.filter(pk=event.pk).exists()


def open_synonyms(bench: Bench):
    Synonym.objects.create(terms="zebra, zebu")
    response = bench.client.get(admin_url(Synonym, "changelist"))
    return response, shows(response, "zebra, zebu")


def post_synonym(bench: Bench):
    response = bench.client.post(admin_url(Synonym, "add"), {"terms": "zebra, zebu", "note": ""})
    return response, Synonym.objects.filter(terms="zebra, zebu").exists()


def post_synonym_delete(bench: Bench):
    synonym = Synonym.objects.create(terms="zebra, zebu")
    response = bench.client.post(admin_url(Synonym, "delete", synonym.pk), {"post": "yes"})
    return response, not Synonym.objects.filter(pk=synonym.pk).exists()


SITE_CASES = [
    Case("review queue", EDITORS, open_review_queue, "no rows"),
    Case("data quality", EDITORS, open_data_quality, "no rows"),
    Case("audit trail", PUBLISHERS, open_audit_trail),
    Case("audit add", NOBODY, open_audit_add_form),
    Case("audit change POST", NOBODY, post_audit_change),
    Case("audit delete POST", NOBODY, post_audit_delete),
    Case("audit delete action", NOBODY, run_audit_delete_action, "not done"),
    Case("synonyms", EDITORS, open_synonyms),
    Case("synonym add POST", EDITORS, post_synonym),
    Case("synonym delete POST", EDITORS, post_synonym_delete),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", SITE_CASES, ids=lambda case: case.name.replace(" ", "_"))
def test_role_may_use_editorial_pages_only_as_the_role_allows(client_as, case, role):
    bench = Bench(client_as(role), Instrument, client_as)

    response, done = case.run(bench)

    check(case, role, response, done)


# ---- what the pages offer follows the same rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("editor", {"submit_for_review", "return_to_draft", "mark_verified"}),
        (
            "publisher",
            {"submit_for_review", "publish", "withdraw", "return_to_draft", "mark_verified", "delete_selected"},
        ),
    ],
)
def test_changelist_offers_each_role_only_its_own_actions(client_as, role, offered):
    make(Instrument)
    response = client_as(role).get(admin_url(Instrument, "changelist"))

    choices = {value for value, _label in response.context["action_form"].fields["action"].choices if value}
    assert choices == offered


@pytest.mark.parametrize(
    ("role", "buttons"),
    [("editor", {"submit": "Submit for review"}), ("publisher", {"submit": "Submit for review", "publish": "Publish"})],
)
def test_change_page_shows_only_the_workflow_buttons_the_role_may_use(client_as, role, buttons):
    record = make(Instrument, status=Status.DRAFT)
    response = client_as(role).get(admin_url(Instrument, "change", record.pk))

    content = response.content.decode()
    assert {step for step in TRANSITIONS if transition_url(record, step) in content} == set(buttons)
    for label in buttons.values():
        assert f">{label}</button>" in content
