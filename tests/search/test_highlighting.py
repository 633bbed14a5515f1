"""Highlights in results: matched words in <mark>, and no other markup ever, whatever the record or query says."""

import re

import pytest

from cop_kb.search.hits import highlight

from .support import get_search, record, shown_hits

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_matched_word_is_wrapped_in_mark(client):
    record(title="Axolotl survey", summary="Online grooming is a risk the survey measured.")

    snippet = shown_hits(get_search(client, "grooming"))[0].snippet

    assert "<mark>grooming</mark>" in snippet


def test_every_matched_word_of_the_query_is_marked(client):
    record(title="Axolotl survey", summary="Online grooming and sextortion are risks the survey measured.")

    snippet = shown_hits(get_search(client, "grooming sextortion"))[0].snippet

    assert "<mark>grooming</mark>" in snippet
    assert "<mark>sextortion</mark>" in snippet


def test_stemmed_match_is_marked_as_written_in_the_record(client):
    record(title="Axolotl survey", summary="Children protected from grooming by the survey.")

    snippet = shown_hits(get_search(client, "protecting"))[0].snippet

    assert "<mark>protected</mark>" in snippet


def test_markup_in_record_text_is_never_run(client):
    record(title="Axolotl survey", body=f"Grooming reports: `{SCRIPT}` and `{IMG}` were pasted into profiles.")

    response = get_search(client, "grooming")

    page = response.content.decode()
    assert "<mark>Grooming</mark>" in shown_hits(response)[0].snippet
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page


def test_markup_like_text_in_a_snippet_is_shown_as_written_escaped(client):
    # The record's page shows these code spans as text; its snippet must show the same words, escaped.
    record(title="Axolotl survey", body=f"Grooming reports: `{SCRIPT}` and `{IMG}` were pasted into profiles.")

    snippet = shown_hits(get_search(client, "grooming"))[0].snippet

    assert ESCAPED_SCRIPT in snippet
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in snippet


def test_snippet_carries_no_tag_but_mark(client):
    record(title="Axolotl survey", body=f"Grooming *emphasis* `{SCRIPT}` [a link](https://example.org) `{IMG}`")

    snippet = shown_hits(get_search(client, "grooming"))[0].snippet

    assert set(re.findall(r"<\s*/?\s*([a-zA-Z][\w-]*)", snippet)) == {"mark"}


def test_record_title_with_angle_brackets_is_shown_as_written_and_escaped(client):
    # Titles are plain text: the record's own page shows "<script>" as text, so its search result must too.
    title = f"Axolotl guide to {SCRIPT} filters"
    made = record(title=title)

    hit = shown_hits(get_search(client, "axolotl"))[0]

    assert ESCAPED_SCRIPT in client.get(made.get_absolute_url()).content.decode()
    assert hit.title == title
    assert ESCAPED_SCRIPT in hit.title_html


def test_markup_in_an_alias_is_never_run(client):
    record(title="Axolotl survey", aliases=[{"name": f"Quokkanet {IMG}", "kind": "alternative"}])

    response = get_search(client, "quokkanet")

    page = response.content.decode()
    assert shown_hits(response)[0].alias.startswith("matched alias: Quokkanet")
    assert "<img src=x" not in page


def test_highlight_escapes_before_marking():
    marked = highlight(f"\ue000x\ue001 {SCRIPT} &amp;")

    assert marked == f"<mark>x</mark> {ESCAPED_SCRIPT} &amp;amp;"


@pytest.mark.parametrize("query", [SCRIPT, IMG, f"grooming {SCRIPT}"])
def test_query_text_is_echoed_escaped(client, query):
    record(title="Axolotl survey", summary="Online grooming.")

    response = get_search(client, query)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;" in page or "&lt;img" in page


def test_snippet_shows_the_body_passage_that_matched_not_the_title(client):
    record(title="Axolotl grooming guide", summary="A guide for parents.", body="Signs of grooming in chat rooms.")

    snippet = shown_hits(get_search(client, "grooming"))[0].snippet

    assert "<mark>grooming</mark> in chat rooms" in snippet
    assert "Axolotl" not in snippet


def test_snippet_shows_the_summary_passage_that_matched(client):
    record(title="Axolotl sextortion guide", summary="Sextortion cases reported by schools.", body="Other text.")

    snippet = shown_hits(get_search(client, "sextortion"))[0].snippet

    assert "<mark>Sextortion</mark> cases reported" in snippet
    assert "Axolotl" not in snippet


def test_a_hit_matched_by_its_title_only_shows_the_opening_of_its_summary(client):
    record(title="Axolotl charter", summary="A charter for safer play online.", body="Further provisions follow.")

    snippet = shown_hits(get_search(client, "axolotl"))[0].snippet

    assert snippet.strip().startswith("A charter for safer play online")
    assert "Axolotl" not in snippet
    assert "<mark>" not in snippet
