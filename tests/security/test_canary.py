"""The one visibility rule, proved by a crawl: a record that is not published leaves no trace on any public surface.

Canary records of every type, in every state that is not public (draft, in review, withdrawn; withdrawn through
the workflow after being published and indexed; set to draft by a bulk ``.update()`` behind the services' back),
carry a unique token in every text field and are linked to and from published records in every way a link can be
made: many-to-many both ways, single links both ways, typed links (instrument relations, organisations' roles) both
ways, shared tags, and a former slug.

The public site is crawled twice, before the canaries are planted and after: from the home page, the sitemap index
and its sections, search (for each token, a misspelling of it and common words, following facet and page links),
autocomplete (token prefixes and common prefixes), tag pages, list pages filtered by values that name a canary, and
the canaries' own addresses. Each canary also has a twin token that never existed, asked for in the same places.
The tests read what the crawls found:

* no token in any response body (HTML, XML, JSON) or header, and no link to a canary's address;
* every page answers exactly as it did before the canaries existed, so no list, count or facet counts them (search
  hits are compared as a set: SQLite's bm25 statistics read every indexed row, so ties may reorder);
* an address, former address, tag, search or facet value naming a canary answers exactly like one naming nothing.

Published records that need a required link to a canary (a published provision of a draft instrument) must exist
before the first crawl, so those canaries are planted first; the token, link and never-existed tests cover them.
"""

import dataclasses
import io
import itertools
import json
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.text import slugify

from cop_kb.records.facets import TAG_FACET
from cop_kb.records.links import LinkForeignKey, LinkManyToManyField
from cop_kb.records.models import Alias, PendingChange, Record, Source, Status
from cop_kb.records.pending import pending_change_save
from cop_kb.records.registry import record_type_of, record_types
from cop_kb.records.services import record_reindex, record_slug_changed, record_transition, typed_link_create
from cop_kb.records.snapshots import snapshot_of
from cop_kb.search.models import SearchDocument
from cop_kb.timeline.selectors import area_type

from ..factories import FIELDS, link_fields, make, record_models, typed_ends, typed_link_models
from .support import ATOM_NAMESPACE, Fetched, fetch, internal_target

# The tests only read what the module's crawl found, but the mark makes pytest-django create the test database
# (it sets databases up only for runs that hold a test asking for one).
pytestmark = pytest.mark.django_db

RECORD_MODELS = record_models()
VARIANTS = ("draft", "in_review", "withdrawn", "withdrawn_by_service", "draft_by_bulk_update")
INDEXED_ONCE = ("withdrawn_by_service", "draft_by_bulk_update")
SHARED_TAG = "Narwhal shared"
COMMON_WORDS = ("narwhal", "child online protection")
COMMON_PREFIXES = ("narw", "anch", "chi", "can")
TOKEN = re.compile(r"canary[0-9a-f]{10}")
SEARCH_URL = reverse("search:search")
AUTOCOMPLETE_URL = reverse("search:autocomplete")
TIMELINE_URL = reverse("timeline:timeline")
API_ROOT = reverse("api:root")
MAX_PAGES = 6000
ZIP_URL = reverse("exports:csv-zip")


def explore_page_url(model: type[Record], slug: str, depth: int = 1) -> str:
    """A record's explore page (its relationship graph), one or two steps out."""
    url = reverse("graph:explore", args=[record_type_of(model._meta.label_lower).slug, slug])
    return url if depth == 1 else f"{url}?depth={depth}"


def record_feed_url(model: type[Record], slug: str) -> str:
    """The feed of what is linked to a country or strategic area (types whose records are search facets)."""
    return reverse("feeds:record", args=[record_type_of(model._meta.label_lower).slug, slug])


def new_token() -> str:
    return f"canary{secrets.token_hex(5)}"


def misspelt(token: str) -> str:
    """The token with its last character changed: close enough for "Did you mean" to offer the canary."""
    return token[:-1] + ("0" if token[-1] != "0" else "1")


def token_forms(token: str) -> list[str]:
    """Every way a request can carry a token; longest first, so replacing them leaves no half-token behind."""
    return sorted({token, token.upper(), misspelt(token), misspelt(token).upper(), token[:-3]}, key=len, reverse=True)


@dataclass
class Canary:
    """A record that must stay invisible, its token, and a twin token that no record ever had."""

    model: type[Record]
    variant: str
    token: str = field(default_factory=new_token)
    twin: str = field(default_factory=new_token)
    record: Record | None = None

    def slug(self, token: str | None = None) -> str:
        return f"{token or self.token}-{self.model._meta.model_name}-{self.variant.replace('_', '-')}"

    def url(self, token: str | None = None) -> str:
        return self.model(slug=self.slug(token)).get_absolute_url()

    def former_url(self, token: str | None = None) -> str:
        return self.model(slug=f"{token or self.token}-former").get_absolute_url()

    def former_feed_url(self, token: str | None = None) -> str:
        return record_feed_url(self.model, f"{token or self.token}-former")

    @staticmethod
    def tag_name(token: str) -> str:
        return f"Tag {token}"

    def tag_slug(self, token: str | None = None) -> str:
        return slugify(self.tag_name(token or self.token))

    def tag_url(self, token: str | None = None) -> str:
        return reverse("tag-detail", args=[self.tag_slug(token)])

    def api_url(self, token: str | None = None) -> str:
        return api_detail_url(self.model(slug=self.slug(token)))

    def __str__(self) -> str:
        return f"{self.model.__name__} {self.variant} {self.token}"


# ---- planting ------------------------------------------------------------------------------------------------------


def text_fields(canary: Canary) -> dict[str, str]:
    """The canary's token in every free-text field of its type (found from the model, so new fields are covered).

    ISO country codes are the one exception: the database allows only two or three capital letters there.
    """
    token, model = canary.token, canary.model
    name = str(model._meta.verbose_name)
    fields = {
        "slug": canary.slug(),
        "title": f"{token} Narwhal anchor {name}",
        "summary": f"{token} summary: child online protection, narwhal.",
        "body": f"{token} body on child online protection.\n\n[Read {token}](https://{token}.example.org/) *{token}*",
    }
    for model_field in model._meta.concrete_fields:
        if model_field.name in fields or model_field.choices or not model_field.editable:
            continue
        if model_field.name in ("iso_alpha2", "iso_alpha3"):
            continue
        if isinstance(model_field, models.URLField):
            fields[model_field.name] = f"https://{token}.example.org/{model_field.name}"
        elif isinstance(model_field, models.CharField | models.TextField) and not isinstance(
            model_field, models.SlugField
        ):
            text = f"{token} {model_field.name}"
            fields[model_field.name] = text if len(text) <= (model_field.max_length or 1000) else token
    return fields


def required_links(model: type[Record], anchors: dict) -> dict:
    return {
        link.name: anchors[link.related_model]
        for link in link_fields(model)
        if isinstance(link, LinkForeignKey) and not link.null
    }


def incoming_single_links(model: type[Record]) -> list[tuple[type[Record], LinkForeignKey]]:
    """Single links of any record type that can point at ``model``."""
    return [
        (other, link)
        for other in RECORD_MODELS
        for link in link_fields(other)
        if isinstance(link, LinkForeignKey) and link.related_model is model
    ]


def plant_anchors() -> dict[type[Record], Record]:
    """One published record of every type, for canaries to link to and be linked from."""
    anchors: dict[type[Record], Record] = {}
    for model in FIELDS:
        name = str(model._meta.verbose_name)
        anchors[model] = make(
            model, title=f"Anchor narwhal {name}", tags=[SHARED_TAG], **required_links(model, anchors)
        )
    return anchors


def plant_referrers(canaries: list[Canary], anchors: dict) -> dict:
    """Published records whose optional single link will point at a canary (it is empty before the canary exists)."""
    referrers = {}
    numbers = itertools.count(1)
    for canary in canaries:
        for other, link in incoming_single_links(canary.model):
            if link.null:
                title = f"Referrer narwhal {other._meta.verbose_name} {next(numbers):04d}"
                referrers[(canary.token, link)] = make(other, title=title, **required_links(other, anchors))
    return referrers


def plant(canary: Canary, anchors: dict, referrers: dict, *, children: bool) -> Counter:
    """Create the canary and link it to and from published records every way there is; count the links made.

    Canaries that end up withdrawn through the workflow or set to draft behind its back start published.
    """
    model = canary.model
    starts_published = canary.variant in INDEXED_ONCE
    fields = {
        **text_fields(canary),
        **{link.name: anchors[link.related_model] for link in link_fields(model) if isinstance(link, LinkForeignKey)},
    }
    token = canary.token
    record = make(
        model,
        status=Status.PUBLISHED if starts_published else canary.variant,
        tags=[canary.tag_name(token), SHARED_TAG],
        aliases=[{"name": f"{token} alias", "kind": Alias.Kind.ACRONYM}],
        sources=[{"title": f"{token} source", "url": f"https://{token}.example.org/source", "supports": token}],
        **fields,
    )
    canary.record = record
    kinds = itertools.count()
    links = Counter()
    for link in link_fields(model):
        if isinstance(link, LinkManyToManyField):
            getattr(record, link.name).add(anchors[link.related_model])
            links["many, from the canary"] += 1
        else:
            links["single, from the canary"] += 1
    for other in RECORD_MODELS:
        for link in link_fields(other):
            if link.related_model is not model:
                continue
            if isinstance(link, LinkManyToManyField):
                getattr(anchors[other], link.name).add(record)
                links["many, to the canary"] += 1
            elif link.null:
                other.objects.filter(pk=referrers[(token, link)].pk).update(**{link.name: record})
                links["single, to the canary"] += 1
            elif children:
                name = other._meta.verbose_name
                make(
                    other,
                    title=f"Child narwhal {name} {token[-4:]}",
                    **{**required_links(other, anchors), link.name: record},
                )
                links["required, to the canary"] += 1
    for typed in typed_link_models():
        source_model, target_model = typed_ends(typed)
        labels = list(typed.LABELS)
        if source_model is model:
            fields = {typed.source_field: record, typed.target_field: anchors[target_model]}
            typed_link_create(model=typed, fields={**fields, "kind": labels[next(kinds) % len(labels)]})
            links["typed, from the canary"] += 1
        if target_model is model:
            fields = {typed.source_field: anchors[source_model], typed.target_field: record}
            typed_link_create(model=typed, fields={**fields, "kind": labels[next(kinds) % len(labels)]})
            links["typed, to the canary"] += 1
    return links


def take_out_of_view(canaries: list[Canary], linked: list[Record], user) -> dict[str, dict]:
    """Refresh the index as the services do after links change (once for all), then move each canary out of view:
    withdrawn through the workflow, or set to draft by a bulk update behind the services' back. Each also gets a
    former slug. Returns what a sanity test checks afterwards (the scenario really happened as described)."""
    records = [canary.record for canary in canaries]
    record_reindex(records[0], previously_linked=[*records[1:], *linked])
    facts = {}
    for canary in canaries:
        record, model = canary.record, canary.model
        indexed = SearchDocument.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=record.pk
        )
        was_indexed = indexed.exists()
        if canary.variant == "withdrawn_by_service":
            record_transition(record=record, action="withdraw", user=user)
        elif canary.variant == "draft_by_bulk_update":
            model.objects.filter(pk=record.pk).update(status=Status.DRAFT)
        record_slug_changed(record=record, old_slug=f"{canary.token}-former")
        facts[str(canary)] = {"was_indexed": was_indexed, "is_indexed": indexed.exists()}
    return facts


def pending_canaries(anchors: dict) -> dict[str, Canary]:
    """For every published anchor (one of each type, linked to and from records every way), a token for the changes
    that will wait for review on it, with a canary naming its type and record (variant "pending")."""
    canaries = [Canary(model, "pending", record=anchor) for model, anchor in anchors.items()]
    return {canary.token: canary for canary in canaries}


def plant_pending_changes(pending: dict[str, Canary], user) -> None:
    """Give every anchor changes waiting for review that carry its pending token in every text: fields, slug, aliases,
    sources and tags. The record itself stays as it was published."""
    for canary in pending.values():
        model, anchor = canary.model, canary.record
        changed = model.objects.get(pk=anchor.pk)
        for name, value in text_fields(canary).items():
            setattr(changed, name, value)
        token = canary.token
        snapshot = dataclasses.replace(
            snapshot_of(anchor),
            record=serializers.serialize("json", [changed]),
            aliases=[{"name": f"{token} alias", "kind": Alias.Kind.ACRONYM}],
            sources=[{"title": f"{token} source", "url": f"https://{token}.example.org/", "supports": token}],
            tags=[canary.tag_name(token), SHARED_TAG],
        )
        pending_change_save(record=anchor, snapshot=snapshot, user=user)


def pending_seeds(pending: dict[str, Canary]) -> list[str]:
    """Where a pending change's words could surface besides the anchors' own addresses (which the crawl reaches):
    searches and API searches for them, autocomplete, and the lists, API lists and exports filtered by the anchor."""
    seeds = []
    for token, canary in pending.items():
        model = canary.model
        seeds += [search_url(q=token.upper()), autocomplete_url(token[:-3]), f"{api_list_url(model)}?q={token}"]
        seeds += [f"{api_list_url(model)}?{urlencode({'tag': canary.tag_slug()})}", canary.tag_url()]
        for list_model in RECORD_MODELS:
            for facet in list_model.list_facets:
                path = getattr(facet, "path", "")
                if path and list_model._meta.get_field(path).related_model is model:
                    filtered = urlencode({facet.param: canary.record.slug})
                    seeds += [f"{list_model.get_list_url()}?{filtered}", f"{api_list_url(list_model)}?{filtered}"]
                    seeds.append(csv_of(f"{list_model.get_list_url()}?{filtered}"))
    return seeds


# ---- where to look -----------------------------------------------------------------------------------------------


def jsonld_address(page: str) -> str:
    """A record's linked-data address: its page's with ".jsonld" for the trailing slash."""
    return page.removesuffix("/") + ".jsonld"


def search_url(**params: str) -> str:
    return f"{SEARCH_URL}?{urlencode(params)}"


def autocomplete_url(text: str) -> str:
    return f"{AUTOCOMPLETE_URL}?{urlencode({'q': text})}"


# The concordance's filters, by the record type whose slugs they take.
CONCORDANCE_URL = "/concordance/"
CONCORDANCE_FILTERS = {"instruments.instrument": "instrument", "instruments.topic": "topic"}


def naming_urls(canary: Canary) -> list[Callable[[str], str]]:
    """Addresses that name the canary, as functions of its token (so the twin token gives the never-existed twin)."""
    model = canary.model
    builders: list[Callable[[str], str]] = [
        canary.url,
        canary.former_url,
        canary.tag_url,
        lambda token: jsonld_address(canary.url(token)),
        lambda token: jsonld_address(canary.former_url(token)),
        lambda token: explore_page_url(model, canary.slug(token)),
        lambda token: explore_page_url(model, canary.slug(token), depth=2),
        lambda token: search_url(q=token.upper()),
        lambda token: search_url(q=misspelt(token).upper()),
        lambda token: autocomplete_url(token[:-3]),
        lambda token: f"{model.get_list_url()}?{urlencode({'tag': canary.tag_slug(token)})}",
    ]
    api_list = api_list_url(model)
    builders += [
        canary.api_url,
        lambda token: f"{api_list}?{urlencode({'tag': canary.tag_slug(token)})}",
        lambda token: f"{api_list}?{urlencode({'q': token.upper()})}",
    ]
    if canary.variant in INDEXED_ONCE:
        # Search facets come from the index: only a canary that was once indexed can have left its tag there.
        builders.append(lambda token: search_url(q="narwhal", tag=canary.tag_slug(token)))
    if model is area_type().model:
        builders.append(lambda token: f"{TIMELINE_URL}?{urlencode({'area': canary.slug(token)})}")
    concordance_param = CONCORDANCE_FILTERS.get(model._meta.label_lower)
    if concordance_param:
        builders.append(
            lambda token, param=concordance_param: f"{CONCORDANCE_URL}?{urlencode({param: canary.slug(token)})}"
        )
    if model.search_facet_self:
        builders.append(
            lambda token, param=model.search_facet_self: search_url(q="narwhal", **{param: canary.slug(token)})
        )
        builders += [lambda token: record_feed_url(model, canary.slug(token)), canary.former_feed_url]
    for list_model in RECORD_MODELS:
        for facet in (*list_model.list_facets, TAG_FACET):
            path = getattr(facet, "path", "")
            if path and facet is not TAG_FACET and list_model._meta.get_field(path).related_model is model:
                builders.append(
                    lambda token, list_model=list_model, param=facet.param: (
                        f"{list_model.get_list_url()}?{urlencode({param: canary.slug(token)})}"
                    )
                )
                builders.append(
                    lambda token, list_model=list_model, param=facet.param: (
                        f"{api_list_url(list_model)}?{urlencode({param: canary.slug(token)})}"
                    )
                )
    # Their CSV exports too (a list or search asked for format=csv), but not autocomplete's, the API's, an explore
    # page's or an address's.
    exported = [
        build
        for build in builders
        if "?" in build(canary.token)
        and not _is_autocomplete(build(canary.token))
        and not build(canary.token).startswith(API_ROOT)
        and not build(canary.token).startswith("/explore/")
        and not build(canary.token).startswith(TIMELINE_URL)
    ]
    builders += [lambda token, build=build: csv_of(build(token)) for build in exported]
    return builders


def csv_of(url: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}format=csv"


def api_list_url(model: type[Record]) -> str:
    return reverse("api:list", kwargs={"type_slug": record_type_of(model._meta.label_lower).slug})


def api_detail_url(record: Record) -> str:
    return f"{api_list_url(type(record))}{record.slug}/"


def common_seeds() -> list[str]:
    seeds = ["/", API_ROOT, reverse("sitemap-index"), reverse("tag-list"), reverse("programmes:coverage"), SEARCH_URL]
    seeds += [reverse("map:world"), reverse("map:picture")]
    seeds += ["/this-page-never-existed/", reverse("tag-detail", args=["never-existed"])]
    # The whole-data JSON-LD; every detail page links to its own .jsonld address, so the crawl reads those too.
    seeds += [reverse("linked_data:download")]
    seeds += [TIMELINE_URL]
    seeds += [model.get_list_url() for model in RECORD_MODELS]
    # The API's lists, also two records a page, so that the crawl walks their next links.
    seeds += [f"{api_list_url(model)}?page_size=2" for model in RECORD_MODELS]
    seeds += [search_url(q=word) for word in COMMON_WORDS]
    seeds += [autocomplete_url(prefix) for prefix in COMMON_PREFIXES]
    seeds += [csv_of(url) for url in seeds if url.startswith(SEARCH_URL + "?")]
    seeds += [csv_of(model.get_list_url()) for model in RECORD_MODELS] + [ZIP_URL]
    seeds += [CONCORDANCE_URL, csv_of(CONCORDANCE_URL)]
    return seeds


def _without_page(url: str) -> tuple[str, tuple]:
    parts = urlsplit(url)
    return parts.path, tuple(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"))


def _is_export_of(url: str, target: str) -> bool:
    """Whether ``target`` is the CSV export of the list or search at ``url`` (its "Export CSV" link)."""
    path, params = _without_page(target)
    return ("format", "csv") in params and (path, tuple(p for p in params if p != ("format", "csv"))) == _without_page(
        url
    )


def crawl(seeds: list[str], expand: set[str]) -> dict[str, Fetched]:
    """Fetch the seeds and everything reachable from them.

    Links on a page without a query string, and on the ``expand`` pages (searches), are followed; from a page with a
    query only its page links and its CSV export are (filter combinations otherwise multiply without end).
    """
    # The whole-data downloads describe the content as it is now, as `make serve` builds them (never a request).
    call_command("build_downloads", stdout=io.StringIO())
    client = Client(raise_request_exception=False)
    fetched: dict[str, Fetched] = {}
    todo = list(dict.fromkeys(seeds))
    while todo and len(fetched) < MAX_PAGES:
        url = todo.pop()
        if url in fetched:
            continue
        page = fetched[url] = fetch(client, url)
        own_key = _without_page(url)
        for target in page.internal_targets():
            if target in fetched:
                continue
            if (
                "?" not in url
                or url in expand
                or "?" not in target
                or _without_page(target) == own_key
                or _is_export_of(url, target)
            ):
                todo.append(target)
    return fetched


# ---- the two crawls ---------------------------------------------------------------------------------------------


@dataclass
class World:
    canaries: list[Canary]
    before: dict[str, Fetched]
    after: dict[str, Fetched]
    # (canary, URL naming it, what a never-existing record's URL answered): for a canary planted between the
    # crawls that is the same URL before; for one planted first, the same URL naming its twin token.
    naming: list[tuple[Canary, Fetched, Fetched, str]]
    twins: set[str]
    published_urls: set[str]
    planted: dict[str, dict]
    # Published anchors with changes waiting for review, by the token in every text of those changes; and what was
    # stored for each (read before the module's data is rolled back).
    pending: dict[str, Canary] = field(default_factory=dict)
    pending_stored: dict[str, dict] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_framework", stdout=io.StringIO())
        user = get_user_model().objects.create_superuser("canary-publisher", "publisher@example.org", "x")
        required_targets = {
            link.related_model
            for model in RECORD_MODELS
            for link in link_fields(model)
            if isinstance(link, LinkForeignKey) and not link.null
        }
        early = [Canary(model, variant) for model in RECORD_MODELS if model in required_targets for variant in VARIANTS]
        late = [Canary(model, variant) for model in RECORD_MODELS for variant in VARIANTS]
        canaries = early + late
        named = {id(canary): [build(canary.token) for build in naming_urls(canary)] for canary in canaries}
        twins = {id(canary): [build(canary.twin) for build in naming_urls(canary)] for canary in early}
        seeds = common_seeds() + [url for urls in named.values() for url in urls]
        expand = {url for url in seeds if url.startswith(SEARCH_URL)}

        # Before: the framework, published anchors and referrers, and the canaries published records need.
        anchors = plant_anchors()
        referrers = plant_referrers(canaries, anchors)
        published = [*anchors.values(), *referrers.values()]
        # Two steps from an anchor reach the records linked to the canaries' neighbours (the crawl follows each page's
        # explore link, one step, by itself).
        seeds += [explore_page_url(type(anchor), anchor.slug, depth=2) for anchor in anchors.values()]
        links = {str(canary): plant(canary, anchors, referrers, children=True) for canary in early}
        planted = take_out_of_view(early, published, user)
        # Where the anchors' waiting changes could show, asked in both crawls (the changes are made in between).
        pending = pending_canaries(anchors)
        seeds += pending_seeds(pending)
        before = crawl(seeds, expand)

        # After: every other canary, linked every way, and changes waiting for review on every published anchor,
        # then the same crawl (plus anything new it finds, and where the waiting changes' words could show).
        links |= {str(canary): plant(canary, anchors, referrers, children=False) for canary in late}
        planted |= take_out_of_view(late, published, user)
        plant_pending_changes(pending, user)
        twin_urls = [url for urls in twins.values() for url in urls]
        after = crawl([*seeds, *before, *twin_urls], expand)

        naming = []
        for canary in early:
            for url, twin in zip(named[id(canary)], twins[id(canary)], strict=True):
                naming.append((canary, after[url], after[twin], canary.twin))
        for canary in late:
            naming += [(canary, after[url], before[url], canary.token) for url in named[id(canary)]]
        for canary in canaries:
            stored = type(canary.record).objects.get(pk=canary.record.pk)
            planted[str(canary)]["links"] = links[str(canary)]
            planted[str(canary)]["status"] = stored.status
            planted[str(canary)]["fields"] = _stored_text(stored)
        pending_stored = {
            token: {
                "status": type(canary.record).objects.get(pk=canary.record.pk).status,
                "snapshot": PendingChange.objects.get(
                    content_type=ContentType.objects.get_for_model(canary.model), object_id=canary.record.pk
                ).snapshot,
            }
            for token, canary in pending.items()
        }
        published_urls = {
            address
            for model in RECORD_MODELS
            for record in model.objects.public()
            for address in (record.get_absolute_url(), api_detail_url(record))
        }
        transaction.set_rollback(True)
    return World(canaries, before, after, naming, set(twin_urls), published_urls, planted, pending, pending_stored)


def _stored_text(record: Record) -> dict[str, str]:
    """Every text the canary holds, read back from the database: its fields, aliases, sources and tags."""
    texts = {
        model_field.name: str(getattr(record, model_field.name))
        for model_field in record._meta.concrete_fields
        if isinstance(model_field, models.CharField | models.TextField) and not model_field.choices
    }
    content_type = ContentType.objects.get_for_model(record)
    rows = {"content_type": content_type, "object_id": record.pk}
    texts["aliases"] = " ".join(Alias.objects.filter(**rows).values_list("name", flat=True))
    for name in ("title", "url", "supports"):
        texts[f"sources.{name}"] = " ".join(Source.objects.filter(**rows).values_list(name, flat=True))
    texts["tags"] = " ".join(tag.name for tag in record.tags.all())
    return texts


# ---- reading responses ------------------------------------------------------------------------------------------


def _asked(url: str) -> list[str]:
    """What a request itself said (path and query values): a page may echo these back without leaking anything."""
    parts = urlsplit(url)
    values = [value for _key, value in parse_qsl(parts.query, keep_blank_values=True) if value]
    return sorted({parts.path, *values}, key=len, reverse=True)


def leaked_tokens(page: Fetched, tokens: set[str]) -> set[str]:
    text = page.body + "\n" + "\n".join(f"{name}: {value}" for name, value in page.headers.items())
    for said in _asked(page.url):
        for form in (said, escape(said), quote(said), quote_plus(said)):
            text = text.replace(form, "")
    return set(TOKEN.findall(text)) & tokens


def normalised(page: Fetched, token: str) -> tuple:
    """The response with the token that named something replaced, so two lookups can be compared."""

    def blank(text: str) -> str:
        for form in token_forms(token) if token else ():
            text = text.replace(form, "<token>")
        return text

    return page.status, page.content_type, blank(page.location), blank(page.body)


_RESULTS = re.compile(r'(<ol class="record-list search-results"[^>]*>)(.*?)(</ol>)', re.S)
_HIT = re.compile(r"<li>.*?</li>", re.S)


def split_hits(body: str) -> tuple[str, list[str]]:
    """A search page without its list of hits, and the hits (each ``<li>`` as rendered)."""
    found = _RESULTS.search(body)
    if not found:
        return body, []
    return body[: found.start(2)] + body[found.end(2) :], _HIT.findall(found.group(2))


def _differs(before: Fetched, after: Fetched, before_token: str = "", after_token: str = "") -> str:
    """Where two responses first differ (after blanking the tokens that named what was asked for)."""
    before_status, _type, before_location, before_body = normalised(before, before_token)
    after_status, _type, after_location, after_body = normalised(after, after_token)
    if (before_status, before_location) != (after_status, after_location):
        return f"{before_status} {before_location} -> {after_status} {after_location}"
    for start in range(min(len(before_body), len(after_body))):
        if before_body[start] != after_body[start]:
            around = slice(max(0, start - 60), start + 100)
            return f"…{before_body[around]!r}… became …{after_body[around]!r}…"
    return f"body length {len(before_body)} -> {len(after_body)}"


def _is_search(url: str) -> bool:
    return urlsplit(url).path == SEARCH_URL


def _is_autocomplete(url: str) -> bool:
    return urlsplit(url).path == AUTOCOMPLETE_URL


# ---- the tests -------------------------------------------------------------------------------------------------


def test_canaries_were_planted_as_described(world):
    """The scenario is real: every type in every variant, token in every text, linked every way, index as stated."""
    by_type = Counter((canary.model, canary.variant) for canary in world.canaries)
    assert set(by_type) == {(model, variant) for model in RECORD_MODELS for variant in VARIANTS}
    for canary in world.canaries:
        facts = world.planted[str(canary)]
        assert facts["status"] != Status.PUBLISHED, canary
        missing = [name for name, text in facts["fields"].items() if text and canary.token not in text]
        assert not [name for name in missing if name not in ("iso_alpha2", "iso_alpha3")], (canary, missing)
        assert {"aliases", "tags", "sources.title", "sources.supports", "body", "summary", "title", "slug"} <= {
            name for name, text in facts["fields"].items() if canary.token in text
        }
        assert sum(facts["links"].values()) >= 2, (canary, facts["links"])
        if canary.variant in INDEXED_ONCE:
            assert facts["was_indexed"], f"{canary} should have been in the search index while published"
        # However the record was hidden (the workflow, or a bulk update the services never saw), the search
        # migration's triggers took its document out of the index with it.
        assert not facts["is_indexed"], canary
    directions = Counter(kind for facts in world.planted.values() for kind in facts["links"])
    assert set(directions) == {
        "many, from the canary",
        "many, to the canary",
        "single, from the canary",
        "single, to the canary",
        "required, to the canary",
        "typed, from the canary",
        "typed, to the canary",
    }


def test_crawl_reaches_every_public_surface(world):
    """A crawl that found little would prove little: it reached every published record and every kind of page."""
    after = world.after
    assert len(after) > 1000
    assert not sorted(url for url in world.published_urls if after.get(url, None) is None)
    assert all(after[url].status == 200 for url in world.published_urls)
    # Linked data: each published record's page has a .jsonld address, and the whole-data download names them all.
    pages = {url for url in world.published_urls if not url.startswith(API_ROOT)}
    assert all(after[jsonld_address(url)].status == 200 for url in pages)
    # A record with links draws them and links to its explore page; the crawl read every one.
    explore_links = {
        target for url in pages for target in after[url].internal_targets() if target.startswith("/explore/")
    }
    assert len(explore_links) > len(pages) / 2
    assert all(after[url].status == 200 for url in explore_links)
    download = after[reverse("linked_data:download")]
    assert download.status == 200 and {urlsplit(url).path for url in download.urls} >= pages
    sitemap_sections = [url for url in after if url.startswith("/sitemap-")]
    assert len(sitemap_sections) >= len(RECORD_MODELS)
    searches_with_hits = [url for url, page in after.items() if _is_search(url) and split_hits(page.body)[1]]
    assert len(searches_with_hits) > 20
    completions = [url for url, page in after.items() if _is_autocomplete(url) and '"title"' in page.body]
    assert completions
    assert any(url.startswith("/tags/") and page.status == 200 for url, page in after.items())
    assert after[reverse("programmes:coverage")].status == 200
    exports = [page for url, page in after.items() if "format=csv" in url and page.content_type.startswith("text/csv")]
    assert {csv_of(model.get_list_url()) for model in RECORD_MODELS} <= {page.url for page in exports}
    assert len([page for page in exports if urlsplit(page.url).query != "format=csv"]) > 2 * len(RECORD_MODELS)
    assert any(_is_search(page.url) and page.body.count("\n") > 1 for page in exports)
    assert after[ZIP_URL].status == 200 and "links.csv" in after[ZIP_URL].body
    api_pages = [url for url, page in after.items() if url.startswith(API_ROOT) and page.status == 200]
    assert any("page=2" in url for url in api_pages), "the crawl follows the API's next links"


def test_the_crawl_followed_the_feed_links_and_read_every_feed(world):
    """Pages name their feed (``<link rel="alternate">``); the crawl followed those links and every entry's link."""
    after = world.after
    feeds = {url: page for url, page in after.items() if url.startswith("/feeds/")}
    expected = {reverse("feeds:site")} | {reverse("feeds:type", args=[entry.slug]) for entry in record_types()}
    expected |= {
        record_feed_url(model, record.slug)
        for model in RECORD_MODELS
        if model.search_facet_self
        for record in model.objects.public()
    }
    assert expected <= feeds.keys(), sorted(expected - feeds.keys())
    assert all(feeds[url].status == 200 and ATOM_NAMESPACE in feeds[url].body for url in expected)
    entry_pages = {target for url in expected for target in feeds[url].internal_targets()} - set(expected)
    assert len(entry_pages) > 50
    assert entry_pages <= world.published_urls | {"/"} | {model.get_list_url() for model in RECORD_MODELS}


def test_no_public_response_is_a_server_error(world):
    errors = sorted(
        f"{url} -> {page.status}"
        for crawl_result in (world.before, world.after)
        for url, page in crawl_result.items()
        if page.status >= 500
    )
    assert not errors


def test_no_canary_token_in_any_response(world):
    by_token = {canary.token: canary for canary in world.canaries}
    leaks = []
    for when, crawl_result in (("before", world.before), ("after", world.after)):
        for url, page in crawl_result.items():
            for token in sorted(leaked_tokens(page, set(by_token))):
                leaks.append((by_token[token], f"{when}: {url} shows {by_token[token]}"))
    variants = Counter(canary.variant for canary, _line in leaks)
    lines = sorted(line for _canary, line in leaks)
    assert not leaks, f"{len(leaks)} leaks, by variant {dict(variants)}:\n" + "\n".join(lines[:40])


def test_pending_changes_were_saved_on_a_published_record_of_every_type(world):
    assert {canary.model for canary in world.pending.values()} == set(RECORD_MODELS)
    for token, canary in world.pending.items():
        stored = world.pending_stored[token]
        assert stored["status"] == Status.PUBLISHED and token not in canary.record.title
        snapshot = stored["snapshot"]
        assert snapshot["record"].count(token) >= 4, "title, slug, summary and body at least"
        assert token in json.dumps([snapshot["aliases"], snapshot["sources"], snapshot["tags"]])


def test_the_crawl_read_every_record_with_pending_changes_through_every_output(world):
    """The records whose changes wait for review were read everywhere they are published: page, .jsonld, API detail,
    their type's API list, CSV and feed, the whole-data zip and JSON-LD; so the test below proves something."""
    after = world.after
    zipped = after[ZIP_URL].body
    download = after[reverse("linked_data:download")].body
    for canary in world.pending.values():
        record, model = canary.record, canary.model
        page, api = record.get_absolute_url(), api_detail_url(record)
        for url in (page, jsonld_address(page), api):
            assert after[url].status == 200 and record.title in after[url].body, url
        feed = after[reverse("feeds:type", args=[record_type_of(model._meta.label_lower).slug])]
        assert page in feed.body or feed.body.count("<entry>") == 50, "in its type's feed, unless 50 newer are"
        assert record.slug in after[csv_of(model.get_list_url())].body and record.slug in zipped
        assert page in download
        assert any(record.slug in fetched.body for url, fetched in after.items() if url.startswith(api_list_url(model)))


def test_no_pending_change_text_in_any_response(world):
    leaks = sorted(
        f"{url} shows the waiting changes of {world.pending[token]}"
        for url, page in world.after.items()
        for token in leaked_tokens(page, set(world.pending))
    )
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks[:40])


def test_no_link_leads_to_a_canary(world):
    canary_paths = {
        url
        for canary in world.canaries
        for url in (canary.url(), canary.former_url(), canary.tag_url(), canary.api_url())
    }
    offending = sorted(
        f"{url} links to {target}"
        for crawl_result in (world.before, world.after)
        for url, page in crawl_result.items()
        for target in page.internal_targets()
        if urlsplit(target).path in canary_paths
    )
    # Links the crawler does not follow (static, admin) are checked too, by path: one pattern for all the canaries'
    # addresses, several times faster over both crawls' hrefs than trying each address in turn.
    naming_a_canary = re.compile("|".join(map(re.escape, canary_paths)))
    offending += sorted(
        f"{url} links to {href}"
        for crawl_result in (world.before, world.after)
        for url, page in crawl_result.items()
        for href in page.urls
        if naming_a_canary.search(href) and internal_target(url, href) is None
    )
    assert not offending, "\n".join(offending[:40])


def _named_and_never_existed(world, kinds: Callable[[str], bool]) -> list[str]:
    different = []
    for canary, named, never, never_token in world.naming:
        if kinds(urlsplit(named.url).path) and normalised(named, canary.token) != normalised(never, never_token):
            different.append(f"{named.url} vs {never.url}: {_differs(never, named, never_token, canary.token)}")
    return sorted(different)


def _is_address(path: str) -> bool:
    return path not in (SEARCH_URL, AUTOCOMPLETE_URL, CONCORDANCE_URL, TIMELINE_URL) and not any(
        path in (model.get_list_url(), api_list_url(model)) for model in RECORD_MODELS
    )


def test_canary_addresses_answer_exactly_like_addresses_that_never_existed(world):
    """Its page, its former slug, their .jsonld addresses, its tag page, its API address and its explore page at
    both depths (and a country's or strategic area's feed, at its address and its former one): 404, byte for byte
    what a made-up address gets."""
    addresses = [named for _canary, named, _never, _token in world.naming if _is_address(urlsplit(named.url).path)]
    with_feeds = [canary for canary in world.canaries if canary.model.search_facet_self]
    assert len(addresses) == 8 * len(world.canaries) + 2 * len(with_feeds)
    assert {page.status for page in addresses} == {404}
    different = _named_and_never_existed(world, _is_address)
    assert not different, "\n".join(different[:40])


def test_searches_and_filters_naming_a_canary_answer_like_ones_naming_nothing(world):
    """Search for its token or a misspelling, autocomplete its prefix, filter a list, search or the timeline by its
    slug or tag."""
    different = _named_and_never_existed(world, lambda path: not _is_address(path))
    assert not different, f"{len(different)} requests tell a canary from nothing:\n" + "\n".join(different[:30])


def test_pages_are_the_same_before_and_after_the_canaries(world):
    """Lists, counts, facets, tags, coverage, sitemap, detail pages: unchanged by records nobody may see."""
    changed = []
    for url in sorted(world.before.keys() & world.after.keys()):
        before, after = world.before[url], world.after[url]
        if _is_search(url) or _is_autocomplete(url):
            continue
        if (before.status, before.content_type, before.location, _unversioned(url, before.body)) != (
            after.status,
            after.content_type,
            after.location,
            _unversioned(url, after.body),
        ):
            changed.append(f"{url}: {_differs(before, after)}")
    assert not changed, f"{len(changed)} pages changed:\n" + "\n".join(changed[:30])


def test_search_counts_facets_and_hits_are_the_same_before_and_after_the_canaries(world):
    changed = []
    hits: dict[str, dict[tuple, Counter]] = {"before": {}, "after": {}}
    for when, crawl_result in (("before", world.before), ("after", world.after)):
        for url, page in crawl_result.items():
            if _is_search(url):
                _rest, found = split_hits(page.body)
                hits[when].setdefault(_without_page(url), Counter()).update(found)
    for url in sorted(world.before.keys() & world.after.keys()):
        if _is_search(url):
            before, after = world.before[url], world.after[url]
            if (before.status, split_hits(before.body)[0]) != (after.status, split_hits(after.body)[0]):
                changed.append(f"{url}: {_differs(before, after)}")
    for key in sorted(hits["before"].keys() & hits["after"].keys()):
        if hits["before"][key] != hits["after"][key]:
            changed.append(f"hits for {key}: {len(hits['before'][key])} -> {len(hits['after'][key])}")
    assert not changed, f"{len(changed)} searches changed:\n" + "\n".join(changed[:30])


def test_autocomplete_is_the_same_before_and_after_the_canaries(world):
    changed = []
    for url in sorted(world.before.keys() & world.after.keys()):
        if _is_autocomplete(url):
            before, after = (
                sorted(item["title"] for item in json.loads(page.body)["results"])
                for page in (world.before[url], world.after[url])
            )
            if before != after:
                changed.append(f"{url}: {len(before)} results {before} became {len(after)} {after}")
    assert not changed, "\n".join(changed)


_VERSION = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")
_CHANGED_AT = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00|\d\d \w+ \d{4} \d\d:\d\d UTC")


def _unversioned(url: str, body: str) -> str:
    """A whole-data download names the content version it holds and when that content changed, which planting the
    canaries changed (everything else in it must not change)."""
    if url not in (ZIP_URL, reverse("linked_data:download")):
        return body
    return _CHANGED_AT.sub("<changed at>", _VERSION.sub("<version>", body))


def test_no_page_is_reachable_only_once_the_canaries_exist(world):
    new = sorted(world.after.keys() - world.before.keys() - world.twins)
    assert not new, "\n".join(new[:40])
