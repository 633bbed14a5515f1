"""Public pages: lists, detail pages, links both ways, the home and search pages, and their query counts.

Only published records may be seen: a record in any other state is absent from lists, search and every other
record's page, and its own address is a 404. Link tests are driven by the link declarations themselves, so a new
link field or typed link model is covered without touching this file.
"""

import io
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import resolve, reverse

from cop_kb.directory.models import Country, Organisation
from cop_kb.records.link_pages import BACKLINKS_SHOWN
from cop_kb.records.links import LinkForeignKey
from cop_kb.records.models import Record, Status
from instruments.models import Instrument, Provision, Topic
from programmes.models import Activity, Output, Partnership, Programme
from strategy.models import FocusArea, Principle, Right, Sector, StakeholderGroup, StrategicArea

from .factories import (
    BUILDERS,
    link_everywhere,
    link_fields,
    make,
    make_linked_graph,
    make_typed_link,
    record_models,
    typed_ends,
    typed_link_models,
)

pytestmark = pytest.mark.django_db

RECORD_MODELS = record_models()
UNPUBLISHED = [status for status in Status.values if status != Status.PUBLISHED]
LINK_FIELDS = [(model, link) for model in RECORD_MODELS for link in link_fields(model)]
TYPED_KINDS = [(typed, kind) for typed in typed_link_models() for kind in typed.LABELS]

SEED_INSTRUMENTS = [
    "crc",
    "opsc",
    "ilo-c182",
    "palermo-protocol",
    "lanzarote-convention",
    "budapest-convention",
    "un-study-violence-against-children",
    "rio-declaration",
]


def model_id(model) -> str:
    return model.__name__


def link_id(param) -> str:
    model, link = param
    return f"{model.__name__}.{link.name}"


def typed_id(param) -> str:
    typed, kind = param
    return f"{typed.__name__}.{kind}"


# ---- reading rendered pages ------------------------------------------------------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    parts: list = field(default_factory=list)
    label: str = ""  # For a link group section: the text of its heading.
    inputs: list = field(default_factory=list)  # For a form: the attributes of its inputs.

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


@dataclass
class Link:
    href: str
    text: str
    ancestors: tuple

    def inside(self, tag: str, **attrs) -> bool:
        return any(
            element.tag == tag and all(element.attrs.get(name) == value for name, value in attrs.items())
            for element in self.ancestors
        )

    @property
    def group(self) -> Element | None:
        """The link group section (``<section class="link-group ...">``) this link is listed in, if any."""
        for element in reversed(self.ancestors):
            if element.tag == "section" and "link-group" in element.classes:
                return element
        return None


@dataclass
class Page:
    links: list[Link] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    forms: list[Element] = field(default_factory=list)
    h1: str = ""

    @property
    def main_hrefs(self) -> set[str]:
        return {link.href for link in self.links if link.inside("main")}

    def groups(self, *, inverse: bool | None = None) -> dict[str, list[str]]:
        """Link group heading -> hrefs listed under it (forward groups, backlink groups, or both)."""
        result: dict[str, list[str]] = {}
        for link in self.links:
            group = link.group
            if group is None or (inverse is not None and ("backlinks" in group.classes) != inverse):
                continue
            result.setdefault(group.label, []).append(link.href)
        return result

    @property
    def group_hrefs(self) -> set[str]:
        return {href for hrefs in self.groups().values() for href in hrefs}


class _PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[Element] = []
        self.page = Page()
        self._last_term = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            for element in reversed(self.stack):
                if element.tag == "form":
                    element.inputs.append(attrs)
                    break
        if tag not in _VOID:
            self.stack.append(Element(tag, attrs))

    def handle_data(self, data):
        for element in self.stack:
            element.parts.append(data)

    def handle_endtag(self, tag):
        if tag in _VOID or not any(element.tag == tag for element in self.stack):
            return
        while True:
            element = self.stack.pop()
            self._closed(element, " ".join("".join(element.parts).split()))
            if element.tag == tag:
                return

    def _closed(self, element: Element, text: str) -> None:
        page = self.page
        parent = self.stack[-1] if self.stack else None
        if element.tag == "a" and "href" in element.attrs:
            page.links.append(Link(element.attrs["href"], text, tuple(self.stack)))
        elif element.tag == "h2" and parent is not None and "link-group" in parent.classes:
            parent.label = text
        elif element.tag == "h1":
            page.h1 = text
        elif element.tag == "dt":
            self._last_term = text
        elif element.tag == "dd":
            page.facts[self._last_term] = text
        elif element.tag == "form":
            page.forms.append(element)


def read_page(response) -> Page:
    """What a reader (or a crawler) finds on a rendered page: its links with their context, facts and forms."""
    reader = _PageReader()
    reader.feed(response.content.decode())
    reader.close()
    return reader.page


def get_page(client, url: str) -> tuple[object, Page]:
    response = client.get(url)
    assert response.status_code == 200, f"{url} gave {response.status_code}"
    return response, read_page(response)


def url(record: Record) -> str:
    return record.get_absolute_url()


# ---- builders cover every record type ----------------------------------------------------------------------------


def test_every_record_type_has_a_builder():
    # The tests below are generated from the builders; a record type without one would go untested.
    assert set(BUILDERS) == set(RECORD_MODELS)


def test_every_record_type_has_links():
    linked = {model for model, _ in LINK_FIELDS} | {f.related_model for _, f in LINK_FIELDS}
    linked |= {end for typed in typed_link_models() for end in typed_ends(typed)}
    assert linked == set(RECORD_MODELS)


# ---- lists and detail pages of every record type ----------------------------------------------------------------


@pytest.mark.parametrize("model", RECORD_MODELS, ids=model_id)
def test_list_shows_published_records_and_hides_the_others(client, model):
    published = make(model)
    hidden = [make(model, status=status) for status in UNPUBLISHED]

    response, page = get_page(client, model.get_list_url())

    assert url(published) in page.main_hrefs
    assert published.title in response.content.decode()
    for record in hidden:
        assert url(record) not in page.main_hrefs
        assert record.title not in response.content.decode()
    assert response.context["paginator"].count == 1


# Each record type's facts as a reader sees them: the builder's values, with fixed ones where it numbers them. A
# single link is given as (its type, the linked record's title) and shows as that title, linking to its page.
FACTS: dict[type[Record], tuple[dict, dict[str, str]]] = {
    Organisation: (
        {"acronym": "ORGX", "website": "https://organisation.example.org/", "parent": (Organisation, "Parent body")},
        {
            "Acronym": "ORGX",
            "Kind": "UN agency",
            "Part of": "Parent body",
            "Website": "https://organisation.example.org/",
        },
    ),
    Country: ({"iso_alpha2": "ZZ", "iso_alpha3": "ZZZ"}, {"ISO 3166-1 alpha-2": "ZZ", "ISO 3166-1 alpha-3": "ZZZ"}),
    Instrument: (
        {
            "official_title": "Official title of the instrument",
            "short_title": "Short title",
            "acronym": "INSX",
            "place": "Geneva",
            "reference_number": "REF/1",
            "official_url": "https://instrument.example.org/",
            "issuing_body": (Organisation, "Issuing organisation"),
        },
        {
            "Official title": "Official title of the instrument",
            "Short title": "Short title",
            "Acronym": "INSX",
            "Kind": "Convention",
            "Adopted / issued on": "25 May 2000",
            "Opened for signature on": "June 2000",
            "Entry into force": "2002",
            "Place of adoption or signature": "Geneva",
            "Reference number": "REF/1",
            "Issuing body": "Issuing organisation",
            "Official URL": "https://instrument.example.org/",
        },
    ),
    Provision: (
        {"number": "12", "instrument": (Instrument, "Parent instrument")},
        {"Instrument": "Parent instrument", "Number": "12"},
    ),
    Topic: ({}, {}),
    StrategicArea: (
        {"position": 101, "classification_basis": "Why the editors put topics here."},
        {"Position": "101", "Editorial classification: basis": "Why the editors put topics here."},
    ),
    Right: ({}, {"Side of the balance": "Protection"}),
    StakeholderGroup: ({}, {}),
    Sector: ({}, {}),
    FocusArea: ({}, {"Level": "Country level", "Statement": "In its words."}),
    Principle: ({}, {"Scope": "Child protection strategy and ICTs", "Statement": "In its own words."}),
    Programme: (
        {"focus_area": (FocusArea, "Line of work")},
        {"Kind": "Research", "Level": "Global level", "Year": "2011", "Focus area": "Line of work"},
    ),
    Partnership: (
        {"website": "https://partnership.example.org/", "focus_area": (FocusArea, "Line of work")},
        {"Launched on": "November 2008", "Website": "https://partnership.example.org/", "Focus area": "Line of work"},
    ),
    Activity: (
        {"place": "Venue", "partnership": (Partnership, "Parent partnership")},
        {
            "Partnership": "Parent partnership",
            "Kind": "Meeting",
            "Level": "Global level",
            "Year": "2015",
            "Place": "Venue",
        },
    ),
    Output: (
        {
            "url": "https://output.example.org/",
            "publisher": (Organisation, "Publishing house"),
            "programme": (Programme, "Parent programme"),
        },
        {
            "Programme": "Parent programme",
            "Kind": "Report",
            "Year": "2013",
            "Publisher": "Publishing house",
            "URL": "https://output.example.org/",
        },
    ),
}


@pytest.mark.parametrize("model", RECORD_MODELS, ids=model_id)
def test_detail_page_shows_the_record_and_its_fields(client, model):
    fields, facts = FACTS[model]
    linked = {name: make(value[0], title=value[1]) for name, value in fields.items() if isinstance(value, tuple)}
    fields = {**fields, **linked}
    record = make(
        model,
        tags=["online safety"],
        aliases=[{"name": "Shown alias", "kind": "acronym"}],
        sources=[{"title": "Shown source", "url": "https://source.example.org/", "supports": "Every date"}],
        **fields,
    )

    response, page = get_page(client, url(record))
    html = response.content.decode()

    assert page.h1 == record.title
    assert record.summary in html
    assert "<strong>strong words</strong>" in html
    assert page.facts["Also known as"] == "Shown alias"
    assert "online safety" in html
    assert "https://source.example.org/" in {link.href for link in page.links}
    assert "Every date" in html
    assert len(facts) == len(model.detail_fields), f"FACTS should say what each of {model.detail_fields} shows"
    assert {label: page.facts.get(label) for label in facts} == facts
    # A linked record's fact links to its page, from inside the facts.
    for target in linked.values():
        assert any(link.href == url(target) and link.inside("dd") for link in page.links), target.title


def test_dates_are_shown_with_their_precision(client):
    _, page = get_page(client, url(make(Instrument)))

    assert page.facts["Adopted / issued on"] == "25 May 2000"
    assert page.facts["Opened for signature on"] == "June 2000"
    assert page.facts["Entry into force"] == "2002"


@pytest.mark.parametrize("model", RECORD_MODELS, ids=model_id)
def test_unpublished_record_page_is_not_found(client, model):
    for status in UNPUBLISHED:
        record = make(model, status=status)

        assert client.get(url(record)).status_code == 404, status


@pytest.mark.parametrize("model", RECORD_MODELS, ids=model_id)
def test_unknown_slug_is_not_found(client, model):
    make(model)
    list_url = model.get_list_url()

    assert client.get(f"{list_url}no-such-record/").status_code == 404


@pytest.mark.parametrize("model", RECORD_MODELS, ids=model_id)
def test_bad_page_number_is_not_found(client, model):
    make(model)

    for number in ("999", "abc", "0", "-1", "1.5", "9" * 30):
        assert client.get(model.get_list_url(), {"page": number}).status_code == 404, f"?page={number}"


HOSTILE_VALUES = ["abc", "x\x00y", "\x01\x1b[31m", "9" * 30, "1.5", "' OR 1=1 --", "x" * 5_000]


def hostile_requests(client, page_url: str, params: set[str]) -> list[str]:
    """Each hostile value in every parameter at once; when that fails, each parameter alone to name the culprits."""
    client.raise_request_exception = False
    broken = []
    for value in HOSTILE_VALUES:
        if client.get(page_url, {param: value for param in params}).status_code in (200, 404):
            continue
        alone = {param: client.get(page_url, {param: value}).status_code for param in sorted(params)}
        broken += [f"?{param}={value[:12]!r}… gave {status}" for param, status in alone.items() if status >= 500]
        broken += [] if any(status >= 500 for status in alone.values()) else [f"all params = {value[:12]!r}…"]
    return broken


@pytest.mark.parametrize("model", RECORD_MODELS, ids=model_id)
def test_list_filters_survive_hostile_values(client, model):
    # Unknown or malformed filter values match nothing (or are ignored with a notice); they never fail.
    make(model, tags=["online safety"])
    params = {"tag", "sort", "year_from", "year_to", *(facet.param for facet in getattr(model, "list_facets", ()))}

    assert not hostile_requests(client, model.get_list_url(), params)


# ---- links, both ways ------------------------------------------------------------------------------------------


def make_link(model: type[Record], link, *, source_status=Status.PUBLISHED, target_status=Status.PUBLISHED):
    """A record of ``model`` linked through ``link`` to a record of the link's target type."""
    target = make(link.related_model, status=target_status)
    if isinstance(link, LinkForeignKey):
        return make(model, status=source_status, **{link.name: target}), target
    source = make(model, status=source_status)
    getattr(source, link.name).add(target)
    return source, target


# The section of a topic's or an article's page that names its strategic areas with the classification's basis.
APART = {"class": "classification"}


@pytest.mark.parametrize("param", LINK_FIELDS, ids=link_id)
def test_link_is_shown_on_both_pages(client, param):
    model, link = param
    source, target = make_link(model, link)

    _, source_page = get_page(client, url(source))
    _, target_page = get_page(client, url(target))

    assert url(target) in source_page.groups(inverse=False).get(str(link.label), [])
    if link.remote_field.get_accessor_name() in resolve(url(target)).func.view_class.shown_apart:
        # The target's page names it in a section of its own (a topic's strategic areas), not in a list of links.
        assert url(source) in {link.href for link in target_page.links if link.inside("section", **APART)}
        assert str(link.inverse_label) not in target_page.groups(inverse=True)
    else:
        assert url(source) in target_page.groups(inverse=True).get(str(link.inverse_label), [])


@pytest.mark.parametrize("param", TYPED_KINDS, ids=typed_id)
def test_typed_link_is_shown_on_both_pages(client, param):
    typed, kind = param
    source_model, target_model = typed_ends(typed)
    source, target = make(source_model), make(target_model)
    make_typed_link(typed, source, target, kind)
    label, inverse_label = typed.LABELS[kind]

    _, source_page = get_page(client, url(source))
    _, target_page = get_page(client, url(target))

    assert url(target) in source_page.groups(inverse=False).get(str(label), [])
    assert url(source) in target_page.groups(inverse=True).get(str(inverse_label), [])


def test_many_backlinks_show_the_first_ones_and_link_to_the_list_narrowed_to_the_record(client):
    area = make(StrategicArea)
    for _ in range(BACKLINKS_SHOWN + 1):
        make(Programme).strategic_areas.add(area)
    label = str(Programme._meta.get_field("strategic_areas").inverse_label)

    _, page = get_page(client, url(area))

    hrefs = page.groups(inverse=True)[label]
    narrowed = f"{Programme.get_list_url()}?strategic_area={area.slug}"
    assert len([href for href in hrefs if href != narrowed]) == BACKLINKS_SHOWN
    assert [link.href for link in page.links if link.text == f"Show all {BACKLINKS_SHOWN + 1} programmes"] == [narrowed]
    response, _ = get_page(client, narrowed)
    assert response.context["paginator"].count == BACKLINKS_SHOWN + 1


def assert_not_shown(client, page_of: Record, hidden: Record) -> None:
    response, page = get_page(client, url(page_of))
    assert url(hidden) not in {link.href for link in page.links}
    assert hidden.title not in response.content.decode()


# Drafts stand for every status that is not public here; test_no_public_page_shows_an_unpublished_record links
# records in each of those statuses through every kind of link at once.


@pytest.mark.parametrize("param", LINK_FIELDS, ids=link_id)
def test_link_to_draft_is_hidden_both_ways(client, param):
    model, link = param
    source, hidden_target = make_link(model, link, target_status=Status.DRAFT)
    hidden_source, target = make_link(model, link, source_status=Status.DRAFT)

    assert_not_shown(client, page_of=source, hidden=hidden_target)
    assert_not_shown(client, page_of=target, hidden=hidden_source)


@pytest.mark.parametrize("typed", typed_link_models(), ids=model_id)
def test_typed_link_to_draft_is_hidden_both_ways(client, typed):
    source_model, target_model = typed_ends(typed)
    source, hidden_target = make(source_model), make(target_model, status=Status.DRAFT)
    hidden_source, target = make(source_model, status=Status.DRAFT), make(target_model)
    make_typed_link(typed, source, hidden_target)
    make_typed_link(typed, hidden_source, target)

    assert_not_shown(client, page_of=source, hidden=hidden_target)
    assert_not_shown(client, page_of=target, hidden=hidden_source)


def test_no_public_page_shows_an_unpublished_record(client):
    # For each status that is not public: published records linked with such records in every way there is.
    published, hidden = [], []
    for status in UNPUBLISHED:
        graph, unpublished = make_linked_graph(2), make_linked_graph(1, status=status)
        link_everywhere([record for records in unpublished.values() for record in records], graph)
        published += [record for records in graph.values() for record in records]
        hidden += [record for records in unpublished.values() for record in records]
    pages = ["/", f"{reverse('search:search')}?q=Summary", f"{reverse('search:search')}?q=Graph+alias"]
    pages += [model.get_list_url() for model in RECORD_MODELS] + [url(record) for record in published]

    for page_url in pages:
        response = client.get(page_url)
        assert response.status_code == 200, page_url
        shown = [record.title for record in hidden if record.title in response.content.decode()]
        assert not shown, f"{page_url} shows unpublished {shown}"


# ---- home and search --------------------------------------------------------------------------------------------


def section_links(page: Page, heading_id: str) -> list[Link]:
    return [link for link in page.links if link.inside("section", **{"aria-labelledby": heading_id})]


def test_home_has_a_search_form(client):
    _, page = get_page(client, "/")

    forms = [form for form in page.forms if form.attrs.get("role") == "search"]
    assert len(forms) == 1
    assert forms[0].attrs.get("method") == "get"
    assert forms[0].attrs.get("action") == reverse("search:search")
    assert "q" in [attrs.get("name") for attrs in forms[0].inputs]


def search(client, query: str):
    return client.get(reverse("search:search"), {"q": query})


@pytest.mark.parametrize(
    "query",
    ["x" * 10_240, "\x00", "crc\x00", "\x01\x02\x1b[31m\x7f", "\u202e\ufeff", "%_\\'\"<>&;--"],
    ids=["10kB", "nul", "nul-inside", "control", "bidi-bom", "punctuation"],
)
def test_search_survives_hostile_queries(client, query):
    make(Instrument)

    response = search(client, query)

    assert response.status_code == 200


def test_search_filters_survive_hostile_values(client):
    make(Instrument, tags=["online safety"])
    params = {"type", "strategic_area", "country", "year", "tag", "page"}

    assert not hostile_requests(client, f"{reverse('search:search')}?q=instrument", params)


def test_search_never_shows_unpublished_records(client):
    found, hidden = [], []
    for model in RECORD_MODELS:
        found.append(make(model, aliases=[{"name": "Needle alias"}]))
        for status in UNPUBLISHED:
            hidden.append(make(model, status=status, title=f"Needle {model.__name__} {status}"))
            hidden.append(make(model, status=status, aliases=[{"name": "Needle alias"}]))

    response = search(client, "Needle")
    hrefs = read_page(response).main_hrefs

    assert {url(record) for record in found} <= hrefs
    for record in hidden:
        assert url(record) not in hrefs
        assert record.title not in response.content.decode()


# ---- the loaded framework ------------------------------------------------------------------------------------


@pytest.fixture(scope="class")
def framework(django_db_setup, django_db_blocker):
    """The framework loaded once for a class of tests, in a transaction rolled back after the last of them."""
    with django_db_blocker.unblock():
        loaded = transaction.atomic()
        loaded.__enter__()
        try:
            call_command("load_framework", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            loaded.__exit__(None, None, None)


@pytest.mark.usefixtures("framework")
class TestLoadedFramework:
    """Readable checks on the framework's own content, loaded once for the class."""

    def test_opsc_supplements_the_crc_and_the_crc_says_so(self, client):
        opsc, crc = Instrument.objects.get(slug="opsc"), Instrument.objects.get(slug="crc")

        _, opsc_page = get_page(client, url(opsc))
        _, crc_page = get_page(client, url(crc))

        assert opsc_page.groups()["Supplements"] == [url(crc)]
        assert url(opsc) in crc_page.groups()["Is supplemented by"]

    def test_programme_is_led_by_an_organisation_that_leads_it(self, client):
        programme = Programme.objects.get(slug="digital-citizenship-and-safety")
        youth_section = Organisation.objects.get(slug="unicef-youth-section")

        _, programme_page = get_page(client, url(programme))
        _, organisation_page = get_page(client, url(youth_section))

        assert programme_page.groups()["Led by"] == [url(youth_section)]
        assert url(programme) in organisation_page.groups()["Leads"]

    def test_home_lists_the_four_strategic_areas_in_order(self, client):
        _, page = get_page(client, "/")

        # The areas' own links; what serves each and the concordance are linked in paragraphs below them.
        areas = [link for link in section_links(page, "areas-heading") if not link.inside("p")]
        assert [link.href for link in areas] == [url(area) for area in StrategicArea.objects.order_by("position")]
        assert [link.text for link in areas] == [
            "Empowering children and enhancing resilience to harm",
            "Preventing impunity for abusers",
            "Reducing availability and access to harm",
            "Promoting the recovery of children exposed to harm",
        ]

    def test_home_lists_the_eight_instruments(self, client):
        _, page = get_page(client, "/")

        shown = [link.href for link in section_links(page, "instruments-heading")]
        assert sorted(shown) == sorted(reverse("instruments:detail", args=[slug]) for slug in SEED_INSTRUMENTS)

    def test_home_instrument_timeline_is_in_date_order(self, client):
        response, _ = get_page(client, "/")

        # Each entry starts with the year the page shows: adoption, or opening for signature when there was no adoption.
        years = [instrument.year for instrument in response.context["instruments"]]
        assert None not in years
        assert years == sorted(years), f"timeline years out of order: {years}"

    def test_search_finds_the_lanzarote_convention_by_its_alias(self, client):
        lanzarote = Instrument.objects.get(slug="lanzarote-convention")
        assert "Lanzarote" not in lanzarote.title

        response = search(client, "Lanzarote")

        assert response.status_code == 200
        assert url(lanzarote) in read_page(response).main_hrefs
