"""The record base every content type shares: its fields, its one visibility rule (``public()``) and its loaders."""

import functools

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from ..link_groups import link_prefetches, link_select_related


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DatePrecision(models.TextChoices):
    """How much of a stored date is known: treaties often have a full date, declarations only a month or year."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


def format_partial_date(value, precision: str) -> str:
    """Show only the part of a date that is known: "20 November 1989", "November 2008" or "2006"."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def public_q(path: str = "") -> Q:
    """The one visibility rule, as a condition on the record at ``path`` ("" for the record itself, or a link's
    name, for filtering on the public end of a link within the same query)."""
    return Q(**{f"{path}__status" if path else "status": Status.PUBLISHED})


class RecordQuerySet(models.QuerySet):
    def public(self) -> "RecordQuerySet":
        """Records the public may see. Every public page, list, count and backlink reads through this."""
        return self.filter(public_q())

    def for_list(self) -> "RecordQuerySet":
        """Public records with what a list row shows (their single links) loaded up front. Not their tags, which no
        row shows: prefetching them cost a query and, per record, a queryset built to hold them."""
        return self.public().select_related(*link_select_related(self.model))

    def with_links(self) -> "RecordQuerySet":
        """Records with every public link, backlink, tag, alias and source, in a fixed number of queries."""
        return self.select_related(*link_select_related(self.model)).prefetch_related(
            "tags", "aliases", "sources", *link_prefetches(self.model)
        )

    def for_detail(self) -> "RecordQuerySet":
        """Public records with what their page shows besides links to many records, which ``load_link_groups``
        reads in one query whatever the number of relations: single links, tags, aliases and sources."""
        return self.for_page().prefetch_related("tags", "aliases", "sources")

    def for_page(self) -> "RecordQuerySet":
        """``for_detail`` for one record's page, without its prefetches: ``own_rows.with_own_rows`` reads the same
        rows with a statement prepared once."""
        return self.public().select_related(*link_select_related(self.model))


class Record(models.Model):
    """Fields and behaviour shared by every main record: identity, prose, tags, status, provenance, timestamps."""

    url_name = ""
    # What the record's page shows as facts, what its list can be narrowed by, and the year it sorts by.
    detail_fields: tuple[str, ...] = ()
    # Its links to many records that are key facts too ("countries", "organisation_roles": named as in the addresses
    # of their pages), shown after ``detail_fields`` with their first few public records (``link_facts``).
    detail_links: tuple[str, ...] = ()
    list_facets: tuple = ()
    year_expression = None
    # What places the record on the timeline (``cop_kb.timeline``): the name of its year field, or its partial
    # dates, the first one known counting (``(ADOPTED, OPENED_FOR_SIGNATURE)``); None keeps the type off it.
    dated_by: str | tuple | None = None
    # Search facets this record belongs to through its links ({"country": "countries"}), and the facet it is
    # itself a value of (a country is in the "country" facet).
    search_facet_links: dict[str, str] = {}
    search_facet_self = ""
    # Fields of its own that are other names of the record (an instrument's short title, "Budapest Convention"):
    # searched with its aliases, at the title's weight.
    search_name_fields: tuple[str, ...] = ()
    # Fields that give its short name ("Budapest Convention", "CRC"), shown under its title wherever it is listed:
    # the first one filled in that is not the title again. A field of a single link ("instrument__acronym": an
    # article shows its instrument's) counts only while the linked record is public.
    subtitle_fields: tuple[str, ...] = ()
    # When its list is a table (``cop_kb.records.columns``): the columns, each a way to sort it.
    list_columns: tuple = ()
    # How the record is published as linked data (``cop_kb.linked_data``): its schema.org type, the type for some
    # values of its ``kind`` ({"report": "Report"}), and the property each of its own fields is published as
    # ({"adopted_on": "legislationDate"}); fields not named are left out. Links carry their own property.
    linked_data_type = "Thing"
    linked_data_kind_types: dict[str, str] = {}
    linked_data_fields: dict[str, str] = {}
    # How the record is cited as a document in its own right (``cop_kb.records.citations``): a ``Document`` naming
    # its official title, dates, place and number fields; or, for a part of such a document (a provision), the name
    # of the single link to the whole. Records of other types are cited as their page only.
    cited_as = None
    cited_within = ""

    slug = models.SlugField(_("slug"), max_length=120, unique=True, help_text=_("Permanent address of the page."))
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown. Links may use http, https or mailto."))
    body_html = models.TextField(editable=False, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    tags = TaggableManager(_("tags"), blank=True)
    aliases = GenericRelation("directory.Alias")
    sources = GenericRelation("directory.Source")
    pending_changes = GenericRelation("directory.PendingChange")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    last_verified_on = models.DateField(_("last verified on"), null=True, blank=True)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last verified by"),
    )
    review_interval_days = models.PositiveSmallIntegerField(
        _("review interval (days)"),
        default=365,
        validators=[MinValueValidator(1)],
        help_text=_("How often an editor should check this record against its sources."),
    )

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["title"]
        # Every public page filters on status (``public()``); list facets count over it at each fresh request. The
        # latest change comes with it: the home page's recent changes, the feeds and the sitemap's dates read the
        # public records last updated from the index's end instead of sorting every one. The first public records
        # by title linked to one record (a sector's 50 first programmes of 6,000, a tag's first dozen) are read in
        # title order, each checked against the link, instead of joining and sorting all of them. Named by the class
        # alone: the app label would make some names longer than the 30 characters Django allows.
        indexes = [
            models.Index(fields=["status", "updated_at", "id"], name="%(class)s_status_idx"),
            models.Index(fields=["status", "title", "id"], name="%(class)s_title_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="%(app_label)s_%(class)s_status_valid"),
            models.CheckConstraint(condition=~Q(slug=""), name="%(app_label)s_%(class)s_slug_not_empty"),
            models.CheckConstraint(condition=~Q(title=""), name="%(app_label)s_%(class)s_title_not_empty"),
            models.CheckConstraint(
                condition=Q(review_interval_days__gte=1), name="%(app_label)s_%(class)s_review_interval_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # body_links reads this module's models, so it is imported when first needed.
        from ..body_links import body_links_store, render_body

        # Rendering here keeps page views free of Markdown work. body_html is derived from the body and from which
        # records it links to are public; body_links renders it again when one of those changes, finding the
        # bodies to render through the links each save stores (BodyLink, this record's own derived data).
        rendered = render_body(self)
        self.body_html = rendered.html
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        adding = self._state.adding
        super().save(*args, **kwargs)
        if update_fields is None or "body" in update_fields:
            body_links_store(record=self, targets=rendered.targets, adding=adding)

    def get_absolute_url(self, script_prefix: str | None = None) -> str:
        return detail_url(self.url_name, self.slug, script_prefix)

    @classmethod
    def shown(cls, **values) -> "Record":
        """``cls(**values)``, for a record a page shows from a raw row (``values``: some of its fields, by attribute
        name or ``pk``; every other field has its default, as Django gives it). Pages build hundreds of these for
        their links: given by keyword, Django works out each absent field's default again for every record, and
        given in order it still sends two signals and sets each field through ``setattr`` (12 and 4 µs a record,
        against 1.5 µs here)."""
        places, attnames, blank, made = _blank_row(cls)
        row = list(blank)
        for place in made:
            row[place] = cls._meta.concrete_fields[place].get_default()
        for name, value in values.items():
            if name not in places:
                raise TypeError(f"{cls.__name__} has no field {name!r}")
            row[places[name]] = value
        if pre_init.receivers or post_init.receivers:
            return cls(*row)
        # What ``Model.__init__`` leaves when nothing listens to its signals: a fresh state and every field's value
        # (no record type's field sets its value through a descriptor of its own).
        record = cls.__new__(cls)
        record._state = ModelState()
        record.__dict__.update(zip(attnames, row, strict=True))
        return record

    @classmethod
    def get_list_url(cls) -> str:
        """The list page of this record type; its URL name pairs with the detail page's ("x-detail" / "x-list")."""
        return _list_url(cls.url_name.removesuffix("detail") + "list", get_script_prefix())

    @classmethod
    def get_facet_url(cls, param: str) -> str:
        """The page listing every value of one facet of this record type's list (``/programmes/facets/country/``)."""
        return reverse(cls.url_name.removesuffix("detail") + "facet", kwargs={"param": param})

    @functools.cached_property
    def subtitle(self) -> str:
        """Its short name, or "" (see ``subtitle_fields``); ``subtitle_expression`` is the same rule in SQL, for
        loaders that read rows rather than records and set this from them."""
        for name in self.subtitle_fields:
            value = self
            *links, field_name = name.split("__")
            for link in links:  # through single links ("instrument__acronym"), as far as the public may see
                value = getattr(value, link)
                if value is None or not value.is_public:
                    break
            else:
                value = getattr(value, field_name)
                if value and value.casefold() != self.title.casefold():
                    return value
        return ""

    def own_names(self) -> set[str]:
        """Its title and every short name of its own ("CRC", "Worst Forms of Child Labour Convention"): what a
        linked record's short name need not repeat on this record's pages."""
        own = (getattr(self, name) for name in self.subtitle_fields if "__" not in name)
        return {self.title, *(name for name in own if name)}

    @classmethod
    def subtitle_expression(cls, path: str = ""):
        """``subtitle`` as an SQL expression over the record at ``path`` ("" for the record itself, or a link's
        name followed by ``__``): "" for a type without a short name, so rows of any types can be read together."""
        cases = []
        for name in cls.subtitle_fields:
            condition = ~Q(**{path + name: ""}) & ~Q(**{f"{path}{name}__iexact": F(path + "title")})
            links = name.split("__")[:-1]
            for end in range(1, len(links) + 1):
                condition &= public_q(path + "__".join(links[:end]))
            cases.append(When(condition, then=F(path + name)))
        return Case(*cases, default=Value(""), output_field=models.CharField())

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED

    def search_data(self) -> dict:
        """What the search index stores for this record; reads only what ``load_for_search`` loaded."""
        year = getattr(self, "year", None)
        tags = list(self.tags.all())
        facets = [("type", self._meta.label_lower)]
        facets += [("tag", tag.slug) for tag in tags]
        if year:
            facets.append(("year", str(year)))
        if self.search_facet_self:
            facets.append((self.search_facet_self, self.slug))
        for facet, path in self.search_facet_links.items():
            facets += [(facet, linked.slug) for linked in getattr(self, path).all()]
        return {
            "url": self.get_absolute_url(),
            "title": self.title,
            "aliases": self._search_names(),
            "summary": self.summary,
            # By name: tags are loaded in whatever order the database returns them, and a document must not depend
            # on which write or rebuild wrote it.
            "tags": sorted(tag.name for tag in tags),
            "body": self.body_html,
            "year": year,
            "years": self.search_years(),
            "facets": facets,
        }

    def _search_names(self) -> list[str]:
        """Its aliases and the name fields of its own, each once and none repeating the title."""
        names, seen = [], {self.title.casefold()}
        for name in [alias.name for alias in self.aliases.all()] + [getattr(self, f) for f in self.search_name_fields]:
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
        return names

    def search_years(self) -> list[int]:
        """Every year the record names: its ``year`` and the year of each date of its own (adopted, opened for
        signature, launched…), read from its fields, so a search for "Rio 2008" finds the declaration of 2008.
        The record core's own dates (when it was last verified) say nothing about the record's subject."""
        years = {getattr(self, "year", None)}
        for model_field in self._meta.concrete_fields:
            if (
                isinstance(model_field, models.DateField)
                and not isinstance(model_field, models.DateTimeField)
                and model_field.name not in _CORE_FIELDS
            ):
                value = getattr(self, model_field.attname)
                years.add(value.year if value else None)
        return sorted(year for year in years if year)


_CORE_FIELDS = frozenset(model_field.name for model_field in Record._meta.local_fields)

# Stands in for a slug while a detail URL is reversed once: it matches the slug pattern and nothing else in a URL.
_SLUG_STAND_IN = "SLUG-STAND-IN"


@functools.cache
def _blank_row(model) -> tuple[dict[str, int], tuple[str, ...], tuple, tuple[int, ...]]:
    """For ``Record.shown``: where each concrete field of ``model`` goes among the positional values Django's models
    take (``pk`` too), the fields' attribute names and defaults in that order, and the places of the defaults made
    afresh for each record (a callable's)."""
    fields = model._meta.concrete_fields
    attnames = tuple(model_field.attname for model_field in fields)
    places = {attname: place for place, attname in enumerate(attnames)}
    made = tuple(
        place for place, model_field in enumerate(fields) if model_field.has_default() and callable(model_field.default)
    )
    blank = tuple(None if place in made else model_field.get_default() for place, model_field in enumerate(fields))
    return {**places, "pk": places[model._meta.pk.attname]}, attnames, blank, made


def detail_url(url_name: str, slug: str, script_prefix: str | None = None) -> str:
    """The address of the detail page named ``url_name`` for ``slug``. Code writing hundreds of links reads
    ``get_script_prefix()`` once and gives it: each reading costs about 1 µs, half of what the rest of this takes."""
    if script_prefix is None:
        script_prefix = get_script_prefix()
    prefix, suffix = _detail_url_parts(url_name, script_prefix)
    return f"{prefix}{slug}{suffix}"


@functools.cache
def _detail_url_parts(url_name: str, script_prefix: str) -> tuple[str, str]:
    """A detail URL before and after its slug. reverse() costs ~50 µs, and list pages, sitemaps and the search
    index build thousands of these URLs, which differ only by slug; so each record type's is reversed once (per
    script prefix, which reverse() reads)."""
    return tuple(reverse(url_name, kwargs={"slug": _SLUG_STAND_IN}).split(_SLUG_STAND_IN))


@functools.cache
def _list_url(url_name: str, script_prefix: str) -> str:
    """A list page's URL, reversed once per script prefix (see ``_detail_url_parts``): the home page, navigation,
    feeds and every type's slug (``RecordType.slug``) ask for them on each request."""
    return reverse(url_name)


def date_precision_ok(date_field: str, precision_field: str) -> Q:
    """A precision is given exactly when its date is."""
    return Q(**{f"{date_field}__isnull": True, precision_field: ""}) | Q(
        Q(**{f"{date_field}__isnull": False}) & Q(**{f"{precision_field}__in": DatePrecision.values})
    )
