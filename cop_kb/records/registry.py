"""The registry of record types: each record type is registered once, with what every output needs to know.

Lists, search, the sitemap, the admin's reports, the framework loader, versioning and the index ask this module for
"every record type"; nothing else scans Django's app registry or keeps a list of its own. A model joins by being
decorated with ``@record_type(content_key=...)`` where it is defined; the order of registration (INSTALLED_APPS,
then definition order) is the order pages list them in and the loader creates them in, so a record type's single
links point at types registered before it.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import reversion
from django.apps import apps
from django.utils.text import capfirst

if TYPE_CHECKING:
    from .models import Record


@dataclass(frozen=True)
class Through:
    """Records a brief gathers through links, never stored as links of their own: ``path`` is the query path of
    links from the record (``topics__provisions``: its topics, then their provisions; the first a link the record's
    page lists), ``label`` the brief group's heading and ``note`` a line under it, both saying how they are reached."""

    path: str
    label: str
    note: str = ""


@dataclass(frozen=True)
class RecordType:
    """One record type and what outputs read of it: names, list page, facets, search facets and links."""

    model: type["Record"]
    content_key: str  # its key in the framework's content file (programmes/content/framework.toml)
    brief: bool = False  # whether its records have a printable brief (``<detail url>brief/``)
    part_of: str = ""  # the single link to the record it is a part of (a provision's "instrument"), if any
    brief_through: tuple[Through, ...] = ()  # what its brief also gathers through its links
    # Query paths to records further than one link away whose names its search document carries with those of the
    # records linking to it (a provision's strategic areas through its topics), public records all the way.
    names_through: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Stable identifier across outputs (search's type facet, sitemap sections): ``app_label.modelname``."""
        return self.model._meta.label_lower

    @property
    def name(self) -> str:
        return capfirst(self.model._meta.verbose_name)

    @property
    def plural(self) -> str:
        return capfirst(self.model._meta.verbose_name_plural)

    def list_url(self) -> str:
        return self.model.get_list_url()

    @property
    def slug(self) -> str:
        """The type's public, stable name in addresses other than its pages (API, feeds, exports): its list
        page's path, ``instruments`` or ``strategic-areas``."""
        return self.list_url().strip("/").replace("/", "-")

    @property
    def list_facets(self) -> tuple:
        return self.model.list_facets

    @property
    def search_facet_links(self) -> dict[str, str]:
        """Search facets its records belong to through links: ``{"country": "countries"}``."""
        return self.model.search_facet_links

    @property
    def search_facet_self(self) -> str:
        """The search facet its records are values of ("country"), or ""."""
        return self.model.search_facet_self


_registry: dict[str, RecordType] = {}


def record_type(
    *,
    content_key: str,
    brief: bool = False,
    part_of: str = "",
    brief_through: tuple[Through, ...] = (),
    names_through: tuple[str, ...] = (),
):
    """Class decorator registering a concrete record model under ``content_key``; each model only once. With
    ``brief``, its records get a printable brief of everything linked to them (cop_kb/records/briefs.py), and with
    ``brief_through`` also the records reached through its links (a strategic area's articles through its topics);
    with ``part_of``, the name of its single link to the whole it belongs to, briefs list its records under that
    whole; with ``names_through``, its search documents also name the records at the end of those paths."""

    def register(model):
        label = model._meta.label_lower
        if label in _registry:
            raise ValueError(f"{label} is registered twice as a record type")
        if any(entry.content_key == content_key for entry in _registry.values()):
            raise ValueError(f"content key {content_key!r} is already taken")
        _registry[label] = RecordType(
            model=model,
            content_key=content_key,
            brief=brief,
            part_of=part_of,
            brief_through=brief_through,
            names_through=names_through,
        )
        if apps.ready:
            # Registered after start-up (a test's throwaway type): versioned at once, as start-up versions the rest.
            from .startup import versioning_register

            versioning_register(model)
        return model

    return register


def unregister(model) -> None:
    """Forget a record type, and stop versioning it (for tests that register a throwaway one)."""
    _registry.pop(model._meta.label_lower, None)
    if reversion.is_registered(model):
        reversion.unregister(model)


def record_types() -> list[RecordType]:
    """Every record type, in registration order."""
    return list(_registry.values())


def record_models() -> list[type["Record"]]:
    """Every concrete record model, in registration order."""
    return [entry.model for entry in _registry.values()]


def record_type_of(label: str) -> RecordType | None:
    """The record type with ``label`` (``instruments.instrument``), or None."""
    return _registry.get(label)


def record_type_by_slug(slug: str) -> RecordType | None:
    """The record type whose public name is ``slug`` (``strategic-areas``), or None."""
    return next((entry for entry in _registry.values() if entry.slug == slug), None)


def record_model_at(page: str, slug: str) -> type["Record"] | None:
    """The record model whose detail page for ``slug`` is at ``page``, or None: how an address derived from a
    page's (``<page>.jsonld``, ``<page>.bib``) finds its record type."""
    return next(
        (entry.model for entry in _registry.values() if entry.model(slug=slug).get_absolute_url() == page), None
    )
