"""Links in record bodies to other records: a link is only a link while the record it leads to is public.

An editor may link a body to any record's page, a draft included (``[the new country](/countries/new-x/)``). When a
body is rendered, a link to a record of this site that is not public — a draft, in review, withdrawn, deleted or
never created — is written as its text alone, with no address and no title; a link to a public record, or to
anything that is not a record's page, is kept as written.

A link names a record by its page's address: a path (``/countries/new-x/``), a path relative to the record's own page
(``../new-x/``) or a full URL whose host is one of ``ALLOWED_HOSTS``. The address is resolved as a request for it
would be (``django.urls.resolve``; a former slug leads to the public record renamed from it), and the records a batch
of bodies names are looked up together, a few queries per record type whatever the number of links.

Each save stores the record types and slugs its body names (``BodyLink``). When a record's status or slug changes, or
it is deleted, ``body_links_refresh`` finds the bodies that name it there, renders them again and reindexes those
whose page changed; ``records_linking_to_hidden`` finds the bodies that link to records that exist but are not public,
for the data-quality report; ``body_links_rebuild`` renders every body again, for a database saved before links were
stored.
"""

import enum
import functools
import html
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http.request import split_domain_port, validate_host
from django.urls import Resolver404, get_script_prefix, resolve

from .index import index_update
from .markdown import render_markdown
from .models import BodyLink, Record, SlugHistory
from .registry import record_models

# A link in the sanitiser's output. nh3 writes well-formed HTML: every attribute value quoted with '"' and with '<',
# '>' and '"' escaped, and no link inside another, so a link runs from "<a" to the next "</a>".
_LINK = re.compile(r"<a(?P<attributes>\s[^>]*)?>(?P<text>.*?)</a>", re.DOTALL)
_HREF = re.compile(r'\shref="(?P<href>[^"]*)"')

Target = tuple[type[Record], str]


class Visibility(enum.Enum):
    PUBLIC = "public"
    HIDDEN = "hidden"  # the record exists, but the public may not see it
    MISSING = "missing"


def _site_path(href: str, page: str) -> str | None:
    """The path (without the script prefix) that ``href``, written on ``page``, leads to on this site, if it does.

    None for links elsewhere, for mailto, and for links within the page itself ("#part", "?q=…").
    """
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        host, _port = split_domain_port(parts.netloc.rpartition("@")[2].lower())
        if parts.scheme not in {"", "http", "https"} or not host or not validate_host(host, settings.ALLOWED_HOSTS):
            return None
        path = parts.path or "/"
    elif not parts.path:
        return None
    else:
        path = urlsplit(urljoin(page, parts.path)).path
    path = unquote(path)
    prefix = get_script_prefix()
    if not path.startswith(prefix):
        return None
    return "/" + path[len(prefix) :]


class _LinkTargets:
    """The records that addresses name, and whether each is public: each address resolved and each record looked up
    once, the records of one type all in one batch."""

    def __init__(self) -> None:
        self._type_by_url_name = {model.url_name: model for model in record_models()}
        self._by_path: dict[str, Target | None] = {}
        self._visibility: dict[Target, Visibility] = {}

    def named_by(self, href: str, page: str) -> Target | None:
        path = _site_path(href, page)
        if path is None:
            return None
        if path not in self._by_path:
            self._by_path[path] = self._resolve(path)
        return self._by_path[path]

    def _resolve(self, path: str) -> Target | None:
        # Without its final slash an address is redirected to the one with it (APPEND_SLASH), so it names that record.
        for candidate in (path, path + "/") if not path.endswith("/") else (path,):
            try:
                match = resolve(candidate)
            except Resolver404:
                continue
            model = self._type_by_url_name.get(match.view_name)
            if model is None or "slug" not in match.kwargs:
                return None
            return model, match.kwargs["slug"]
        return None

    def visibility(self, target: Target) -> Visibility:
        return self._visibility[target]

    def look_up(self, targets: Iterable[Target]) -> None:
        """Find out which of ``targets`` are public, hidden or missing: two queries per record type, at most."""
        slugs_by_type: dict[type[Record], set[str]] = {}
        for model, slug in targets:
            if (model, slug) not in self._visibility:
                slugs_by_type.setdefault(model, set()).add(slug)
        for model, slugs in slugs_by_type.items():
            content_type = ContentType.objects.get_for_model(model)
            # As the detail page does: the record with the slug if it is public, else the public record renamed
            # from it (SlugHistory).
            renamed = dict(
                SlugHistory.objects.filter(content_type=content_type, slug__in=slugs).values_list("slug", "object_id")
            )
            rows = list(
                model.objects.filter(Q(slug__in=slugs) | Q(pk__in=renamed.values()))
                .annotate(is_public=Exists(model.objects.public().filter(pk=OuterRef("pk"))))
                .values_list("pk", "slug", "is_public")
            )
            public_by_pk = {pk: is_public for pk, _slug, is_public in rows}
            pk_by_slug = {slug: pk for pk, slug, _is_public in rows}
            for slug in slugs:
                found = [pk for pk in (pk_by_slug.get(slug), renamed.get(slug)) if pk in public_by_pk]
                if any(public_by_pk[pk] for pk in found):
                    self._visibility[model, slug] = Visibility.PUBLIC
                else:
                    self._visibility[model, slug] = Visibility.HIDDEN if found else Visibility.MISSING


@dataclass
class _Link:
    match: re.Match
    href: str
    target: Target | None


@dataclass(frozen=True)
class RenderedBody:
    html: str
    # The records the body's links name (but its own page), shown or not: the body changes when one of them does.
    targets: frozenset[Target]
    # Addresses of the links that lead to records which exist but are not public, as the editor wrote them.
    hidden: tuple[str, ...]


def render_bodies(records: Sequence[Record]) -> list[RenderedBody]:
    """Render each record's Markdown body to safe HTML, links to records the public cannot see written as text.

    The records every body names are looked up together, so rendering many bodies with many links costs a few
    queries per record type they link to.
    """
    targets = _LinkTargets()
    rendered = []
    for record in records:
        body_html = render_markdown(record.body)
        page = record.get_absolute_url()
        own = (type(record), record.slug)
        links = []
        for match in _LINK.finditer(body_html):
            href = _HREF.search(match["attributes"] or "")
            if href is not None:
                address = html.unescape(href["href"])
                target = targets.named_by(address, page)
                # A link to the record's own page stays: wherever the body is shown, that page is the one shown.
                links.append(_Link(match, address, None if target == own else target))
        rendered.append((body_html, links))
    targets.look_up({link.target for _html, links in rendered for link in links if link.target})
    return [_without_hidden_links(body_html, links, targets) for body_html, links in rendered]


def _without_hidden_links(body_html: str, links: list[_Link], targets: _LinkTargets) -> RenderedBody:
    pieces, hidden, end = [], [], 0
    for link in links:
        if link.target is None or targets.visibility(link.target) is Visibility.PUBLIC:
            continue
        if targets.visibility(link.target) is Visibility.HIDDEN:
            hidden.append(link.href)
        pieces += [body_html[end : link.match.start()], link.match["text"]]
        end = link.match.end()
    pieces.append(body_html[end:])
    named = frozenset(link.target for link in links if link.target)
    return RenderedBody(html="".join(pieces), targets=named, hidden=tuple(hidden))


def render_body(record: Record) -> RenderedBody:
    """The record's body as safe HTML (see ``render_bodies``); ``Record.save()`` stores it as ``body_html``."""
    return render_bodies([record])[0]


def _rows(record: Record, targets: Iterable[Target]) -> list[BodyLink]:
    content_type = ContentType.objects.get_for_model(record)
    return [
        BodyLink(
            content_type=content_type,
            object_id=record.pk,
            target_type=ContentType.objects.get_for_model(model),
            target_slug=slug,
        )
        for model, slug in targets
        # No record has a longer slug, or ever will: such a link can only stay text.
        if len(slug) <= BodyLink._meta.get_field("target_slug").max_length
    ]


def body_links_store(*, record: Record, targets: Iterable[Target], adding: bool = False) -> None:
    """Store the records ``record``'s body names (``RenderedBody.targets``), in place of those it named before."""
    if not adding:
        BodyLink.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk).delete()
    BodyLink.objects.bulk_create(_rows(record, targets))


@transaction.atomic
def body_links_refresh(*, model: type[Record], pks: Iterable[int]) -> None:
    """Render again the bodies that name these records after their status or slug changed or they were deleted, and
    reindex the records whose page changed.

    A body names a record by a slug, the one it has or one it had (SlugHistory). A deleted record's slug is gone with
    it: then the bodies that name a slug of its type that no record has any more are rendered again. Only bodies
    whose HTML differs are written.
    """
    pks = set(pks)
    target_type = ContentType.objects.get_for_model(model)
    current = dict(model.objects.filter(pk__in=pks).values_list("pk", "slug"))
    slugs = {
        *current.values(),
        *SlugHistory.objects.filter(content_type=target_type, object_id__in=pks).values_list("slug", flat=True),
    }
    naming = Q(target_type=target_type, target_slug__in=slugs)
    deleted = pks - current.keys()
    if deleted:
        BodyLink.objects.filter(content_type=target_type, object_id__in=deleted).delete()
        naming |= Q(target_type=target_type) & ~Q(target_slug__in=model.objects.values("slug"))
    sources: dict[int, set[int]] = {}
    for content_type_id, object_id in BodyLink.objects.filter(naming).values_list("content_type", "object_id"):
        sources.setdefault(content_type_id, set()).add(object_id)
    changed = []
    for content_type_id, object_ids in sources.items():
        linking = ContentType.objects.get_for_id(content_type_id).model_class()
        changed += _render_again(linking.objects.filter(pk__in=object_ids))
    if changed:
        index_update(changed)


def _render_again(records, *, store_links: bool = False) -> list[Record]:
    """Render ``records``' bodies again and write the HTML of those that changed (and, if asked, store all their
    links afresh); returns the records whose HTML changed."""
    records = list(records.only("slug", "body", "body_html"))
    rendered = render_bodies(records)
    changed = []
    for record, body in zip(records, rendered, strict=True):
        if body.html != record.body_html:
            record.body_html = body.html
            changed.append(record)
    if not records:
        return changed
    model = type(records[0])
    # body_html is derived from the body; the record itself did not change, so no new version and no new date.
    model.objects.bulk_update(changed, ["body_html"])
    if store_links:
        content_type = ContentType.objects.get_for_model(model)
        BodyLink.objects.filter(content_type=content_type, object_id__in=[record.pk for record in records]).delete()
        BodyLink.objects.bulk_create(
            [row for record, body in zip(records, rendered, strict=True) for row in _rows(record, body.targets)]
        )
    return changed


def records_linking_to_hidden(model: type[Record]) -> dict[int, tuple[str, ...]]:
    """Records of ``model`` whose bodies link to records that exist but are not public, with those links' addresses.

    One query finds the records whose stored links name a record that is not public (by its slug or a former one);
    only those are rendered, their links looked up together, so the cost does not grow by a query per record.
    """
    names_hidden = []
    for target in record_models():
        target_type = ContentType.objects.get_for_model(target)
        hidden = target.objects.exclude(pk__in=target.objects.public().values("pk"))
        renamed = SlugHistory.objects.filter(content_type=target_type, object_id__in=hidden.values("pk"))
        names_hidden.append(
            Q(target_type=target_type)
            & (Q(target_slug__in=hidden.values("slug")) | Q(target_slug__in=renamed.values("slug")))
        )
    linking = BodyLink.objects.filter(
        functools.reduce(operator.or_, names_hidden), content_type=ContentType.objects.get_for_model(model)
    )
    candidates = list(model.objects.filter(pk__in=linking.values("object_id")).only("slug", "body"))
    return {
        record.pk: rendered.hidden
        for record, rendered in zip(candidates, render_bodies(candidates), strict=True)
        if rendered.hidden
    }


REBUILD_BATCH = 500


@transaction.atomic
def body_links_rebuild() -> int:
    """Render every record's body again and store its links afresh; returns how many pages changed.

    For a database whose bodies were saved before links were stored, or changed behind the application's back.
    """
    changed = []
    for model in record_models():
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), REBUILD_BATCH):
            batch = model.objects.filter(pk__in=pks[start : start + REBUILD_BATCH])
            changed += _render_again(batch, store_links=True)
    if changed:
        index_update(changed)
    return len(changed)
