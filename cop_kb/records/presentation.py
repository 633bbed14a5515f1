"""How a record's own fields are shown on its page: labels from the model, values as a reader expects them."""

from dataclasses import dataclass

from django.db import models
from django.utils.text import capfirst

from .link_pages import LoadedLinks, load_links, relation_url
from .links import _typed_ends

# A fact naming linked records (countries, partners) names at most this many, then "and N more" leads to them all.
FACT_LINKS_SHOWN = 3


@dataclass(frozen=True)
class Fact:
    label: str
    value: object
    url: str = ""  # where the value links to: an address field's own value, or a linked record's page
    is_record: bool = False  # the value is a linked record (its address is on this site)
    # A fact naming several linked records: the first ``FACT_LINKS_SHOWN`` as (title, address on this site), and
    # when there are more, how many are not named, their type's name ("country", "organisations") and the page of
    # them all.
    records: tuple = ()
    more: int = 0
    more_kind: str = ""
    more_url: str = ""


def record_facts(record, loaded: LoadedLinks | None = None) -> list[Fact]:
    """The record's key facts: the non-empty ones named by the model's ``detail_fields``, in that order, with choice
    labels and partial dates resolved, single links as the public record they lead to, and none repeating the title.

    A name may be a model field, a single link (shown only when the linked record is public) or a property ending in
    ``_display`` (for dates whose precision varies); the label of such a property is the verbose name of the field
    it formats. Then the facts of the model's ``detail_links`` (``link_facts``), read from what ``load_links``
    ``loaded`` for the page, or else in one query.
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
    return facts + link_facts(record, loaded)


def link_facts(record, loaded: LoadedLinks | None = None) -> list[Fact]:
    """The facts of the relations to many records the model names in ``detail_links`` (as in their addresses:
    ``countries``, ``organisation_roles``), in that order: one a relation ("Countries"), or for typed links one a
    kind in the order the kinds are declared ("Led by", then "Partners"); each names its first public records in
    their natural order and says how many more there are, linking to the page of them all. A relation without
    public records is left out."""
    names = type(record).detail_links
    if not names:
        return []
    loaded = loaded or load_links(record, only=names)
    facts = []
    for name in names:
        role, model_field, rows = loaded.of(name)
        if role == "typed":
            typed = model_field.related_model
            forward, other = _typed_ends(model_field)
            target = typed._meta.get_field(other).related_model
            for kind, labels in typed.LABELS.items():
                kind_rows = [row for row in rows if row[3] == kind]
                url = relation_url(record, role, model_field, kind)
                facts += _linked_fact(labels[0 if forward else 1], target, kind_rows, url)
        else:
            label = capfirst(str(model_field.verbose_name))
            facts += _linked_fact(label, model_field.related_model, rows, relation_url(record, role, model_field))
    return facts


def _linked_fact(label, target, rows, url: str) -> list[Fact]:
    if not rows:
        return []
    shown = tuple(
        (title, target(pk=pk, slug=slug, title=title).get_absolute_url())
        for pk, slug, title, *_rest in rows[:FACT_LINKS_SHOWN]
    )
    total = rows[0][4]  # how many there are in all, public ones
    names = ", ".join(title for title, _url in shown)
    return [
        Fact(
            label=str(label),
            value=names,
            records=shown,
            more=total - len(shown),
            more_kind=str(target._meta.verbose_name if total - len(shown) == 1 else target._meta.verbose_name_plural),
            more_url=url,
        )
    ]


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
