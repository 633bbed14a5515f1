"""Citations of a record: of the document it is (an instrument, the way legal writing cites it) and of its page here,
as text on its page and brief, and as BibTeX and RIS files at its page's address with ``.bib`` / ``.ris`` for the
trailing slash.

Everything is built from the record's stored fields: a part whose field is empty is left out, never guessed. A record
type says which fields make up its document citation with a ``Document`` declaration (``cited_as`` on the model); a
type whose records are parts of such a document (a provision of an instrument) names the single link to the whole
(``cited_within``) and is cited as the whole followed by its own title. Every type is also cited as its page.
"""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst

from .models import DatePrecision, format_partial_date


@dataclass(frozen=True)
class Document:
    """The fields of a record type that cite its records as documents: official title, the dates (the first one
    known counts, as in ``dated_by``), place, reference number, short title, issuing body (a single link), the
    official text's address, and the values of ``kind`` that are reports rather than legal texts."""

    title: str
    dates: tuple = ()
    place: str = ""
    number: str = ""
    short_title: str = ""
    body: str = ""
    url: str = ""
    report_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One reference, whatever the file format: a legal text, a report, or a page of this site (``kind``)."""

    kind: str
    key: str
    title: str
    date: datetime.date | None
    precision: str
    place: str = ""
    number: str = ""
    short_title: str = ""
    publisher: str = ""
    url: str = ""
    accessed: datetime.date | None = None
    note: str = ""


@dataclass(frozen=True)
class Citation:
    """What a record's page offers to cite it: the document's citation ("" when it is not a document or part of
    one), the page's, and the addresses of its two files; ``files_cite_document``: whether the files cite the
    document (an instrument) rather than the page."""

    document: str
    page: str
    bib_url: str
    ris_url: str
    files_cite_document: bool


def _stored(record, field_name: str) -> str:
    return (getattr(record, field_name) or "") if field_name else ""


def document_entry(record) -> Entry | None:
    """``record`` as the document it is, from the fields its type's ``cited_as`` names; None when the type declares
    none or the official title is empty. An issuing body that is not public is left out, as it is on the page."""
    declared = type(record).cited_as
    title = _stored(record, declared.title) if declared else ""
    if not title:
        return None
    dated = next((date for date in declared.dates if getattr(record, date.date_field) is not None), None)
    body = getattr(record, declared.body) if declared.body else None
    return Entry(
        kind="report" if getattr(record, "kind", None) in declared.report_kinds else "legal",
        key=record.slug,
        title=title,
        date=getattr(record, dated.date_field) if dated else None,
        precision=getattr(record, dated.precision_field) if dated else "",
        place=_stored(record, declared.place),
        number=_stored(record, declared.number),
        short_title=_stored(record, declared.short_title),
        publisher=body.title if body is not None and body.is_public else "",
        url=_stored(record, declared.url),
    )


def document_citation(record) -> str:
    """The citation of the document ``record`` is, or of the public document it is part of followed by its own
    title ("…, ETS No. 185, Article 9"); "" when it is neither."""
    entry = document_entry(record)
    if entry is not None:
        parts = (entry.title, entry.place, format_partial_date(entry.date, entry.precision), entry.number)
        return ", ".join(part for part in parts if part)
    within = type(record).cited_within
    whole = getattr(record, within) if within else None
    if whole is None or not whole.is_public:
        return ""
    cited = document_citation(whole)
    return f"{cited}, {record.title}" if cited else ""


def _day(value: datetime.date) -> str:
    return format_partial_date(value, DatePrecision.DAY)


def page_entry(record, page_url: str, part_of: str = "") -> Entry:
    """``record``'s page on this site as a reference: its title, the site, its address, its last update and today
    as the date it was read; ``part_of``: the citation of what it is part of, for the note ("Provision: …")."""
    updated = timezone.localtime(record.updated_at).date()
    kind = capfirst(record._meta.verbose_name)
    return Entry(
        kind="page",
        key=record.slug,
        title=record.title,
        date=updated,
        precision=DatePrecision.DAY,
        publisher=settings.SITE_NAME,
        url=page_url,
        accessed=timezone.localdate(),
        note=f"{kind}: {part_of}; last updated {_day(updated)}" if part_of else f"{kind}; last updated {_day(updated)}",
    )


def page_citation(record, page_url: str) -> str:
    """The page's citation as text: “Title”. Type, site. Last updated …. Address (accessed …)."""
    entry = page_entry(record, page_url)
    kind = capfirst(record._meta.verbose_name)
    return (
        f"“{entry.title}”. {kind}, {entry.publisher}. Last updated {_day(entry.date)}. "
        f"{entry.url} (accessed {_day(entry.accessed)})."
    )


def file_address(record, extension: str) -> str:
    """The address of ``record``'s citation file: its page's address with ``.bib`` or ``.ris`` for the slash."""
    return record.get_absolute_url().removesuffix("/") + f".{extension}"


def record_citation(record, page_url: str) -> Citation:
    """Everything the cite box of ``record``'s page shows; ``page_url``: the page's absolute address."""
    return Citation(
        document=document_citation(record),
        page=page_citation(record, page_url),
        bib_url=file_address(record, "bib"),
        ris_url=file_address(record, "ris"),
        files_cite_document=document_entry(record) is not None,
    )


def citation_entry(record, page_url: str) -> Entry:
    """What ``record``'s citation files cite: the document it is, or else its page (with what it is part of)."""
    return document_entry(record) or page_entry(record, page_url, part_of=document_citation(record))


# ---- BibTeX ------------------------------------------------------------------------------------------------------

# Characters BibTeX and LaTeX read as commands or markup, written so they print as themselves.
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(char) for char in _BIBTEX_ESCAPES))
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def bibtex_text(text: str) -> str:
    """``text`` as a BibTeX field value prints it: special characters escaped, on one line."""
    return _BIBTEX_SPECIAL.sub(lambda found: _BIBTEX_ESCAPES[found.group()], _one_line(text))


def bibtex_url(url: str) -> str:
    """An address as a ``url`` field (read verbatim by biblatex and hyperref): only what could end the field or
    unbalance its braces is percent-encoded."""
    return quote(url, safe="/:?#[]@!$&'()*+,;=%~-._")


def _iso(value: datetime.date, precision: str) -> str:
    return value.isoformat()[: {DatePrecision.YEAR: 4, DatePrecision.MONTH: 7}.get(precision, 10)]


def bibtex(entry: Entry) -> str:
    """``entry`` as a BibTeX ``@misc`` record, the one type every style prints: standard fields (``year``,
    ``month``, ``address``, ``howpublished``, ``note``) and biblatex's (``date``, ``location``, ``organization``,
    ``url``, ``urldate``), so classic BibTeX and biblatex each find what they read."""
    fields = [("title", "{" + bibtex_text(entry.title) + "}")]
    if entry.short_title:
        fields.append(("shorttitle", bibtex_text(entry.short_title)))
    if entry.kind == "page":
        fields.append(("howpublished", bibtex_text(entry.publisher)))
    elif entry.publisher:
        fields.append(("organization", bibtex_text(entry.publisher)))
    if entry.number:
        fields.append(("number" if entry.kind == "report" else "howpublished", bibtex_text(entry.number)))
    if entry.place:
        fields += [("address", bibtex_text(entry.place)), ("location", bibtex_text(entry.place))]
    if entry.date:
        fields += [("date", _iso(entry.date, entry.precision)), ("year", str(entry.date.year))]
    lines = [f"@misc{{{entry.key},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields]
    if entry.date and entry.precision != DatePrecision.YEAR:
        lines.append(f"  month = {_MONTHS[entry.date.month - 1]},")  # a month macro: every style names it
    if entry.url:
        lines.append(f"  url = {{{bibtex_url(entry.url)}}},")
    if entry.accessed:
        lines.append(f"  urldate = {{{entry.accessed.isoformat()}}},")
    if entry.note:
        lines.append(f"  note = {{{bibtex_text(entry.note)}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---- RIS ---------------------------------------------------------------------------------------------------------

# Statute is the type reference managers give treaties (Zotero reads it as "Statute"); a study is a report.
_RIS_TYPES = {"legal": "STAT", "report": "RPRT", "page": "ELEC"}
# Where each type keeps a reference number (Zotero: a statute's public law number, a report's number).
_RIS_NUMBER_TAGS = {"legal": "M1", "report": "SN"}


def _ris_date(value: datetime.date, precision: str) -> str:
    """RIS's ``YYYY/MM/DD/`` with the parts not known left empty."""
    month = f"{value.month:02d}" if precision != DatePrecision.YEAR else ""
    day = f"{value.day:02d}" if precision == DatePrecision.DAY else ""
    return f"{value.year:04d}/{month}/{day}/"


def ris(entry: Entry) -> str:
    """``entry`` as one RIS record: ``TAG  - value`` lines ending in CR LF, as the format asks, closed by ``ER``."""
    tags = [("TY", _RIS_TYPES[entry.kind]), ("TI", entry.title), ("ST", entry.short_title)]
    tags.append(("T2" if entry.kind == "page" else "PB", entry.publisher))
    tags += [(_RIS_NUMBER_TAGS.get(entry.kind, "M1"), entry.number), ("CY", entry.place)]
    if entry.date:
        tags += [("DA", _ris_date(entry.date, entry.precision)), ("PY", str(entry.date.year))]
    tags += [("UR", entry.url), ("Y2", entry.accessed.strftime("%Y/%m/%d") if entry.accessed else "")]
    tags.append(("N1", entry.note))
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in tags if value]
    return "\r\n".join([*lines, "ER  - ", ""])
