"""Records and link rows for the admin tests, and helpers for posting admin forms."""

import re

from django.urls import reverse

from cop_kb.records.models import Status

from ..factories import make as make_record
from ..factories import make_typed_link, record_models, typed_ends, typed_link_models

RECORD_MODELS = record_models()
LINK_MODELS = typed_link_models()
BUILDERS = [*RECORD_MODELS, *LINK_MODELS]


def make(model, **overrides):
    """A valid draft record (what editors work on), or a typed link row between two new draft records.

    Records come from the one builder the suite shares (``tests.factories.make``), as drafts unless a status is given.
    """
    if model in LINK_MODELS:
        source_model, target_model = typed_ends(model)
        source = overrides.pop(model.source_field, None) or make(source_model)
        target = overrides.pop(model.target_field, None) or make(target_model)
        return make_typed_link(model, source, target, overrides.pop("kind", None))
    return make_record(model, **{"status": Status.DRAFT, **overrides})


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


_MANAGEMENT_INPUT = re.compile(
    r'name="(?P<name>[\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)" value="(?P<value>\d*)"'
)


def management_data(html: str) -> dict:
    """The inline formsets' management fields as the page renders them, with no extra rows added."""
    data = {match["name"]: match["value"] for match in _MANAGEMENT_INPUT.finditer(html)}
    for name in list(data):
        if name.endswith("-TOTAL_FORMS"):
            data[name] = data[name.replace("TOTAL", "INITIAL")]
    return data


def form_errors(response) -> str:
    """Every error on a re-rendered admin form, to say why a post that should have saved did not."""
    context = response.context
    if context is None or "adminform" not in context:
        return f"status {response.status_code}"
    errors = [context["adminform"].form.errors.as_text()]
    for inline in context["inline_admin_formsets"]:
        errors += [str(inline.formset.errors), str(inline.formset.non_form_errors())]
    return "; ".join(error for error in errors if error and error != "[]")
