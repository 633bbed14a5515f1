"""Reads across instruments by topic: the concordance, a topic's provisions by instrument, and the same topic in
other instruments. Public records only, each page a fixed number of queries, every group bounded."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Prefetch, QuerySet, Value, Window
from django.db.models.functions import RowNumber
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cop_kb.records.batch import prepared_rows
from cop_kb.records.models import public_q

from .models import Instrument, Provision, Topic

# At most this many instruments side by side: more columns stop being a comparison (and stop fitting a page).
MAX_COMPARED = 4
# Without a choice, the table shows the first instruments (in their usual order) that have provisions on a topic.
COLUMNS_SHOWN = 8
# The filter offers at most this many instruments and topics (the framework has 8 and 19).
CHOICES_SHOWN = 100
TOPICS_PER_PAGE = 50
# A cell, a topic's group of one instrument, a topic on a provision's page: this many provisions, then "all N".
CELL_SHOWN = 12
GROUP_SHOWN = 50

Through = Provision.topics.through


class ConcordanceInputError(Exception):
    """The filter names instruments or topics that are not published, or too many instruments; ``messages`` say
    what to change."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass
class ProvisionGroup:
    """Provisions of one instrument (or, on a provision's page, on one topic): the first few, how many in all, and
    where all of them are listed."""

    heading: object
    provisions: list[Provision] = field(default_factory=list)
    total: int = 0
    all_url: str = ""


@dataclass
class ConcordanceRow:
    topic: Topic
    cells: list[ProvisionGroup]


@dataclass
class Concordance:
    columns: list[Instrument]
    instrument_choices: list[Instrument]
    topic_choices: list[Topic]
    chosen_instruments: list[str]
    chosen_topics: list[str]
    page: Page
    rows: list[ConcordanceRow]
    notices: list[str] = field(default_factory=list)

    @property
    def areas(self) -> list:
        """The strategic areas the shown topics are classified under (editorial), each once, with their basis."""
        seen = {}
        for row in self.rows:
            for area in row.topic.public_areas:
                seen.setdefault(area.pk, area)
        return sorted(seen.values(), key=lambda area: area.position)


def provisions_url(**params: str) -> str:
    """The provisions list narrowed by ``params`` (``instrument``, ``topic``): where "all N" links lead."""
    return f"{Provision.get_list_url()}?{urlencode(params)}"


def _instruments_with_provisions() -> QuerySet:
    """Public instruments that have at least one public provision on a public topic, in their usual order."""
    on_topics = Through.objects.filter(public_q("provision"), public_q("topic")).values("provision__instrument")
    return Instrument.objects.public().filter(pk__in=on_topics).only("pk", "slug", "title", "acronym", "short_title")


def _chosen(params: QueryDict, name: str) -> list[str]:
    return list(dict.fromkeys(value.strip() for value in params.getlist(name) if value.strip()))


def _public_named(model, chosen: list[str]) -> tuple[list, list[str]]:
    """The public records ``chosen`` names, in the order chosen, and the slugs that name none (unknown or hidden:
    the two look the same, so the page never tells that a hidden record exists)."""
    # No slug holds NUL, and PostgreSQL refuses it in a query: such a value names nothing, like an unknown slug.
    asked = [slug for slug in chosen if "\x00" not in slug]
    found = {record.slug: record for record in model.objects.public().filter(slug__in=asked)} if asked else {}
    return [found[slug] for slug in chosen if slug in found], [slug for slug in chosen if slug not in found]


def _unknown_message(count: int, name: str, plural: str) -> str:
    # The slugs are not repeated: the message is the same whether they name a hidden record or nothing.
    return ngettext(
        "%(count)d of the chosen %(plural)s is not a published %(name)s; choose from the list below.",
        "%(count)d of the chosen %(plural)s are not published %(plural)s; choose from the list below.",
        count,
    ) % {"count": count, "name": name, "plural": plural}


def _validated(params: QueryDict) -> tuple[list[str], list[str], list[Instrument]]:
    """The chosen instrument and topic slugs, and the chosen instruments; raises ``ConcordanceInputError``."""
    instruments, topics = _chosen(params, "instrument"), _chosen(params, "topic")
    errors, found = [], []
    if len(instruments) > MAX_COMPARED:
        errors.append(
            _("Compare at most %(max)d instruments at a time; you chose %(count)d.")
            % {"max": MAX_COMPARED, "count": len(instruments)}
        )
    else:
        found, unknown = _public_named(Instrument, instruments)
        if unknown:
            errors.append(_unknown_message(len(unknown), _("instrument"), _("instruments")))
    _found_topics, unknown = _public_named(Topic, topics)
    if unknown:
        errors.append(_unknown_message(len(unknown), _("topic"), _("topics")))
    if errors:
        raise ConcordanceInputError(errors)
    return instruments, topics, found


def _cells(topics: list[Topic], columns: list[Instrument]) -> dict[tuple[int, int], ProvisionGroup]:
    """The provisions of each (topic, instrument) pair, the first ``CELL_SHOWN`` by article number; one query."""
    partition = [F("topic_id"), F("provision__instrument_id")]
    rows = (
        Through.objects.filter(
            public_q("provision"), topic__in=[t.pk for t in topics], provision__instrument__in=[c.pk for c in columns]
        )
        .annotate(
            row=Window(
                RowNumber(), partition_by=partition, order_by=[F("provision__position"), F("provision__number")]
            ),
            total=Window(Count("*"), partition_by=partition),
        )
        .filter(row__lte=CELL_SHOWN)
        .order_by("topic_id", "provision__instrument_id", "row")
        .values_list(
            "topic_id", "provision__instrument_id", "provision__slug", "provision__title", "provision__number", "total"
        )
    )
    cells: dict[tuple[int, int], ProvisionGroup] = {}
    for topic_id, instrument_id, slug, title, number, total in rows:
        cell = cells.setdefault((topic_id, instrument_id), ProvisionGroup(heading=None, total=total))
        cell.provisions.append(Provision.shown(slug=slug, title=title, number=number, status="published"))
    return cells


def concordance(params: QueryDict) -> Concordance:
    """Topics (rows) against instruments (columns), each cell the public provisions of that instrument on that
    topic, by article number; ``instrument`` (up to ``MAX_COMPARED``) and ``topic`` narrow it, ``page`` pages the
    topics. Unknown, unpublished or too many choices raise ``ConcordanceInputError``; a bad page number raises
    ``django.core.paginator.InvalidPage``. Six queries unfiltered, one more to check the chosen instruments and one
    more for the chosen topics, whatever the amount of data (the page reads the content version too: 7 to 9)."""
    instruments, topics, found_instruments = _validated(params)
    offered = concordance_choices()
    choices = offered["instrument_choices"]
    columns = found_instruments or choices[:COLUMNS_SHOWN]
    notices = []
    if not instruments and len(choices) > COLUMNS_SHOWN:
        notices.append(
            ngettext(
                "The first %(shown)d instruments are shown; choose up to %(max)d to compare them side by side.",
                "The first %(shown)d instruments are shown; choose up to %(max)d to compare them side by side.",
                COLUMNS_SHOWN,
            )
            % {"shown": COLUMNS_SHOWN, "max": MAX_COMPARED}
        )
    shown_topics = Topic.objects.public().prefetch_related(_public_areas())
    if topics:
        shown_topics = shown_topics.filter(slug__in=topics)
    page = Paginator(shown_topics, TOPICS_PER_PAGE).page(params.get("page", "1"))
    cells = _cells(list(page.object_list), columns)
    rows = []
    for topic in page.object_list:
        row = ConcordanceRow(topic=topic, cells=[])
        for column in columns:
            cell = cells.get((topic.pk, column.pk), ProvisionGroup(heading=column))
            cell.heading = column
            if cell.total > len(cell.provisions):
                cell.all_url = provisions_url(instrument=column.slug, topic=topic.slug)
            row.cells.append(cell)
        rows.append(row)
    return Concordance(
        columns=columns,
        instrument_choices=choices,
        topic_choices=offered["topic_choices"],
        chosen_instruments=instruments,
        chosen_topics=topics,
        page=page,
        rows=rows,
        notices=notices,
    )


def _public_areas() -> Prefetch:
    """A topic's strategic areas under the editors' classification, public ones only (read through the reverse
    relation: instruments never import strategy)."""
    areas = Topic._meta.get_field("classified_areas").related_model
    return Prefetch("classified_areas", queryset=areas.objects.public(), to_attr="public_areas")


def _topic_provision_rows(topic_pk: int) -> list[QuerySet]:
    rows = (
        Provision.objects.public()
        .filter(public_q("instrument"), topics=topic_pk)
        .annotate(
            row=Window(RowNumber(), partition_by=[F("instrument_id")], order_by=[F("position"), F("number")]),
            total=Window(Count("*"), partition_by=[F("instrument_id")]),
        )
        .filter(row__lte=GROUP_SHOWN)
        .order_by("instrument", "row")
        .values_list(
            "instrument_id", "instrument__slug", "instrument__title", "slug", "number", "title", "summary", "total"
        )
    )
    return [rows]


def topic_provisions(topic: Topic) -> list[ProvisionGroup]:
    """Every public provision on ``topic``, grouped by instrument (in the instruments' usual order), each group by
    article number: the first ``GROUP_SHOWN`` of each and how many. One query, built and compiled once per process
    (every topic's page asks the same but for its key)."""
    (rows,) = prepared_rows(("topic provisions",), _topic_provision_rows, topic.pk)
    groups: dict[int, ProvisionGroup] = {}
    for instrument_pk, instrument_slug, instrument_title, slug, number, title, summary, total in rows:
        group = groups.get(instrument_pk)
        if group is None:
            heading = Instrument.shown(
                pk=instrument_pk, slug=instrument_slug, title=instrument_title, status="published"
            )
            group = groups[instrument_pk] = ProvisionGroup(heading=heading, total=total)
            if total > GROUP_SHOWN:
                group.all_url = provisions_url(instrument=instrument_slug, topic=topic.slug)
        provision = Provision.shown(slug=slug, number=number, title=title, summary=summary, status="published")
        group.provisions.append(provision)
    return list(groups.values())


def _same_topic_rows(provision_pk: int, instrument_pk: int) -> list[QuerySet]:
    own_topics = Through.objects.filter(provision=provision_pk).values("topic")
    rows = (
        Through.objects.filter(public_q("topic"), public_q("provision"), public_q("provision__instrument"))
        .filter(topic__in=own_topics)
        .exclude(provision__instrument=instrument_pk)
        .annotate(
            row=Window(
                RowNumber(),
                partition_by=[F("topic_id")],
                order_by=[F("provision__instrument__title"), F("provision__position"), F("provision__number")],
            ),
            total=Window(Count("*"), partition_by=[F("topic_id")]),
        )
        .filter(row__lte=CELL_SHOWN)
        .order_by("topic__position", "topic__title", "row")
        .values_list(
            "topic__slug",
            "topic__title",
            "provision__slug",
            "provision__title",
            "provision__instrument__title",
            "total",
        )
    )
    return [rows]


def same_topic_elsewhere(provision: Provision) -> list[ProvisionGroup]:
    """For each public topic of ``provision``, the public provisions of *other* public instruments on it, by
    instrument then article number: the first ``CELL_SHOWN`` per topic and how many. One query, built and compiled
    once per process (every provision page asks the same but for two keys)."""
    (rows,) = prepared_rows(("same topic elsewhere",), _same_topic_rows, provision.pk, provision.instrument_id)
    groups: dict[str, ProvisionGroup] = {}
    for topic_slug, topic_title, slug, title, instrument_title, total in rows:
        group = groups.get(topic_slug)
        if group is None:
            topic = Topic.shown(slug=topic_slug, title=topic_title, status="published")
            group = groups[topic_slug] = ProvisionGroup(heading=topic, total=total)
            if total > CELL_SHOWN:
                group.all_url = topic.get_absolute_url()
        provision_shown = Provision.shown(slug=slug, title=title, status="published")
        provision_shown.instrument_title = instrument_title
        group.provisions.append(provision_shown)
    return list(groups.values())


@dataclass
class Classified:
    """A strategic area the editors classify a topic or an article under, with their basis, and for an article the
    topics of its that carry the classification (none: the article is named on its own)."""

    area_slug: str
    area_title: str
    area_url: str
    basis: str
    through: list[str] = field(default_factory=list)


_CLASSIFIED_COLUMNS = ("position", "slug", "title", "classification_basis")


def _area_model() -> type:
    """The strategic areas' model, reached through the classification's link (this app does not import theirs)."""
    return Topic._meta.get_field("classified_areas").related_model


def _areas() -> QuerySet:
    return _area_model().objects.public().order_by()


def _named(areas: QuerySet) -> QuerySet:
    """Areas that name the record themselves: through no topic."""
    return areas.annotate(via=Value("")).values_list(*_CLASSIFIED_COLUMNS, "via")


def _areas_of_topic(topic_key) -> list[QuerySet]:
    return [_named(_areas().filter(topics=topic_key))]


def _areas_of_provision(own_key, through_key) -> list[QuerySet]:
    areas = _areas()
    return [
        _named(areas.filter(classified_provisions=own_key)),
        areas.filter(public_q("topics"), topics__provisions=through_key).values_list(
            *_CLASSIFIED_COLUMNS, "topics__title"
        ),
    ]


def editorial_areas(record: Topic | Provision) -> list[Classified]:
    """The public strategic areas the editorial classification gives ``record``, in the areas' order: a topic's
    own; an article's, named on its own or through its public topics. One query, built and compiled once per
    process (every topic's or article's page asks the same but for its key)."""
    if isinstance(record, Topic):
        parts = prepared_rows(("areas of a topic",), _areas_of_topic, record.pk)
    else:
        parts = prepared_rows(("areas of a provision",), _areas_of_provision, record.pk, record.pk)
    area_model = _area_model()
    found: dict[str, Classified] = {}
    for _position, slug, title, basis, via in sorted((row for rows in parts for row in rows), key=_in_area_order):
        area = found.get(slug)
        if area is None:
            url = area_model.shown(slug=slug, title=title, status="published").get_absolute_url()
            area = found[slug] = Classified(area_slug=slug, area_title=title, area_url=url, basis=basis or "")
        if via:
            area.through.append(via)
    return list(found.values())


def _in_area_order(row: tuple) -> tuple:
    return (row[0], row[4])


def concordance_choices() -> dict:
    """What the concordance's filter offers: instruments with provisions on a topic, and topics (two queries)."""
    return {
        "instrument_choices": list(_instruments_with_provisions()[:CHOICES_SHOWN]),
        "topic_choices": list(Topic.objects.public().only("pk", "slug", "title", "position")[:CHOICES_SHOWN]),
    }


def concordance_rows(instruments: list[Instrument] | None, topics: list[str]) -> Iterator[tuple]:
    """Every (topic, instrument, provision) of the concordance, public ends only, narrowed to ``instruments``
    (``None``: every instrument) and to the topics slugged ``topics`` (none: every topic): topic slug and title,
    instrument slug and title, provision slug, number and title, and its page's path. Streamed, for the CSV."""
    rows = Through.objects.filter(public_q("topic"), public_q("provision"), public_q("provision__instrument"))
    if instruments is not None:
        rows = rows.filter(provision__instrument__in=[instrument.pk for instrument in instruments])
    if topics:
        rows = rows.filter(topic__slug__in=topics)
    rows = rows.order_by(
        "topic__position", "topic__title", "provision__instrument__title", "provision__position", "provision__number"
    ).values_list(
        "topic__slug",
        "topic__title",
        "provision__instrument__slug",
        "provision__instrument__title",
        "provision__slug",
        "provision__number",
        "provision__title",
    )
    for row in rows.iterator(chunk_size=500):
        yield (*row, Provision(slug=row[4]).get_absolute_url())
