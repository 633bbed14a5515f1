"""How a record's own fields are shown on its page: labels from the model, values as a reader expects them."""

from dataclasses import dataclass

from django.db import models
from django.utils.text import capfirst


@dataclass(frozen=True)
class Fact:
    label: str
    value: object
    url: str = ""  # where the value links to: an address field's own value, or a linked record's page
    is_record: bool = False  # the value is a linked record (its address is on this site)


def record_facts(record) -> list[Fact]:
    """The record's key facts: the non-empty ones named by the model's ``detail_fields``, in that order, with choice
    labels and partial dates resolved, single links as the public record they lead to, and none repeating the title.

    A name may be a model field, a single link (shown only when the linked record is public) or a property ending in
    ``_display`` (for dates whose precision varies); the label of such a property is the verbose name of the field
    it formats.
    """
    facts = []
    opts = type(record)._meta
    for name in type(record).detail_fields:
        field_name = name.removesuffix("_display")
        model_field = opts.get_field(field_name)
        label = capfirst(str(model_field.verbose_name))
        if model_field.is_relation:
            linked = getattr(record, name)
            if linked is not None and linked.is_public:
                facts.append(Fact(label=label, value=linked.title, url=linked.get_absolute_url(), is_record=True))
            continue
        if name.endswith("_display"):
            value = getattr(record, name)
        elif model_field.choices:
            value = getattr(record, f"get_{name}_display")() if getattr(record, name) else ""
        else:
            value = getattr(record, name)
        if value in (None, "") or (isinstance(value, str) and value.casefold() == record.title.casefold()):
            continue
        url = value if isinstance(model_field, models.URLField) else ""
        facts.append(Fact(label=label, value=value, url=url))
    return facts


def record_aliases(record, facts: list[Fact]) -> list[str]:
    """The record's other names, each once: none repeating its title, a fact the page shows beside them (its short
    title, acronym or reference number) or another alias, compared regardless of case."""
    seen = {record.title.casefold(), *(str(fact.value).casefold() for fact in facts)}
    names = []
    for alias in record.aliases.all():
        if alias.name.casefold() not in seen:
            seen.add(alias.name.casefold())
            names.append(alias.name)
    return names
