"""The feeds: Django's syndication framework over ``selectors``, one class per kind of subject, none per type.

Each entry's id is a tag URI made of the site's host, the day the record was created, its type's public name and
its primary key (``tag:example.org,2026-11-28:instruments/12``): renaming a record changes its address, never its
id, so a feed reader does not show a renamed record as new.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponsePermanentRedirect
from django.http.request import split_domain_port
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Stylesheet
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator

from cop_kb.records.content_version import content_version
from cop_kb.records.views import former_slug_target

from .selectors import Change, feed_record_type, linked_changes, site_changes, type_changes


class _Atom(Atom1Feed):
    """Django's Atom with what it leaves out: the stylesheets (Django writes them into RSS only), summaries as
    plain text (Django sends them as HTML), and, for an empty feed, an ``<updated>`` that is the time its
    subject last changed rather than the time of the request, so an unchanged feed stays the same.

    Sent as ``application/xml``: browsers show ``application/atom+xml`` as plain text (Chromium) or offer it as a
    download, so the stylesheet would never apply, while feed readers read the document, not the header, and
    find the feed through the pages' ``<link type="application/atom+xml">``.
    """

    content_type = "application/xml; charset=utf-8"

    def write(self, outfile, encoding):
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", str(stylesheet))
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["summary_text"]:
            handler.addQuickElement("summary", item["summary_text"], {"type": "text"})

    def latest_post_date(self):
        return super().latest_post_date() if self.items else self.feed["quiet_since"]


@dataclass
class About:
    """What a feed is about: its title, the page it follows, its entries and, when it has none, when it changed."""

    title: str
    link: str
    changes: list[Change]
    quiet_since: datetime


@dataclass
class Subject:
    """A feed as asked for: what it is about, its own address, and the host its entry ids are minted under."""

    about: About
    feed_url: str
    host: str


class _Moved(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


def _last_change() -> datetime:
    """When anything public last changed: the time an empty site or type feed gives as its own."""
    version = content_version()
    return version[1] if version else timezone.now()


class ChangesFeed(Feed):
    """What is common to every feed: Atom, a stylesheet for browsers, and one entry per changed public record.

    A feed instance serves every request, so everything that depends on the request travels in the ``Subject``.
    """

    feed_type = _Atom

    def about(self, **kwargs) -> About:
        raise NotImplementedError

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except _Moved as moved:  # the feed of a renamed record lives where the record now does
            return HttpResponsePermanentRedirect(moved.url)

    def get_object(self, request, *args, **kwargs) -> Subject:
        host = split_domain_port(request.get_host())[0] or "localhost"
        return Subject(about=self.about(**kwargs), feed_url=request.path, host=host)

    def stylesheets(self, subject: Subject) -> list[Stylesheet]:
        return [Stylesheet(static("css/feed.css"), mimetype="text/css")]

    def title(self, subject: Subject) -> str:
        return subject.about.title

    def link(self, subject: Subject) -> str:
        return subject.about.link

    def feed_url(self, subject: Subject) -> str:
        return subject.feed_url

    def author_name(self) -> str:
        return settings.SITE_NAME

    def feed_extra_kwargs(self, subject: Subject) -> dict:
        return {"quiet_since": subject.about.quiet_since}

    def items(self, subject: Subject) -> list[tuple[Subject, Change]]:
        return [(subject, change) for change in subject.about.changes]

    def item_title(self, item) -> str:
        return item[1].record.title

    def item_description(self, item) -> None:
        return None  # Django would send it as HTML (or the item as text): ``_Atom`` writes the summary as text

    def item_extra_kwargs(self, item) -> dict:
        return {"summary_text": item[1].record.summary}

    def item_link(self, item) -> str:
        return item[1].record.get_absolute_url()

    def item_guid(self, item) -> str:
        subject, change = item
        return f"tag:{subject.host},{change.record.created_at:%Y-%m-%d}:{change.record_type.slug}/{change.record.pk}"

    def item_guid_is_permalink(self, item) -> bool:
        return False

    def item_updateddate(self, item) -> datetime:
        return item[1].record.updated_at

    def item_categories(self, item) -> list[str]:
        return [item[1].record_type.name]


class SiteFeed(ChangesFeed):
    """The latest changes anywhere on the site."""

    def about(self) -> About:
        title = _("%(site)s: latest changes") % {"site": settings.SITE_NAME}
        return About(title=title, link=reverse("home"), changes=site_changes(), quiet_since=_last_change())


class TypeFeed(ChangesFeed):
    """The latest changes to one record type's records; any registered type, by its public name."""

    def about(self, *, type_slug: str) -> About:
        record_type = feed_record_type(type_slug)
        if record_type is None:
            raise Http404(_("No record type has this name."))
        title = _("%(site)s: latest changes to %(plural)s") % {
            "site": settings.SITE_NAME,
            "plural": record_type.plural.lower(),
        }
        changes = type_changes(record_type)
        return About(title=title, link=record_type.list_url(), changes=changes, quiet_since=_last_change())


class RecordFeed(ChangesFeed):
    """The latest changes to what is linked to one public record (a country, a strategic area), either way."""

    def about(self, *, type_slug: str, slug: str) -> About:
        record_type = feed_record_type(type_slug, of_records=True)
        if record_type is None:
            raise Http404(_("Records of this type have no feeds."))
        record = record_type.model.objects.public().filter(slug=slug).first()
        if record is None:
            moved = former_slug_target(record_type.model, slug)
            if moved is None:
                raise Http404(_("No public record has this address."))
            raise _Moved(reverse("feeds:record", args=[type_slug, moved.slug]))
        title = _("%(site)s: latest changes linked to %(title)s") % {"site": settings.SITE_NAME, "title": record.title}
        changes = linked_changes(record)
        return About(title=title, link=record.get_absolute_url(), changes=changes, quiet_since=record.updated_at)
