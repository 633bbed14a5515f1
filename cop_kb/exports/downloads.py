"""The whole-data CSV zip (``/data/downloads/cop_kb-csv.zip``): one CSV per record type, ``links.csv`` and a README.

It is built on the first request after the content changed and kept as a file named by the content version's token
(``cop_kb.records.content_version``) and the code that wrote it, so every later download until the next change is
that file, and its ETag (the same names) lets a client revalidate for a 304. Older files are deleted when a newer
one is kept.
"""

import hashlib
import io
import os
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.http import http_date, parse_etags, quote_etag
from django.views.decorators.http import require_safe

from cop_kb.page_cache import code_id
from cop_kb.records.content_version import content_version
from cop_kb.records.models import public_q
from cop_kb.records.registry import record_types

from .columns import SEPARATOR, cell, forward_links, type_slug, typed_links_from
from .csv_export import CHUNK_SIZE, csv_lines, list_csv, site_of

ZIP_NAME = "cop_kb-csv.zip"
LINK_COLUMNS = ["source_type", "source_slug", "relation", "label", "target_type", "target_slug"]


def link_rows():
    """Every declared and typed link whose two ends are public, once each, from the end that declares it."""
    for entry in record_types():
        model, source = entry.model, entry.slug
        for link in forward_links(model):
            pairs = model.objects.public().filter(public_q(link.name)).order_by("slug", f"{link.name}__slug")
            target = type_slug(link.related_model)
            for source_slug, target_slug in pairs.values_list("slug", f"{link.name}__slug").iterator(CHUNK_SIZE):
                yield [cell(value) for value in (source, source_slug, link.name, link.label, target, target_slug)]
        for _accessor, typed, target_field in typed_links_from(model):
            source_field = typed.source_field
            target = type_slug(typed._meta.get_field(target_field).related_model)
            rows = typed.objects.filter(public_q(source_field), public_q(target_field))
            rows = rows.order_by(f"{source_field}__slug", "kind", f"{target_field}__slug")
            columns = (f"{source_field}__slug", "kind", f"{target_field}__slug")
            for source_slug, kind, target_slug in rows.values_list(*columns).iterator(CHUNK_SIZE):
                label = typed.LABELS[kind][0]
                yield [cell(value) for value in (source, source_slug, kind, label, target, target_slug)]


def _readme(site: str, counts: dict[str, int], links: int, changed_at) -> str:
    files = "\n".join(f"  {name:<24} {count} records" for name, count in counts.items())
    day = timezone.localdate()
    return f"""cop_kb: UNICEF Framework for Action knowledge base - whole-data CSV download

Every published record of {site}/ as it was on {day:%d %B %Y} (content last changed {changed_at:%d %B %Y}).

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

How to cite: cop_kb: UNICEF Framework for Action knowledge base. Whole-data CSV download.
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


def write_zip(file, site: str, changed_at) -> None:
    """The whole public graph as CSV files in a zip written to ``file``."""
    counts = {}
    with zipfile.ZipFile(file, "w") as archive:
        for entry in record_types():
            header, rows = list_csv(entry.model, QueryDict(), site)
            counts[f"{entry.slug}.csv"] = _write_csv(archive, _member(f"{entry.slug}.csv", changed_at), header, rows)
        links = _write_csv(archive, _member("links.csv", changed_at), LINK_COLUMNS, link_rows())
        readme = _readme(site, counts, links, changed_at)
        archive.writestr(_member("README.txt", changed_at), readme.encode())


def _stored(token: str, key: str, site: str, changed_at):
    """An open file of the zip for ``token``: the kept one, or a new one, kept if the content did not change while
    it was written (otherwise it is sent once and not kept: the next request builds the current one)."""
    folder = Path(settings.DOWNLOADS_DIR)
    path = folder / f"cop_kb-csv-{token}-{key}.zip"
    try:
        return path.open("rb")
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".building-", suffix=".zip", delete=False) as building:
        try:
            write_zip(building, site, changed_at)
        except BaseException:
            os.unlink(building.name)  # a half-written file is never left behind
            raise
    handle = open(building.name, "rb")  # noqa: SIM115 (FileResponse closes it)
    current = content_version()
    if current is not None and current[0] == token:
        os.replace(building.name, path)
        for older in folder.glob("cop_kb-csv-*.zip"):
            if not older.name.startswith(f"cop_kb-csv-{token}-"):
                older.unlink(missing_ok=True)
    else:
        os.unlink(building.name)  # the open handle still reads it
    return handle


@require_safe
def csv_zip(request):
    """The whole-data CSV zip, built once per content version; a 304 when the client's copy is current."""
    version = content_version()
    if version is None:
        raise Http404("No content yet.")
    token, changed_at = version
    etag = quote_etag(f"csv-{token}-{code_id()}")
    site = site_of(request)
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Last-Modified": http_date(changed_at.timestamp())}
    offered = parse_etags(request.headers.get("If-None-Match", ""))
    if etag in offered or f"W/{etag}" in offered:
        return HttpResponse(status=304, headers=headers)
    # The site's address is written into the files, so each address it is reached by has its own.
    key = hashlib.sha256(f"{code_id()} {site}".encode()).hexdigest()[:16]
    response = FileResponse(
        _stored(token, key, site, changed_at), as_attachment=True, filename=ZIP_NAME, content_type="application/zip"
    )
    for name, value in headers.items():
        response[name] = value
    return response
