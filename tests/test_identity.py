"""The product's identity: its name wherever a reader sees one (pages, admin, error pages), a description of every
page for search engines and link previews, a favicon, and the about page."""

import re
from html import unescape

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from cop_kb.templatetags.page_meta import DESCRIPTION_LENGTH, meta_description
from cop_kb.views import server_error
from instruments.models import Instrument

from .factories import make, record_models

pytestmark = pytest.mark.django_db

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')


def description(response) -> str:
    """The page's one meta description, as a browser reads it (entities decoded)."""
    found = DESCRIPTION.findall(response.content.decode())
    assert len(found) == 1, f"{len(found)} meta descriptions"
    return unescape(found[0])


def test_a_records_page_describes_it_by_its_summary_escaped(client):
    record = make(Instrument, summary='A "convention" <b>on</b> children & ICTs.')

    response = client.get(record.get_absolute_url())

    assert 'content="A &quot;convention&quot; &lt;b&gt;on&lt;/b&gt; children &amp; ICTs."' in response.content.decode()
    assert description(response) == 'A "convention" <b>on</b> children & ICTs.'


def test_a_long_summary_is_cut_after_a_whole_word(client):
    summary = " ".join(["Protection of children from sexual exploitation and abuse online and offline"] * 6)
    record = make(Instrument, summary=summary)

    shown = description(client.get(record.get_absolute_url()))

    assert len(shown) <= DESCRIPTION_LENGTH
    assert shown.endswith("…")
    kept = shown.removesuffix("…")
    assert summary.startswith(kept) and summary[len(kept)] == " ", "cut inside a word"
    assert len(kept) > DESCRIPTION_LENGTH - 20, "cut far shorter than needed"


def test_a_summary_on_several_lines_is_one_line():
    assert meta_description("First line.\n\n  Second   line.") == "First line. Second line."


def test_every_record_types_page_is_described_by_its_summary_or_its_type_and_title(client):
    for model in record_models():
        with_summary = make(model, summary=f"What this {model._meta.verbose_name} is about, in a sentence.")
        without = make(model, summary="")

        assert description(client.get(with_summary.get_absolute_url())) == with_summary.summary, model
        kind = str(model._meta.verbose_name).capitalize()
        expected = f"{kind} in the {settings.SITE_NAME}: {without.title}."
        assert description(client.get(without.get_absolute_url())) == expected, model


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/", "UNICEF's Framework for Action"),
        ("/instruments/", "All published instruments"),
        ("/about/", "how to cite it"),
        ("/search/?q=convention", "Search the"),
        ("/data/", "read-only JSON API"),
        ("/no-such-page/", "UNICEF's Framework for Action"),
    ],
)
def test_every_other_page_has_a_description_that_fits_it(client, path, words):
    shown = description(client.get(path))

    assert words in shown
    assert settings.SITE_NAME in shown
    assert len(shown) <= DESCRIPTION_LENGTH


def test_the_header_names_the_product_and_what_it_is_built_on(client):
    page = client.get("/").content.decode()

    header = page[page.index('<header class="site-header">') : page.index("</header>")]
    assert f">{settings.SITE_NAME}</a>" in header
    assert "Built on UNICEF's <em>Framework for Action</em> on children and ICTs" in unescape(header)
    assert "cop_kb" not in page


def test_the_error_page_rendered_without_a_request_context_names_the_product(rf):
    page = server_error(rf.get("/")).content.decode()

    assert f"<title>Something went wrong · {settings.SITE_NAME}</title>" in page
    assert f">{settings.SITE_NAME}</a>" in page
    assert "cop_kb" not in page and "{#" not in page


def test_the_about_page_explains_sources_classification_citing_and_errors_without_inventing_a_contact(client):
    response = client.get(reverse("about"))

    page = unescape(response.content.decode())
    assert response.status_code == 200
    for heading in ("Where the facts come from", "Editorial classification", "How to cite", "Reporting an error"):
        assert f">{heading}</h2>" in page, heading
    assert "Neither the framework nor any instrument makes it." in page
    assert f'href="{reverse("partners:data")}#cite"' in page
    main = page[page.index("<main") : page.index("</main>")]
    assert "mailto:" not in main and "@" not in main, "no contact address has been decided"
    assert 'aria-current="page">About</a>' in page, "the navigation marks the page"


def test_the_about_page_is_cached_like_every_public_page(client, django_assert_num_queries):
    first = client.get(reverse("about"))

    with django_assert_num_queries(1):  # the content version, and nothing rendered
        again = client.get(reverse("about"))

    assert again.content == first.content
    assert again["Cache-Control"] == "no-cache"
    assert again["ETag"] == first["ETag"]


def test_the_admin_carries_the_products_name(admin_client):
    page = admin_client.get("/admin/").content.decode()

    assert f'<a href="/admin/">{settings.SITE_NAME}</a>' in page
    assert f"<title>{settings.SITE_NAME}: editorial administration | {settings.SITE_NAME}</title>" in page
    assert "Django administration" not in page and "Django site admin" not in page


def test_the_admin_login_page_carries_the_products_name(client):
    page = client.get("/admin/login/").content.decode()

    assert f"| {settings.SITE_NAME}</title>" in page
    assert "Django administration" not in page


def test_the_favicon_is_served_as_svg_and_favicon_ico_leads_to_it(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # the file as in the checkout, whether or not collectstatic has run
    icon = "/static/img/favicon.svg"
    assert finders.find("img/favicon.svg")
    assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in client.get("/").content.decode()

    redirect = client.get("/favicon.ico")
    served = client.get(icon)

    assert redirect.status_code == 302 and redirect["Location"] == icon
    assert served.status_code == 200
    assert served["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(served.streaming_content)
