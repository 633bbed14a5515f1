"""The whole-data CSV zip: every public record and link, built outside requests (``manage.py build_downloads``) once
per content version, served from the newest file with the version it describes, revalidated with its ETag; and how
a request asks for a build (never making one)."""

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cop_kb import downloads as cop_downloads
from cop_kb.exports import downloads
from cop_kb.exports.columns import record_columns
from cop_kb.records.content_version import content_version
from cop_kb.records.registry import record_types
from cop_kb.records.services import record_transition
from instruments.models import Instrument, InstrumentRelation

from ..factories import make, make_linked_graph, make_typed_link, typed_link_models
from .support import read_csv

pytestmark = pytest.mark.django_db

ZIP_URL = "/data/downloads/cop_kb-csv.zip"


@pytest.fixture(autouse=True)
def downloads_dir(settings, tmp_path):
    settings.DOWNLOADS_DIR = tmp_path / "downloads"
    return settings.DOWNLOADS_DIR


@pytest.fixture
def builds_requested(monkeypatch) -> list[int]:
    """Each time a request asked for a build (``request_build``), a 1."""
    requested = []
    monkeypatch.setattr(cop_downloads, "request_build", lambda: requested.append(1))
    return requested


def build(*arguments: str) -> str:
    """``manage.py build_downloads``, as `make serve` and a request's build process run it; what it printed."""
    out = io.StringIO()
    call_command("build_downloads", *arguments, stdout=out)
    return out.getvalue()


def unzipped(response) -> dict[str, str]:
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_zip_holds_a_csv_per_record_type_links_and_a_readme(client):
    graph = make_linked_graph(2)
    build()
    response = client.get(ZIP_URL)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="cop_kb-csv.zip"'
    files = unzipped(response)
    assert set(files) == {f"{entry.slug}.csv" for entry in record_types()} | {"links.csv", "README.txt"}
    for entry in record_types():
        found = rows(files[f"{entry.slug}.csv"])
        assert sorted(row["slug"] for row in found) == sorted(record.slug for record in graph[entry.model])
        assert list(found[0]) == [column.name for column in record_columns(entry.model, "")]
        # The same file as the type's whole list exported with format=csv.
        assert found == read_csv(client.get(f"{entry.list_url()}?format=csv"))
    readme = files["README.txt"]
    assert "Licence" in readme and "How to cite" in readme
    assert f"content version {content_version()[0]}" in readme
    assert "instruments.csv          2 records" in readme


def test_links_csv_has_every_public_link_once_with_both_ends_named(client):
    crc = make(Instrument, slug="crc")
    opsc = make(Instrument, slug="opsc")
    draft = make(Instrument, slug="draft-treaty", status="draft")
    make_typed_link(InstrumentRelation, opsc, crc, "supplements")
    make_typed_link(InstrumentRelation, draft, crc, "refers_to")
    build()
    links = rows(unzipped(client.get(ZIP_URL))["links.csv"])
    assert list(links[0]) == ["source_type", "source_slug", "relation", "label", "target_type", "target_slug"]
    assert {
        "source_type": "instruments",
        "source_slug": "opsc",
        "relation": "supplements",
        "label": "Supplements",
        "target_type": "instruments",
        "target_slug": "crc",
    } in links
    assert not [link for link in links if "draft-treaty" in link.values()]
    assert len(links) == len({tuple(link.values()) for link in links})


def test_links_csv_counts_every_declared_and_typed_link_of_a_graph(client):
    graph = make_linked_graph(3)
    build()
    links = rows(unzipped(client.get(ZIP_URL))["links.csv"])
    declared = set()
    for entry in record_types():
        model = entry.model
        for record in graph[model]:
            for model_field in (*model._meta.fields, *model._meta.many_to_many):
                if hasattr(model_field, "inverse_label"):
                    targets = getattr(record, model_field.name)
                    for target in targets.all() if model_field.many_to_many else [targets] if targets else []:
                        declared.add((entry.slug, record.slug, model_field.name, target.slug))
    typed = {(link["source_type"], link["source_slug"], link["relation"], link["target_slug"]) for link in links}
    assert declared <= typed
    typed_rows = sum(typed.objects.count() for typed in typed_link_models())
    assert len(links) == len(declared) + typed_rows


def test_the_zip_is_built_once_per_content_version_and_revalidated_with_its_etag(client, downloads_dir):
    make_linked_graph(1)
    build()
    first = client.get(ZIP_URL)
    first_files = unzipped(first)
    assert first["Cache-Control"] == "no-cache"
    assert first["X-Content-Version"] == content_version()[0] and first["X-Content-Current"] == "yes"
    etag = first["ETag"]
    (kept,) = downloads_dir.glob("cop_kb-csv.*.zip")
    assert build() == "", "an unchanged content is not built again"
    with CaptureQueriesContext(connection) as queries:
        again = client.get(ZIP_URL)
        assert unzipped(again) == first_files
    assert len(queries) <= 2, "a download is the kept file, not a build"
    assert again["ETag"] == etag
    not_modified = client.get(ZIP_URL, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == etag
    assert list(downloads_dir.glob("cop_kb-csv.*.zip")) == [kept]


def test_after_a_withdrawal_the_older_file_is_served_saying_so_until_the_next_build(
    client, downloads_dir, django_user_model, builds_requested
):
    graph = make_linked_graph(2)
    build()
    before = client.get(ZIP_URL)
    etag, version = before["ETag"], before["X-Content-Version"]
    assert len(rows(unzipped(before)["instruments.csv"])) == 2
    assert builds_requested == []
    publisher = django_user_model.objects.create_superuser("publisher", "p@example.org", "x")
    withdrawn = graph[Instrument][0]
    record_transition(record=withdrawn, action="withdraw", user=publisher)
    # The request serves the file it has, says it describes an earlier version, and asks for a build.
    stale = client.get(ZIP_URL)
    assert stale["X-Content-Version"] == version != content_version()[0]
    assert stale["X-Content-Current"] == "no" and stale["ETag"] == etag
    assert len(rows(unzipped(stale)["instruments.csv"])) == 2
    assert builds_requested == [1]
    build()
    after_response = client.get(ZIP_URL, HTTP_IF_NONE_MATCH=etag)
    assert after_response.status_code == 200 and after_response["X-Content-Current"] == "yes"
    after = unzipped(after_response)
    assert [row["slug"] for row in rows(after["instruments.csv"])] == [graph[Instrument][1].slug]
    assert withdrawn.slug not in after["links.csv"]
    assert len(list(downloads_dir.glob("cop_kb-csv.*.zip"))) == 1, "the file of the older version is deleted"


def test_before_the_first_build_the_download_is_a_503_with_retry_after_and_asks_for_a_build(
    client, downloads_dir, builds_requested
):
    make_linked_graph(1)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ZIP_URL)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "being prepared" in response.content.decode()
    assert builds_requested == [1]
    assert len(queries) <= 2, "nothing is built inside the request"
    assert not list(downloads_dir.glob("cop_kb-csv.*"))
    assert client.head(ZIP_URL).status_code == 503


def test_a_request_starts_the_build_command_in_a_process_of_its_own_once(client, settings, monkeypatch):
    """What ``request_build`` starts: this project's ``manage.py build_downloads`` with the same settings, detached;
    while it runs, or soon after it started, no other."""
    settings.DOWNLOADS_BUILD_ON_REQUEST = True
    started = []

    class Running:
        pid = 4242

        def __init__(self, command, **options):
            started.append((command, options))

        def poll(self):
            return None

        def wait(self):
            return 0

    monkeypatch.setattr(cop_downloads.subprocess, "Popen", Running)
    monkeypatch.setitem(cop_downloads._started, "process", None)
    monkeypatch.setitem(cop_downloads._started, "at", -cop_downloads.RETRY_SECONDS)
    make_linked_graph(1)
    assert client.get(ZIP_URL).status_code == 503
    assert client.get("/data/downloads/cop_kb.jsonld").status_code == 503
    ((command, options),) = started
    assert command[1:] == [str(Path(settings.BASE_DIR) / "manage.py"), "build_downloads"]
    assert options["env"]["DJANGO_SETTINGS_MODULE"] == settings.SETTINGS_MODULE
    assert options["start_new_session"] is True


def test_the_command_builds_nothing_while_another_build_holds_the_lock(downloads_dir):
    make_linked_graph(1)
    with cop_downloads.build_lock(wait=False) as held:
        assert held
        assert "Another build" in build()
    assert not list(downloads_dir.glob("cop_kb-*"))
    built = build("--wait")
    assert "csv-zip" in built and "jsonld" in built


def test_the_zip_answers_get_and_head_only(client):
    build()
    assert client.post(ZIP_URL).status_code == 405
    assert client.head(ZIP_URL).status_code == 200


def test_a_build_that_fails_leaves_no_file_behind_and_the_next_one_cleans_up(downloads_dir, monkeypatch):
    make_linked_graph(1)

    def failing(file, site, changed_at, token):
        file.write(b"half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(downloads, "write_zip", failing)
    with pytest.raises(OSError, match="disk full"):
        build()
    assert [path.name for path in downloads_dir.iterdir()] == [cop_downloads.LOCK_NAME]
    (downloads_dir / ".building-left-by-a-killed-build.zip").write_bytes(b"half")
    monkeypatch.undo()
    assert "csv-zip" in build()
    assert not list(downloads_dir.glob(".building-*"))
