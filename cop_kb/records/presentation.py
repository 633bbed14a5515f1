"""How a record's own fields are shown on its page: labels from the model, values as a reader expects them."""

from dataclasses import dataclass

from django.db import models
from django.utils.text import capfirst


@dataclass(frozen=True)
class Fact:
    label: str
    value: object
    is_url: bool = False


def record_facts(record) -> list[Fact]:
    """The non-empty facts named by the model's ``detail_fields``, with choice labels and partial dates resolved.

    A name may be a model field or a property ending in ``_display`` (for dates whose precision varies); the
    label of such a property is the verbose name of the field it formats.
    """
    facts = []
    opts = type(record)._meta
    for name in type(record).detail_fields:
        field_name = name.removesuffix("_display")
        model_field = opts.get_field(field_name)
        if name.endswith("_display"):
            value = getattr(record, name)
        elif model_field.choices:
            value = getattr(record, f"get_{name}_display")() if getattr(record, name) else ""
        else:
            value = getattr(record, name)
        if value in (None, ""):
            continue
        label = str(model_field.verbose_name)
        facts.append(Fact(label=capfirst(label), value=value, is_url=isinstance(model_field, models.URLField)))
    return facts
