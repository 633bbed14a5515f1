"""Cross-site scripting: a corpus of payloads, as a Markdown body and as the plain-text fields of a published record.

* As a body, each payload is saved through ``record_create`` (rendered and sanitised at save): the stored HTML holds
  nothing a browser would run, and its links use only http, https or mailto.
* As title, summary, alias and tag, each payload is shown escaped on the record's page, its list, the search results
  (including the highlighted snippet) and autocomplete's JSON. Pages are also read as a browser would: every element
  and attribute on them must be one a template or the sanitiser's allowlist can produce, and no URL may run code.
"""

import html
import json
import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils.html import escape, format_html

from cop_kb.graph.views import explore_url
from cop_kb.records.markdown import ALLOWED_ATTRIBUTES, ALLOWED_SCHEMES, ALLOWED_TAGS, render_markdown
from cop_kb.records.script_json import script_json
from cop_kb.records.templatetags.records import (
    link_items,
    list_items,
    record_title,
    search_hits,
    table_rows,
    verbose_name,
)
from cop_kb.records.views import RecordListView
from cop_kb.search.hits import highlight
from cop_kb.search.selectors import SearchHit
from cop_kb.search.services import plain_text
from instruments.models import Instrument
from programmes.models import Programme
from strategy.models import FocusArea

from ..factories import make

PAYLOADS = [
    # script elements
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>alert(1);//<</script>",
    "<script\n>alert(1)</script\n>",
    # event handlers
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<img src=`javascript:alert(1)`>",
    "<body onload=alert(1)>",
    '<div onmouseover="alert(1)">hover</div>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    '<abbr title="x" onmouseover=alert(1)>X</abbr>',
    '<a href="https://example.org/" onclick="alert(1)">x</a>',
    # javascript:, data:, vbscript: links, plain and obfuscated
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav\tascript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="VBScript:msgbox(1)">x</a>',
    '<a href="livescript:alert(1)">x</a>',
    '<a href="tel:+123456">call</a>',
    '<a href="javascript:alert(1)"',
    # Markdown links and images
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "[click](vbscript:msgbox(1))",
    "![img](javascript:alert(1))",
    '![img](x "onerror=alert(1)")',
    "[ref][1]\n\n[1]: javascript:alert(1)",
    '<https://example.org/" onmouseover="alert(1)>',
    "<javascript:alert(1)>",
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    # frames, objects, embeds
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    # styles
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    "<link rel=stylesheet href=//evil.example/x.css>",
    '<table><tr><td background="javascript:alert(1)">x</td></tr></table>',
    # meta refresh, base, forms
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="//evil.example/">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">go</button>',
    "<isindex action=javascript:alert(1) type=image>",
    # comments, CDATA, noscript tricks
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<![CDATA[<script>alert(1)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    # breaking out of attributes and elements
    '"><img src=x onerror=alert(1)>',
    "'><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    # template injection
    "{{ 7|add:7 }}{% debug %}",
    "{% load static %}{% csrf_token %}{{ request.META }}",
    "${alert(1)}",
    # unicode: right-to-left override, zero-width joiners
    "\u202e<script>alert(1)</script>\u202d",
    "<scr\u200dipt>alert(1)</scr\u200dipt>",
]
# What must survive sanitising: ordinary links.
BENIGN = {
    "[fine](https://example.org/)": "https://example.org/",
    "<mailto:someone@example.org>": "mailto:someone@example.org",
    "[relative](/instruments/)": "/instruments/",
}
ALL = [*PAYLOADS, *BENIGN]

# Most tests read the module's corpus; the mark makes pytest-django create the test database for it.
pytestmark = pytest.mark.django_db

EXECUTABLE_TAG = re.compile(r"<\s*/?\s*(script|iframe|object|embed|svg|math|style|meta|form|base|link|frame)\b", re.I)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "data", "poster", "srcdoc"}
SAFE_SCHEMES = {"", *ALLOWED_SCHEMES}


def payload_id(payload: str) -> str:
    return f"{ALL.index(payload):02d}-" + re.sub(r"\W+", "_", payload)[:40]


class Elements(HTMLParser):
    """Every start tag with its attributes, entities decoded (as a browser sees them)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def scheme(url: str) -> str:
    """The scheme a browser would read: ASCII tab and newlines dropped, leading spaces and controls stripped."""
    cleaned = re.sub(r"[\t\n\r]", "", url).lstrip("".join(chr(c) for c in range(0x21)))
    found = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return found.group(1).lower() if found else ""


def code_attributes(text: str) -> list[str]:
    """Event handlers and URLs that would run code, on any element of ``text`` (HTML)."""
    problems = []
    for tag, attrs in Elements(text).tags:
        problems += [f"<{tag} {name}=...>" for name in attrs if name.startswith("on")]
        problems += [
            f"<{tag} {name}={value!r}>"
            for name, value in attrs.items()
            if name in URL_ATTRIBUTES and scheme(value) not in SAFE_SCHEMES
        ]
    return problems


def runnable(text: str) -> list[str]:
    """What in a fragment of HTML a browser could run: script-like elements, handlers, and code URLs."""
    return [match.group(0) for match in EXECUTABLE_TAG.finditer(text)] + code_attributes(text)


# ---- Markdown bodies --------------------------------------------------------------------------------------------


def test_corpus_is_large_enough():
    assert len(PAYLOADS) >= 50
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("payload", ALL, ids=payload_id)
def test_markdown_body_is_stored_without_anything_executable(corpus, payload):
    shown = corpus.records[payload]
    stored = shown.body_html

    assert stored == render_markdown(shown.body)
    assert "<script" not in stored.lower()
    assert not runnable(stored), stored
    for tag, attrs in Elements(stored).tags:
        assert tag in ALLOWED_TAGS, stored
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, stored
        if "href" in attrs:
            assert scheme(attrs["href"]) in SAFE_SCHEMES, stored


@pytest.mark.parametrize(("payload", "href"), BENIGN.items(), ids=list(BENIGN))
def test_ordinary_links_survive_sanitising(payload, href):
    hrefs = [attrs.get("href") for tag, attrs in Elements(render_markdown(payload)).tags if tag == "a"]

    assert hrefs == [href]


@pytest.mark.parametrize("payload", ["<scr\x00ipt>alert(1)</scr\x00ipt>", "<a href='java\x00script:alert(1)'>x</a>"])
def test_nul_bytes_do_not_smuggle_markup(payload):
    # Not saved: PostgreSQL text cannot hold NUL, so only the renderer is exercised.
    assert not runnable(render_markdown(payload))


# ---- plain-text fields on every public surface -----------------------------------------------------------------


def _template_vocabulary() -> tuple[set[str], set[str]]:
    """Element and attribute names the templates, the graph's drawing and the body sanitiser can put on a page;
    nothing else may appear."""
    # <mark> comes from search highlights (search.selectors.highlight), escaped first and then marked.
    tags = {*ALLOWED_TAGS, "mark"}
    attributes = {"rel", *(name for names in ALLOWED_ATTRIBUTES.values() for name in names)}
    # The relationship graph's SVG is written by its template tags, not by a template.
    drawn = [Path(settings.BASE_DIR, "cop_kb", "graph", "templatetags.py")]
    for path in [*Path(settings.BASE_DIR, "templates").rglob("*.html"), *drawn]:
        text = re.sub(r"{[{%#].*?[}%#]}", " ", path.read_text())
        tags |= {name.lower() for name in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", text)}
        attributes |= {name.lower() for name in re.findall(r"\s([a-zA-Z][a-zA-Z0-9:-]*)=", text)}
        attributes |= {
            name.lower() for name in re.findall(r"\s(readonly|defer|open|hidden|data-copy|data-graph)\b", text)
        }
    return tags, attributes


TEMPLATE_TAGS, TEMPLATE_ATTRIBUTES = _template_vocabulary()


def injected(page: str) -> list[str]:
    """Anything on a rendered page that no template could have produced, plus anything runnable.

    The page's own head-and-form elements are allowed only in the shapes the templates give them.
    """
    problems = code_attributes(page)
    for tag, attrs in Elements(page).tags:
        if tag not in TEMPLATE_TAGS:
            problems.append(f"element <{tag}>")
        problems += [f"attribute {name} on <{tag}>" for name in attrs if name not in TEMPLATE_ATTRIBUTES]
        shape_ok = {
            "script": lambda a: a.get("src", "").startswith("/static/") or a == {"type": "application/ld+json"},
            "link": lambda a: (
                (a.get("rel") in ("stylesheet", "icon") and a.get("href", "").startswith("/static/"))
                or (a.get("rel") == "alternate" and a.get("type") == "application/ld+json" and _jsonld(a.get("href")))
                or (
                    (a.get("rel"), a.get("type")) == ("alternate", "application/atom+xml")
                    and a.get("href", "").startswith("/feeds/")
                )
            ),
            # A description's content is the record's summary: text in an attribute, escaped like any other.
            "meta": lambda a: (
                set(a) <= {"charset", "name", "content"} and a.get("name") in (None, "viewport", "description")
            ),
            "form": lambda a: a.get("method") == "get" and a.get("action", "").startswith("/"),
        }.get(tag)
        if shape_ok is not None and not shape_ok(attrs):
            problems.append(f"<{tag} {attrs}>")
    return problems


def _jsonld(href: str | None) -> bool:
    return bool(href) and href.startswith("/") and href.endswith(".jsonld")


def needs_escaping(text: str) -> bool:
    """Whether the payload, left raw, would be markup (entities alone are already inert text)."""
    return "<" in text or ">" in text


@dataclass
class Shown:
    """One payload's record and what each public surface answered about it."""

    title: str
    body: str
    body_html: str
    pages: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    autocomplete: object = None


@dataclass
class Corpus:
    records: dict[str, Shown]
    list_pages: list[str]
    # The page of the focus area each payload's record is filed under, which lists it among its links.
    linking_pages: dict[str, str]
    # And that focus area's explore page, which draws every one of them and lists it in its table.
    exploring_pages: dict[str, str]


# Records filed under one focus area: fewer than a link group shows (``BACKLINKS_SHOWN``), so its page lists them all.
PER_FOCUS_AREA = 40


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker) -> Corpus:
    """Every payload as the title, summary, body, alias and tag of one published record, and the pages showing it.

    Built once for the module, inside a transaction rolled back at the end.
    """
    client = Client()
    records = {}
    with django_db_blocker.unblock(), transaction.atomic():
        made = {}
        areas = [make(FocusArea) for _ in range(math.ceil(len(ALL) / PER_FOCUS_AREA))]
        for number, payload in enumerate(ALL):
            made[payload] = make(
                Programme,
                focus_area=areas[number // PER_FOCUS_AREA],
                title=f"Xsscase{number:03d} {payload}",
                summary=payload,
                body=f"Before.\n\n{payload}\n\nAfter.",
                aliases=[{"name": f"Alias{number} {payload}"}],
                tags=[f"tag{number} {payload}"[:100]],
            )
        for number, (payload, record) in enumerate(made.items()):
            stored = Programme.objects.get(pk=record.pk)
            shown = records[payload] = Shown(title=stored.title, body=stored.body, body_html=stored.body_html)
            query = urlencode({"q": f"xsscase{number:03d}"})
            for name, url in (
                ("detail", record.get_absolute_url()),
                ("search", f"{reverse('search:search')}?{query}"),
            ):
                response = client.get(url)
                shown.statuses[name] = response.status_code
                shown.pages[name] = response.content.decode()
            shown.autocomplete = client.get(f"{reverse('search:autocomplete')}?{query}")
        list_pages = []
        for page in range(1, 1 + math.ceil(len(ALL) / RecordListView.paginate_by)):
            response = client.get(f"{Programme.get_list_url()}?page={page}")
            assert response.status_code == 200
            list_pages.append(response.content.decode())
        area_pages = [client.get(area.get_absolute_url()).content.decode() for area in areas]
        linking_pages = {payload: area_pages[number // PER_FOCUS_AREA] for number, payload in enumerate(ALL)}
        # Two steps out: the table's "From" column names the record each one is linked from.
        explore_pages = [client.get(f"{explore_url(area)}?depth=2").content.decode() for area in areas]
        exploring_pages = {payload: explore_pages[number // PER_FOCUS_AREA] for number, payload in enumerate(ALL)}
        transaction.set_rollback(True)
    return Corpus(records, list_pages, linking_pages, exploring_pages)


@pytest.mark.parametrize("payload", ALL, ids=payload_id)
def test_plain_text_fields_are_escaped_on_the_record_page(corpus, payload):
    shown = corpus.records[payload]
    number = ALL.index(payload)
    page = shown.pages["detail"]

    assert shown.statuses["detail"] == 200
    assert not injected(page)
    if needs_escaping(payload):
        assert payload not in page
    # Every field is shown escaped, not dropped: title, summary, alias and tag.
    for text in (shown.title, payload, f"Alias{number} {payload}", f"tag{number} {payload}"[:100]):
        assert escape(text) in page or escape(text).replace("\n", "<br>") in page, text
    # The JSON-LD block holds the same text, whole, and nothing escaped out of it.
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert json.loads(block)["name"] == shown.title


@pytest.mark.parametrize("payload", ALL, ids=payload_id)
def test_a_linked_records_title_is_escaped_in_its_link_group(corpus, payload):
    page = corpus.linking_pages[payload]

    assert not injected(page)
    assert f">{escape(corpus.records[payload].title)}</a>" in page


@pytest.mark.parametrize("payload", ALL, ids=payload_id)
def test_a_linked_records_title_is_escaped_in_the_graph_and_its_table(corpus, payload):
    # The graph's SVG and table are written without format_html (``cop_kb/graph/templatetags.py``).
    page = corpus.exploring_pages[payload]
    drawn = page[page.index('<svg class="graph-svg"') : page.index("</table>")]
    title = escape(corpus.records[payload].title)

    assert not injected(drawn)
    assert f'aria-label="{title} (Programme: ' in drawn  # its node's accessible name
    assert f'">{title}</a></th><td>Programme</td>' in drawn  # its row of the table


@pytest.mark.parametrize("payload", ALL, ids=payload_id)
def test_link_items_escape_as_format_html_does(payload):
    # Link groups write their items without format_html (``_title_html``): the same HTML, title and short name both.
    instrument = Instrument.shown(pk=1, slug="hostile", title=f"Title {payload}", short_title=payload)
    title = format_html('<a href="{}">{}</a>', instrument.get_absolute_url(), instrument.title)
    expected = format_html('{} <span class="subtitle">{}</span>', title, payload)

    assert record_title(instrument) == expected
    assert link_items([instrument]) == format_html(
        '\n    <li>{} <span class="type">{}</span></li>\n    ', expected, verbose_name(instrument)
    )


# What Django's templates wrote for a list's rows before the ``list_items`` and ``table_rows`` tags did.
LIST_ROWS_AS_A_TEMPLATE_WROTE_THEM = Template(
    '{% for record in records %}<li><h2><a href="{{ record.get_absolute_url }}">{{ record.title }}</a></h2>'
    '{% if record.subtitle %}<p class="subtitle">{{ record.subtitle }}</p>{% endif %}'
    "{% if record.summary %}<p>{{ record.summary|truncatewords:40 }}</p>{% endif %}</li>{% endfor %}"
)
TABLE_ROW_AS_A_TEMPLATE_WROTE_IT = Template(
    '<tr>{% for cell, primary in cells %}{% if primary %}<th scope="row"><a href="{{ cell.url }}">{{ cell.text }}</a>'
    '</th>{% else %}<td>{% if cell.url %}<a href="{{ cell.url }}">{{ cell.text }}</a>{% else %}{{ cell.text }}'
    "{% endif %}</td>{% endif %}{% endfor %}</tr>"
)

# And what the template included for each search hit wrote.
SEARCH_HIT_AS_A_TEMPLATE_WROTE_IT = Template(
    '{% load i18n %}<li><{{ heading }}><a href="{{ hit.url }}">{{ hit.title }}</a></{{ heading }}>'
    '{% if hit.subtitle %}<p class="subtitle">{{ hit.subtitle }}</p>{% endif %}<p class="meta"><span>'
    '{{ hit.type_label }}</span>{% if hit.matched_alias %} · <span class="alias">{% blocktranslate with '
    "alias=hit.matched_alias %}matched alias: {{ alias }}{% endblocktranslate %}</span>{% endif %}</p>"
    '{% if hit.snippet %}<p class="snippet">{{ hit.snippet }}</p>{% endif %}</li>'
)


def _between_tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("payload", ALL, ids=payload_id)
def test_list_and_table_rows_escape_as_django_templates_do(payload):
    # The tags write a list's rows without the template engine: the same HTML, but for the spaces between tags.
    instrument = Instrument.shown(
        pk=1, slug="hostile", title=f"Title {payload}", short_title=payload, summary=f"{payload} said " * 30
    )
    columns = list(Instrument.list_columns)
    cells = [(column.cell(instrument), column.primary) for column in columns]

    assert _between_tags(list_items([instrument])) == LIST_ROWS_AS_A_TEMPLATE_WROTE_THEM.render(
        Context({"records": [instrument]})
    )
    headers = [SimpleNamespace(column=column) for column in columns]
    assert _between_tags(table_rows([instrument], headers)) == TABLE_ROW_AS_A_TEMPLATE_WROTE_IT.render(
        Context({"cells": cells})
    )


@pytest.mark.parametrize("payload", ALL, ids=payload_id)
def test_search_hits_escape_as_django_templates_do(payload):
    # The snippet arrives as HTML already (its highlights made <mark> after escaping) and is written as it is.
    hit = SearchHit(
        title=f"Title {payload}",
        url=f"/instruments/{payload}/",
        type_label=f"Type {payload}",
        snippet=highlight(f"Snippet {payload}"),
        matched_alias=f"Alias {payload}",
        subtitle=payload,
    )

    for heading in ("h2", "h3"):
        expected = SEARCH_HIT_AS_A_TEMPLATE_WROTE_IT.render(Context({"hit": hit, "heading": heading}))
        assert _between_tags(search_hits([hit], heading)) == expected


@pytest.mark.parametrize("payload", ALL, ids=payload_id)
def test_plain_text_fields_are_escaped_in_the_list(corpus, payload):
    title = corpus.records[payload].title

    assert any(escape(title) in page for page in corpus.list_pages)
    for page in corpus.list_pages:
        assert not injected(page)
        if needs_escaping(payload):
            assert payload not in page


@pytest.mark.parametrize("payload", ALL, ids=payload_id)
def test_plain_text_fields_are_escaped_in_search_results(corpus, payload):
    shown = corpus.records[payload]
    page = shown.pages["search"]

    assert shown.statuses["search"] == 200
    assert not injected(page)
    if needs_escaping(payload):
        assert payload not in page
    # The index runs titles through ``plain_text`` (tags stripped, entities decoded); either form is accepted here,
    # this test is about escaping.
    assert escape(shown.title) in page or escape(plain_text(shown.title)) in page


@pytest.mark.parametrize("payload", ALL, ids=payload_id)
def test_search_snippet_holds_only_highlight_marks(corpus, payload):
    page = corpus.records[payload].pages["search"]
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', page, re.S)

    assert snippets
    for snippet in snippets:
        assert "<" not in snippet.replace("<mark>", "").replace("</mark>", ""), snippet


@pytest.mark.parametrize("payload", ALL, ids=payload_id)
def test_autocomplete_returns_the_title_as_json_data(corpus, payload):
    shown = corpus.records[payload]
    response = shown.autocomplete
    titles = [item["title"] for item in json.loads(response.content)["results"]]

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(titles) == 1
    assert titles[0] in (shown.title, plain_text(shown.title))


def test_autocomplete_json_escapes_markup_characters(corpus):
    """No raw "<" in the JSON: it could close a <script> block or open a comment if the JSON were ever put into a
    page. Django's json_script escapes < > & to \\u003c \\u003e \\u0026 for the same reason."""
    raw = {payload: shown.autocomplete.content.decode() for payload, shown in corpus.records.items()}
    unescaped = sorted(body for body in raw.values() if "<" in body)

    assert all('"title"' in body for body in raw.values())
    assert not unescaped, f"{len(unescaped)} of {len(raw)} responses hold a raw '<', e.g. {unescaped[0]}"


def test_script_json_writes_no_markup_character_and_reads_back_the_same():
    """The JSON-LD block and the suggestions' JSON (``script_json``, ``ScriptSafeJSONEncoder``): no ``<``, ``>`` or
    ``&`` left to end a ``<script>`` element or open a comment, other text as it is, the same data read back."""
    data = {"name": '</script><!-- "Ünïcode" & <b>bold</b> -->', "names": ["a&b", "<", ">"]}
    text = script_json(data)
    assert set(text) & set("<>&") == set()
    assert "Ünïcode" in text
    assert json.loads(text) == data


@pytest.mark.parametrize("name", ["儿童保护", "🔒", "<>"])
def test_tag_without_latin_letters_or_digits_keeps_pages_working(client, name):
    """Such a tag gets an empty slug from taggit; its record's page, the tag list and the list must still render."""
    record = make(Programme, tags=[name, "plain"])

    responses = {
        "detail": client.get(record.get_absolute_url()),
        "tags": client.get(reverse("tag-list")),
        "list": client.get(Programme.get_list_url()),
    }

    assert {page: response.status_code for page, response in responses.items()} == {
        "detail": 200,
        "tags": 200,
        "list": 200,
    }
    assert html.escape(name, quote=False) in responses["detail"].content.decode()
