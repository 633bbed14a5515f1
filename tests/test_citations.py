"""Citations: an instrument cites itself from its stored fields only (an empty field, no part), every record cites
its page with the product's name, and both come as BibTeX and RIS files that only published records have."""

import datetime
import html
import re

import pytest
from django.conf import settings
from django.utils import timezone

from cop_kb.records.citations import bibtex_text
from cop_kb.records.models import Status
from instruments.models import Instrument

from .factories import (
    NO_DATES,
    make,
    make_instrument,
    make_organisation,
    make_programme,
    make_provision,
    record_models,
    rename,
)

pytestmark = pytest.mark.django_db

RECORD_MODELS = record_models()
UNPUBLISHED = [status for status in Status.values if status != Status.PUBLISHED]
SYLVANIA = {
    **NO_DATES,
    "official_title": "Treaty of Sylvania",
    "short_title": "",
    "place": "Freedonia City",
    "opened_for_signature_on": datetime.date(2001, 11, 23),
    "opened_for_signature_precision": "day",
    "reference_number": "XTS No. 9",
}


def cited(client, record, field_id: str = "citation-document") -> str | None:
    """The text of one citation field of ``record``'s page, or None when the page has no such field."""
    page = client.get(record.get_absolute_url()).content.decode()
    found = re.search(rf'<textarea id="{field_id}"[^>]*>([^<]*)</textarea>', page)
    return html.unescape(found.group(1)) if found else None


def download(client, record, extension: str):
    return client.get(record.get_absolute_url().removesuffix("/") + f".{extension}")


# ---- the instrument's own citation -----------------------------------------------------------------------------


def test_the_lanzarote_and_budapest_conventions_and_an_article_cite_themselves_from_the_loaded_framework(
    framework, client
):
    lanzarote = Instrument.objects.get(slug="lanzarote-convention")
    budapest = Instrument.objects.get(slug="budapest-convention")
    article = budapest.provisions.get(number="9")

    assert cited(client, lanzarote) == (
        "Council of Europe Convention on the Protection of Children against Sexual Exploitation and Sexual Abuse, "
        "Lanzarote (Spain), 25 October 2007, CETS No. 201"
    )
    assert cited(client, budapest) == "Convention on Cybercrime, Budapest, 23 November 2001, ETS No. 185"
    assert cited(client, article) == "Convention on Cybercrime, Budapest, 23 November 2001, ETS No. 185, Article 9"


@pytest.mark.parametrize(
    ("emptied", "expected"),
    [
        ({}, "Treaty of Sylvania, Freedonia City, 23 November 2001, XTS No. 9"),
        ({"place": ""}, "Treaty of Sylvania, 23 November 2001, XTS No. 9"),
        (NO_DATES, "Treaty of Sylvania, Freedonia City, XTS No. 9"),
        ({"reference_number": ""}, "Treaty of Sylvania, Freedonia City, 23 November 2001"),
        ({**NO_DATES, "place": "", "reference_number": ""}, "Treaty of Sylvania"),
    ],
    ids=["every-part", "no-place", "no-date", "no-number", "title-only"],
)
def test_each_part_of_an_instruments_citation_is_a_stored_field_and_absent_when_it_is_empty(client, emptied, expected):
    instrument = make_instrument(**{**SYLVANIA, **emptied})

    assert cited(client, instrument) == expected


def test_the_adoption_date_is_cited_as_far_as_it_is_known_before_the_opening_for_signature(client):
    instrument = make_instrument(
        **{**SYLVANIA, "adopted_on": datetime.date(2001, 6, 1), "adopted_precision": "month"},
    )

    assert cited(client, instrument) == "Treaty of Sylvania, Freedonia City, June 2001, XTS No. 9"


def test_a_record_that_is_no_document_has_no_document_citation_but_cites_its_page(client):
    programme = make_programme(title="Safer Internet Days")
    when = timezone.localdate()

    assert cited(client, programme) is None
    assert cited(client, programme, "citation") == (
        f"“Safer Internet Days”. Programme, {settings.SITE_NAME}. Last updated {when.day} {when:%B %Y}. "
        f"http://testserver{programme.get_absolute_url()} (accessed {when.day} {when:%B %Y})."
    )


def test_a_provision_of_an_instrument_that_is_not_public_cites_no_instrument(client):
    provision = make_provision(instrument=make_instrument(**SYLVANIA, status=Status.DRAFT))

    assert cited(client, provision) is None
    assert "Sylvania" not in download(client, provision, "ris").content.decode()


def test_the_cite_box_is_the_pages_cite_section_and_links_both_files(client):
    instrument = make_instrument(**SYLVANIA)
    page = client.get(instrument.get_absolute_url()).content.decode()

    assert '<section class="cite" id="cite"' in page
    address = instrument.get_absolute_url().removesuffix("/")
    assert f'href="{address}.bib"' in page and f'href="{address}.ris"' in page


# ---- the files -----------------------------------------------------------------------------------------------------


def test_an_instruments_bibtex_file_cites_the_instrument_as_a_download(client):
    body = make_organisation(title="Council of Sylvania")
    instrument = make_instrument(**{**SYLVANIA, "short_title": "Sylvania Treaty"}, issuing_body=body, official_url="")

    response = download(client, instrument, "bib")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{instrument.slug}.bib"'
    assert response.content.decode() == (
        f"@misc{{{instrument.slug},\n"
        "  title = {{Treaty of Sylvania}},\n"
        "  shorttitle = {Sylvania Treaty},\n"
        "  organization = {Council of Sylvania},\n"
        "  howpublished = {XTS No. 9},\n"
        "  address = {Freedonia City},\n"
        "  location = {Freedonia City},\n"
        "  date = {2001-11-23},\n"
        "  year = {2001},\n"
        "  month = nov,\n"
        "}\n"
    )


def test_an_instruments_ris_file_is_a_statute_with_crlf_lines(client):
    instrument = make_instrument(**SYLVANIA, official_url="https://sylvania.example.org/treaty")

    response = download(client, instrument, "ris")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{instrument.slug}.ris"'
    assert response.content.decode().split("\r\n") == [
        "TY  - STAT",
        "TI  - Treaty of Sylvania",
        "M1  - XTS No. 9",
        "CY  - Freedonia City",
        "DA  - 2001/11/23/",
        "PY  - 2001",
        "UR  - https://sylvania.example.org/treaty",
        "ER  - ",
        "",
    ]


def test_an_issuing_body_that_is_not_public_is_left_out_of_the_files(client):
    hidden = make_organisation(title="Secret Council", status=Status.DRAFT)
    instrument = make_instrument(**SYLVANIA, issuing_body=hidden)

    assert "Secret Council" not in download(client, instrument, "bib").content.decode()
    assert "Secret Council" not in download(client, instrument, "ris").content.decode()


def test_a_study_is_a_report_and_an_empty_field_leaves_its_tag_out(client):
    instrument = make_instrument(**{**SYLVANIA, **NO_DATES, "place": ""}, kind=Instrument.Kind.STUDY, official_url="")

    lines = download(client, instrument, "ris").content.decode().split("\r\n")

    assert lines[0] == "TY  - RPRT"
    assert "SN  - XTS No. 9" in lines
    assert not [line for line in lines if line.startswith(("CY", "DA", "PY", "UR"))]


def test_a_page_is_cited_as_a_web_page_of_the_site_in_both_files(client):
    programme = make_programme(title="Safer Internet Days")
    today = timezone.localdate()
    address = f"http://testserver{programme.get_absolute_url()}"

    bib = download(client, programme, "bib").content.decode()
    ris = download(client, programme, "ris").content.decode().split("\r\n")

    assert f"  howpublished = {{{settings.SITE_NAME}}},\n" in bib
    assert f"  url = {{{address}}},\n" in bib and f"  urldate = {{{today.isoformat()}}},\n" in bib
    assert ris[:3] == ["TY  - ELEC", "TI  - Safer Internet Days", f"T2  - {settings.SITE_NAME}"]
    assert f"UR  - {address}" in ris and f"Y2  - {today:%Y/%m/%d}" in ris


def test_bibtex_special_characters_are_escaped_and_the_file_is_utf8(client):
    instrument = make_instrument(**{**SYLVANIA, "official_title": "Türkiye R&D 100% {safe}_#$ ~^ \\ accord"})

    bib = download(client, instrument, "bib").content.decode("utf-8")

    assert (
        r"  title = {{Türkiye R\&D 100\% \{safe\}\_\#\$ \textasciitilde{}\textasciicircum{} \textbackslash{} accord}},"
        in bib
    )


def test_bibtex_text_escapes_every_character_latex_reads_as_markup():
    assert bibtex_text("a\\b{c}d$e&f%g#h_i^j~k") == (
        r"a\textbackslash{}b\{c\}d\$e\&f\%g\#h\_i\textasciicircum{}j\textasciitilde{}k"
    )
    assert bibtex_text("two\nlines") == "two lines"


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda model: model._meta.label_lower)
def test_every_record_type_has_both_citation_files(client, model):
    record = make(model, title="Citable record")

    for extension in ("bib", "ris"):
        response = download(client, record, extension)
        assert response.status_code == 200, (model, extension)
        assert response["Content-Disposition"] == f'attachment; filename="{record.slug}.{extension}"'


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_an_unpublished_records_citation_files_are_404(client, status):
    instrument = make_instrument(**SYLVANIA, status=status)

    assert download(client, instrument, "bib").status_code == 404
    assert download(client, instrument, "ris").status_code == 404


def test_unknown_records_and_addresses_have_no_citation_files(client):
    make_instrument(slug="sylvania")

    assert client.get("/instruments/nowhere.bib").status_code == 404
    assert client.get("/provisions/sylvania.bib").status_code == 404  # an instrument's slug, not a provision's
    assert client.get("/nothing/sylvania.ris").status_code == 404
    assert client.get("/instruments/sylvania.txt").status_code == 404
    assert client.post("/instruments/sylvania.bib").status_code == 405


def test_a_former_slug_redirects_to_the_citation_file_at_the_new_address(client):
    old = rename(make_instrument(**SYLVANIA), "renamed-treaty")

    response = client.get(f"/instruments/{old}.ris")

    assert response.status_code == 301
    assert response["Location"] == "/instruments/renamed-treaty.ris"


def test_citation_files_are_cached_and_revalidated_like_pages(client, django_assert_num_queries):
    instrument = make_instrument(**SYLVANIA)
    first = download(client, instrument, "bib")

    with django_assert_num_queries(1):  # the content version only
        again = download(client, instrument, "bib")
    revalidated = client.get(instrument.get_absolute_url().removesuffix("/") + ".bib", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.content == first.content and again["Content-Disposition"] == first["Content-Disposition"]
    assert first["Cache-Control"] == "no-cache"
    assert revalidated.status_code == 304
