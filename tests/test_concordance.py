"""The provisions of shared/reference/provisions.md as records, their topics, the concordance, and the strategic
areas' editorial classification, on the loaded framework.

Counts and sources are read from the reference sheet itself, so a provision left out of the content (or one added
that the sheet does not give) fails here. Unpublished provisions and topics are made on top of the framework and
must appear nowhere.
"""

import csv
import io
import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cop_kb.records.models import Status
from cop_kb.search.models import SearchDocument
from instruments.models import Instrument, Provision, Topic
from instruments.selectors import MAX_COMPARED
from programmes import selectors
from programmes.services import framework_load
from strategy.models import Right, StrategicArea

from .admin.support import form_errors
from .content_sources import COE_185, COE_201, NORMLEX_C182, OHCHR_CRC, OHCHR_OPSC, OHCHR_PALERMO, UN_A_61_299
from .factories import make_provision, make_topic
from .test_pages import get_page, read_page
from .workflow.support import edit_in_admin

pytestmark = pytest.mark.django_db

CONCORDANCE = "/concordance/"
# From shared/reference/provisions.md: per instrument (its slug in the framework content), the source page its
# heading names and how many articles (recommendations, for the UN Study) it lists.
SHEET = {
    "crc": (OHCHR_CRC, 14),
    "opsc": (OHCHR_OPSC, 6),
    "ilo-c182": (NORMLEX_C182, 6),
    "palermo-protocol": (OHCHR_PALERMO, 5),
    "lanzarote-convention": (COE_201, 15),
    "budapest-convention": (COE_185, 9),
    "un-study-violence-against-children": (UN_A_61_299, 12),
}
# The sheet's topics, in its order.
TOPICS = [
    "definition-of-a-child",
    "general-principles",
    "violence-and-abuse",
    "sexual-exploitation",
    "abuse-material",
    "sale-and-trafficking",
    "solicitation",
    "child-labour",
    "criminal-offences",
    "investigation",
    "international-cooperation",
    "prevention",
    "recovery",
    "child-friendly-justice",
    "information-and-media",
    "participation",
    "privacy",
    "reporting",
    "research",
]


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def concordance_url(**params) -> str:
    return f"{CONCORDANCE}?{urlencode(params, doseq=True)}"


# ---- loading ----------------------------------------------------------------------------------------------------


def test_every_provision_of_the_sheet_is_loaded_with_its_instruments_source(framework):
    for slug, (source_url, count) in SHEET.items():
        provisions = Provision.objects.filter(instrument__slug=slug).prefetch_related("sources")
        assert provisions.count() == count, slug
        for provision in provisions:
            assert provision.status == Status.PUBLISHED
            assert provision.position == int(provision.number)
            assert provision.summary, provision.slug
            assert [source.url for source in provision.sources.all()] == [source_url], provision.slug
    assert Provision.objects.count() == sum(count for _url, count in SHEET.values())


def test_a_provisions_summary_is_the_sheets_description_and_its_topics_the_sheets(framework):
    # Lanzarote article 23, as the sheet describes it (its own words, not the treaty's), with its two topics.
    article = Provision.objects.get(instrument__slug="lanzarote-convention", number="23")
    assert article.summary == (
        "Solicitation of children for sexual purposes through information and communication technologies, "
        "followed by material acts leading to a meeting."
    )
    assert sorted(article.topics.values_list("slug", flat=True)) == ["criminal-offences", "solicitation"]
    assert article.title == "Article 23"  # the instrument is its link, not part of its title


def test_the_nineteen_topics_are_loaded_in_the_sheets_order(framework):
    assert list(Topic.objects.public().values_list("slug", flat=True)) == TOPICS
    assert Topic.objects.get(slug="solicitation").title == 'Solicitation of children for sexual purposes ("grooming")'


def test_the_crc_articles_rights_point_at_are_the_sheets_records_not_copies(framework):
    privacy = Right.objects.get(slug="privacy")
    article = privacy.provisions.get()
    assert (article.slug, article.number) == ("crc-article-16", "16")
    assert Provision.objects.filter(instrument__slug="crc", number="16").count() == 1
    assert [topic.slug for topic in article.topics.all()] == ["privacy"]


def test_provisions_are_ordered_by_article_number_not_as_text(framework):
    numbers = list(Provision.objects.filter(instrument__slug="lanzarote-convention").values_list("number", flat=True))
    assert numbers[:4] == ["3", "5", "6", "9"]
    assert numbers == sorted(numbers, key=int)


def test_loading_again_changes_nothing(framework):
    counts = (Provision.objects.count(), Topic.objects.count(), Provision.topics.through.objects.count())
    report = framework_load()
    assert not report.created and report.links_added == 0
    assert (Provision.objects.count(), Topic.objects.count(), Provision.topics.through.objects.count()) == counts


# ---- the concordance -------------------------------------------------------------------------------------------


def cell_hrefs(response, topic: str, instrument: str) -> list[str]:
    """The provision pages listed in one cell of the concordance, by topic and instrument slug."""
    concordance = response.context["concordance"]
    row = next(row for row in concordance.rows if row.topic.slug == topic)
    cell = next(cell for cell in row.cells if cell.heading.slug == instrument)
    return [provision.get_absolute_url() for provision in cell.provisions]


def test_the_concordance_lines_up_each_instruments_articles_by_topic(client, framework):
    response, page = get_page(client, CONCORDANCE)
    assert cell_hrefs(response, "solicitation", "lanzarote-convention") == ["/provisions/lanzarote-article-23/"]
    assert cell_hrefs(response, "privacy", "crc") == ["/provisions/crc-article-16/"]
    assert cell_hrefs(response, "investigation", "budapest-convention") == [
        f"/provisions/budapest-article-{n}/" for n in (16, 17, 18, 19, 20, 21, 35)
    ]
    assert cell_hrefs(response, "solicitation", "crc") == []
    assert "/provisions/lanzarote-article-23/" in page.main_hrefs
    assert "/topics/solicitation/" in page.main_hrefs
    assert "Editorial classification" in text_of(response)


def test_comparing_two_instruments_shows_only_their_columns(client, framework):
    response, page = get_page(client, concordance_url(instrument=["lanzarote-convention", "budapest-convention"]))
    columns = [column.slug for column in response.context["concordance"].columns]
    assert columns == ["lanzarote-convention", "budapest-convention"]
    assert "/provisions/lanzarote-article-20/" in page.main_hrefs
    assert "/provisions/budapest-article-9/" in page.main_hrefs
    assert "/provisions/crc-article-34/" not in page.main_hrefs
    offered = [field for form in page.forms for field in form.inputs if field.get("name") == "instrument"]
    assert len(offered) == len(SHEET)  # every instrument with provisions stays on offer
    checked = {field["value"] for field in offered if "checked" in field}
    assert checked == {"lanzarote-convention", "budapest-convention"}


def test_a_topic_filter_keeps_only_that_row(client, framework):
    response, _page = get_page(client, concordance_url(topic="recovery"))
    assert [row.topic.slug for row in response.context["concordance"].rows] == ["recovery"]


def test_the_concordance_exports_the_comparison_as_csv(client, framework):
    response = client.get(concordance_url(instrument=["opsc"], topic="abuse-material", format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["provision_slug"] for row in rows] == ["opsc-article-1", "opsc-article-2", "opsc-article-3"]
    assert {row["topic_slug"] for row in rows} == {"abuse-material"}
    assert rows[0]["page_url"].endswith("/provisions/opsc-article-1/")


@pytest.mark.parametrize(
    "params, message",
    [
        ({"instrument": ["crc", "no-such-instrument"]}, "1 of the chosen instruments is not a published instrument"),
        ({"topic": ["privacy", "nope", "also-nope"]}, "2 of the chosen topics are not published topics"),
        ({"instrument": list(SHEET)[: MAX_COMPARED + 1]}, f"Compare at most {MAX_COMPARED} instruments"),
        ({"instrument": list(SHEET)[: MAX_COMPARED + 1], "format": "csv"}, f"at most {MAX_COMPARED}"),
    ],
)
def test_bad_choices_are_a_400_that_says_what_to_change(client, framework, params, message):
    response = client.get(concordance_url(**params))
    assert response.status_code == 400
    assert message in text_of(response)
    assert read_page(response).forms, "the page offers the filter again"


@pytest.mark.parametrize("query", ["page=999", "page=abc", "page=0"])
def test_a_bad_page_of_topics_is_a_404(client, framework, query):
    assert client.get(f"{CONCORDANCE}?{query}").status_code == 404


def test_an_unknown_format_is_a_400(client, framework):
    response = client.get(concordance_url(format="xlsx"))
    assert response.status_code == 400
    assert "format=csv" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"instrument": "<script>x</script>"},
        {"topic": "' OR 1=1 --"},
        {"instrument": "é" * 5000},
        # PostgreSQL refuses NUL in text: a value holding one names nothing, on both databases, for the CSV too.
        {"instrument": "crc\x00"},
        {"topic": "privacy\x00"},
        {"instrument": "crc\x00", "format": "csv"},
    ],
    ids=["markup", "sql", "long", "nul-instrument", "nul-topic", "nul-csv"],
)
def test_hostile_values_never_fail(client, framework, params):
    response = client.get(concordance_url(**params))
    assert response.status_code == 400
    content = response.content.decode()
    assert "<script>x" not in content
    assert "is not a published" in content


def test_an_empty_topic_shows_an_empty_row_and_page(client, framework):
    topic = make_topic(title="Topic nobody wrote about")
    response, _page = get_page(client, concordance_url(topic=topic.slug))
    (row,) = response.context["concordance"].rows
    assert all(not cell.provisions for cell in row.cells)
    response, _page = get_page(client, topic.get_absolute_url())
    assert "No published provision is on this topic yet." in text_of(response)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN])
def test_unpublished_provisions_and_topics_appear_nowhere(client, framework, status):
    crc = Instrument.objects.get(slug="crc")
    privacy = Topic.objects.get(slug="privacy")
    hidden_topic = make_topic(status=status, title="Hidden topic canary")
    hidden = make_provision(instrument=crc, number="99", position=99, status=status, title="Hidden article canary")
    hidden.topics.add(privacy, hidden_topic)
    Provision.objects.get(slug="crc-article-16").topics.add(hidden_topic)
    recovery = StrategicArea.objects.get(slug="promoting-recovery")
    recovery.classified_provisions.add(hidden)
    recovery.topics.add(hidden_topic)

    for address in (
        CONCORDANCE,
        concordance_url(instrument="crc"),
        concordance_url(format="csv"),
        "/topics/privacy/",
        "/provisions/opsc-article-8/",
        "/provisions/crc-article-16/",
        "/coverage/",
    ):
        response = client.get(address)
        assert response.status_code == 200, address
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"canary" not in body, address
        assert hidden.get_absolute_url().encode() not in body, address
        assert hidden_topic.get_absolute_url().encode() not in body, address
    assert client.get(concordance_url(topic=hidden_topic.slug)).status_code == 400


# ---- topic and provision pages ----------------------------------------------------------------------------------


def test_a_topics_page_groups_its_provisions_by_instrument(client, framework):
    response, page = get_page(client, "/topics/recovery/")
    groups = {
        group.heading.slug: [p.number for p in group.provisions] for group in response.context["provision_groups"]
    }
    assert groups == {
        "crc": ["39"],
        "opsc": ["9"],
        "ilo-c182": ["7"],
        "palermo-protocol": ["6"],
        "lanzarote-convention": ["14"],
        "un-study-violence-against-children": ["6"],
    }
    assert "/provisions/lanzarote-article-14/" in page.main_hrefs
    # Its strategic area is named with the editors' basis (below), not listed again among its links; the graph
    # still draws it.
    assert "Editorial classification: strategic areas" not in page.groups(inverse=True)
    figure = response.content.decode().split('<figure class="graph-figure"')[1]
    assert 'href="/strategic-areas/promoting-recovery/"' in figure.split("</svg>")[0]


def test_each_topic_page_shows_its_own_provisions(client, framework):
    # The read is prepared once per process: every later page must bind its own topic into it.
    for topic in Topic.objects.public().order_by("pk"):
        expected = {}
        for provision in topic.provisions.public().filter(instrument__status=Status.PUBLISHED):
            expected.setdefault(provision.instrument.slug, set()).add(provision.slug)
        response = client.get(topic.get_absolute_url())
        shown = {
            group.heading.slug: {provision.slug for provision in group.provisions}
            for group in response.context["provision_groups"]
        }
        assert shown == expected, topic.slug


def test_a_provision_page_shows_the_same_topic_in_other_instruments(client, framework):
    response, page = get_page(client, "/provisions/crc-article-16/")
    (group,) = response.context["same_topic"]
    assert group.heading.slug == "privacy"
    assert sorted(p.slug for p in group.provisions) == ["opsc-article-8", "palermo-protocol-article-6"]
    assert "The same topic in other instruments" in text_of(response)
    assert page.groups()["Topics"] == ["/topics/privacy/"]


def test_each_provision_page_shows_its_own_topics_in_other_instruments(client, framework):
    # The read is prepared once per process: every later page must bind its own provision and instrument into it.
    for slug in ("crc-article-16", "opsc-article-8", "lanzarote-article-14", "palermo-protocol-article-6"):
        provision = Provision.objects.get(slug=slug)
        expected = {
            topic.slug: sorted(
                topic.provisions.public().exclude(instrument=provision.instrument).values_list("slug", flat=True)
            )
            for topic in provision.topics.public()
        }
        response = client.get(provision.get_absolute_url())
        shown = {
            group.heading.slug: sorted(p.slug for p in group.provisions) for group in response.context["same_topic"]
        }
        assert shown, slug
        assert shown == {topic: slugs for topic, slugs in expected.items() if slugs}, slug


# ---- the editorial classification -------------------------------------------------------------------------------


def test_the_classification_is_shown_as_editorial_with_its_basis(client, framework):
    response, page = get_page(client, "/strategic-areas/reducing-availability-of-harm/")
    assert "17(e) guards against injurious material" in page.facts["Editorial classification: basis"]
    groups = page.groups(inverse=False)
    assert groups["Editorial classification: topics"] == ["/topics/abuse-material/", "/topics/solicitation/"]
    assert groups["Editorial classification: single provisions"] == ["/provisions/crc-article-17/"]


def _classified(client, path: str) -> dict[str, tuple[list[str], str]]:
    """The page's "Strategic areas (editorial classification)": per area, the topics that carry it and its basis."""
    response, page = get_page(client, path)
    found = {item.area_slug: (item.through, item.basis) for item in response.context["classified"]}
    for slug in found:
        assert f"/strategic-areas/{slug}/" in page.main_hrefs
    # Named once, here: not again as a list of links.
    assert "Editorial classification: strategic areas" not in page.groups(inverse=True)
    if found:
        text = unescape(text_of(response))
        assert "Strategic areas (editorial classification)" in text
        assert "Neither the framework nor any instrument makes this classification." in text
        for through, basis in found.values():
            assert f"Basis: {basis}" in text
            if through:
                topics = "topic" if len(through) == 1 else "topics"
                assert f"through its {topics} {', '.join(through)}" in text
    return found


def test_topic_and_article_pages_name_their_areas_with_the_editors_basis(client, framework):
    recovery = StrategicArea.objects.get(slug="promoting-recovery").classification_basis
    assert _classified(client, "/topics/recovery/") == {"promoting-recovery": ([], recovery)}
    # An article classified through its topic only, and one named on its own as well.
    impunity = StrategicArea.objects.get(slug="preventing-impunity").classification_basis
    assert _classified(client, "/provisions/budapest-article-16/") == {
        "preventing-impunity": (["Investigation, evidence and data"], impunity)
    }
    crc_17 = _classified(client, "/provisions/crc-article-17/")
    assert crc_17["reducing-availability-of-harm"][0] == []
    assert crc_17["empowering-children"][0] == ["Information and media"]
    assert "this article on its own" in text_of(client.get("/provisions/crc-article-17/"))
    assert _classified(client, "/provisions/crc-article-1/") == {}


def test_a_withdrawn_area_or_topic_gives_an_article_no_classification(client, framework):
    Topic.objects.filter(slug="investigation").update(status=Status.WITHDRAWN)
    caches["pages"].clear()
    assert _classified(client, "/provisions/budapest-article-16/") == {}
    StrategicArea.objects.filter(slug="reducing-availability-of-harm").update(status=Status.WITHDRAWN)
    caches["pages"].clear()
    assert "reducing-availability-of-harm" not in _classified(client, "/provisions/crc-article-17/")


def test_no_instrument_page_presents_the_classification_as_its_own(client, framework):
    for instrument in Instrument.objects.public():
        response, _page = get_page(client, instrument.get_absolute_url())
        assert "Editorial classification" not in text_of(response), instrument.slug


def test_the_coverage_page_shows_which_instruments_serve_each_area_through_which_articles(client, framework):
    response, page = get_page(client, "/coverage/")
    classified = {area.slug: area.classified for area in response.context["coverage"].areas}
    recovery = {item.instrument.slug: [p.number for p in item.provisions] for item in classified["promoting-recovery"]}
    # Through recovery, child-friendly justice and reporting: CRC 19 (reporting) and 39 (recovery), Lanzarote 13
    # (helplines), 14 (recovery), 30 and 35 (child victims in justice), by article number.
    assert recovery["crc"] == ["19", "39"]
    assert recovery["lanzarote-convention"] == ["13", "14", "30", "35"]
    impunity = {item.instrument.slug for item in classified["preventing-impunity"]}
    assert impunity == set(SHEET) - {"crc"}  # no CRC article is on offences, investigation or cooperation
    reducing = {
        item.instrument.slug: [p.number for p in item.provisions]
        for item in classified["reducing-availability-of-harm"]
    }
    assert reducing["crc"] == ["17", "34"]  # 17 on its own (17(e)), 34 through abuse material
    assert all(classified[area.slug] for area in StrategicArea.objects.all())
    assert "/provisions/budapest-article-35/" in page.main_hrefs
    assert "Editorial classification — basis:" in text_of(response)
    # The table says so too: no instrument has a link of its own to an area, and the instruments' column counts
    # those the classification gives each area, leading to them, instead of reading "None" alone.
    matrix = {row.area.slug: row.cells for row in response.context["coverage"].rows}
    column = response.context["coverage"].types.index(Instrument)
    for slug, cells in matrix.items():
        assert (cells[column].count, cells[column].classified) == (0, len(classified[slug]))
        assert f"#classified-{slug}" in page.main_hrefs
    assert f"{len(recovery)} by editorial classification" in text_of(response)
    unlinked = response.context["coverage"].gaps[column]
    assert unlinked.records and unlinked.classified
    assert "some may still serve one through the editors' classification of their articles" in text_of(response)


def test_where_the_coverage_listing_stops_short_the_table_still_counts_every_instrument(client, framework, monkeypatch):
    # The listing under the table reads a bounded number of articles; the table counts them all, and the listing
    # says how many it shows of how many.
    areas = get_page(client, "/coverage/")[0].context["coverage"].areas
    assert all(area.classified_cut is None for area in areas), "the framework's articles are all listed"
    full = {area.slug: area.classified for area in areas}
    # One article read of each kind: two areas at most get any, so some get none.
    monkeypatch.setattr(selectors, "CLASSIFIED_READ", 1)
    caches["pages"].clear()

    response, page = get_page(client, "/coverage/")

    coverage = response.context["coverage"]
    column = coverage.types.index(Instrument)
    for row in coverage.rows:
        assert row.cells[column].classified == len(full[row.area.slug]), row.area.slug
    cut = [area for area in coverage.areas if area.classified_cut]
    assert any(area.classified_cut.listed == 0 for area in cut)
    text = unescape(text_of(response))
    for area in cut:
        articles = sum(len(item.provisions) for item in full[area.slug])
        listed = sum(len(item.provisions) for item in area.classified)
        assert (area.classified_cut.listed, area.classified_cut.articles) == (listed, articles)
        assert f"Listed here: {listed} of the {articles} articles that serve this area." in text
        assert f"They are in {len(full[area.slug])} instruments." in text
        assert f"/strategic-areas/{area.slug}/brief/" in page.main_hrefs
        # Fewer listed is not none classified, even with none read.
        html = response.content.decode()
        section = html[html.index(f'id="classified-{area.slug}"') :].split("<h3", 1)[0]
        assert "No published article is classified under this area." not in section


def test_editors_change_the_classification_in_the_admin(client, framework):
    editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "x")
    client.force_login(editor)
    area = StrategicArea.objects.get(slug="empowering-children")
    response = client.get(f"/admin/strategy/strategicarea/{area.pk}/change/")
    assert response.status_code == 200
    fields = {field["name"] for form in read_page(response).forms for field in form.inputs if "name" in field}
    body = response.content.decode()
    assert 'name="topics"' in body and 'name="classified_provisions"' in body
    assert 'name="classification_basis"' in body
    assert fields  # the change form is a real form
    response = client.get("/admin/instruments/topic/")
    assert response.status_code == 200
    assert "Who is a child" in response.content.decode()

    # A change saved in the admin is what the public pages then show.
    topics = [str(pk) for pk in area.topics.values_list("pk", flat=True)]
    recovery = Topic.objects.get(slug="recovery")
    saved = edit_in_admin(client, area, topics=[*topics, str(recovery.pk)], classification_basis="A new basis.")
    assert saved.status_code == 302, form_errors(saved)
    client.logout()
    assert _classified(client, "/topics/recovery/")["empowering-children"] == ([], "A new basis.")
    response, _page = get_page(client, "/coverage/")
    empowering = {area.slug: area.classified for area in response.context["coverage"].areas}["empowering-children"]
    assert "39" in [p.number for item in empowering if item.instrument.slug == "crc" for p in item.provisions]


def test_the_concordance_runs_a_bounded_number_of_queries(client, framework):
    for address in (CONCORDANCE, concordance_url(instrument=["crc", "opsc"], topic=["privacy", "recovery"])):
        client.get(address)  # warm per-process caches (content types)
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        assert len(queries) <= 10, "\n".join(query["sql"] for query in queries.captured_queries)


@pytest.mark.parametrize("model, slug", [(Topic, "privacy"), (StrategicArea, "promoting-recovery")])
def test_a_topic_or_area_hidden_behind_the_services_back_leaves_the_search_index(framework, model, slug):
    # The index's triggers must be on the new topic table, and survive the strategic areas' new columns.
    record = model.objects.get(slug=slug)
    documents = SearchDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=record.pk
    )
    assert documents.exists()
    model.objects.filter(pk=record.pk).update(status=Status.DRAFT)
    assert not documents.exists()
