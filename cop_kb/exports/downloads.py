"""The whole-data CSV zip (``/data/downloads/cop_kb-csv.zip``): one CSV per record type, ``links.csv`` and a README.

Built outside requests by ``manage.py build_downloads`` for the current content version, and served from the newest
built file (``cop_kb.downloads``: headers name the content it describes; a revalidation with its ETag is a 304).
Page addresses in it are written with the ``SITE_URL`` setting, since no request names the site when it is built.
"""

import datetime
import io
import zipfile

from django.conf import settings
from django.http import FileResponse, QueryDict
from django.utils import timezone
from django.views.decorators.http import require_safe

from cop_kb.downloads import Download, served
from cop_kb.records.models import public_q
from cop_kb.records.registry import record_types

from .columns import SEPARATOR, cell, forward_links, type_slug, typed_links_from
from .csv_export import CHUNK_SIZE, csv_lines, list_csv

ZIP_NAME = "cop_kb-csv.zip"
LINK_COLUMNS = ["source_type", "source_slug", "relation", "label", "target_type", "target_slug"]


def link_rows():
    """Every declared and typed link whose two ends are public, once each, from the end that declares it."""
    for entry in record_types():
        model, source = entry.model, entry.slug
        for link in forward_links(model):
            pairs = model.objects.public().filter(public_q(link.name)).order_by("slug", f"{link.name}__slug")
            target, label = type_slug(link.related_model), str(link.label)  # translated once, not per row
            for source_slug, target_slug in pairs.values_list("slug", f"{link.name}__slug").iterator(CHUNK_SIZE):
                yield [cell(value) for value in (source, source_slug, link.name, label, target, target_slug)]
        for _accessor, typed, target_field in typed_links_from(model):
            source_field = typed.source_field
            target = type_slug(typed._meta.get_field(target_field).related_model)
            rows = typed.objects.filter(public_q(source_field), public_q(target_field))
            rows = rows.order_by(f"{source_field}__slug", "kind", f"{target_field}__slug")
            columns = (f"{source_field}__slug", "kind", f"{target_field}__slug")
            labels = {kind: str(label) for kind, (label, _inverse) in typed.LABELS.items()}
            for source_slug, kind, target_slug in rows.values_list(*columns).iterator(CHUNK_SIZE):
                label = labels[kind]
                yield [cell(value) for value in (source, source_slug, kind, label, target, target_slug)]


def _readme(site: str, counts: dict[str, int], links: int, changed_at, token: str) -> str:
    files = "\n".join(f"  {name:<24} {count} records" for name, count in counts.items())
    changed_at = changed_at.astimezone(datetime.UTC)
    day = timezone.localdate()
    return f"""{settings.SITE_NAME} - whole-data CSV download

Every published record of {site}/ as it was when its content last changed, {changed_at:%d %B %Y %H:%M} UTC
(content version {token or "unknown"}; this file was built on {day:%d %B %Y}).

Files (UTF-8, comma-separated, RFC 4180):
{files}
  links.csv                {links} links: {", ".join(LINK_COLUMNS)}

Each type's file has the same columns as that type's list exported with format=csv: slug, title, url, summary,
body_html (the body as its page shows it), the type's own fields (dates only as far as they are known: 1989-11-20,
2008-11 or 2006), its links as the slugs of the records they lead to, tags, aliases and updated_at. links.csv has
every link once, from the record that declares it; relation is the link's name, label how its page reads it.
Several values in one cell are joined with "{SEPARATOR}" (a "{SEPARATOR}" or "\\" inside a value is escaped with "\\").
A cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) starts with "'".

Licence: this knowledge base states no licence for its data; see the site's about page.

How to cite: {settings.SITE_NAME}. Whole-data CSV download.
{site}/data/downloads/{ZIP_NAME} (content of {changed_at:%d %B %Y}; accessed <date you downloaded it>).
"""


def _member(name: str, changed_at) -> zipfile.ZipInfo:
    # A fixed time (the content's) rather than the build's: the same content gives the same bytes.
    info = zipfile.ZipInfo(name, date_time=changed_at.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_csv(archive: zipfile.ZipFile, info: zipfile.ZipInfo, header: list[str], rows) -> int:
    counted = 0

    def counting():
        nonlocal counted
        for row in rows:
            counted += 1
            yield row

    with archive.open(info, "w") as member, io.TextIOWrapper(member, encoding="utf-8", newline="") as text:
        for piece in csv_lines(header, counting()):
            text.write(piece)
    return counted


def write_zip(file, site: str, changed_at, token: str = "") -> None:
    """The whole public graph as CSV files in a zip written to ``file``."""
    counts = {}
    with zipfile.ZipFile(file, "w") as archive:
        for entry in record_types():
            header, rows = list_csv(entry.model, QueryDict(), site)
            counts[f"{entry.slug}.csv"] = _write_csv(archive, _member(f"{entry.slug}.csv", changed_at), header, rows)
        links = _write_csv(archive, _member("links.csv", changed_at), LINK_COLUMNS, link_rows())
        readme = _readme(site, counts, links, changed_at, token)
        archive.writestr(_member("README.txt", changed_at), readme.encode())


def _write(file, changed_at, token) -> None:
    write_zip(file, settings.SITE_URL, changed_at, token)


# Built by ``manage.py build_downloads`` (``cop_kb.downloads``), never inside a request.
CSV_ZIP = Download(prefix="cop_kb-csv", suffix=".zip", write=_write)


@require_safe
def csv_zip(request):
    """The newest built CSV zip (a 503 with Retry-After until the first is built); a 304 when the client has it."""

    def respond(built, file):
        return FileResponse(file, as_attachment=True, filename=ZIP_NAME, content_type="application/zip")

    return served(request, CSV_ZIP, respond)
