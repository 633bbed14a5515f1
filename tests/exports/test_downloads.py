"""The whole-data CSV zip: every public record and link, kept per content version, revalidated with its ETag."""

import csv
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cop_kb.exports import downloads
from cop_kb.exports.columns import record_columns
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


def unzipped(response) -> dict[str, str]:
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_zip_holds_a_csv_per_record_type_links_and_a_readme(client):
    graph = make_linked_graph(2)
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
    assert "instruments.csv          2 records" in readme


def test_links_csv_has_every_public_link_once_with_both_ends_named(client):
    crc = make(Instrument, slug="crc")
    opsc = make(Instrument, slug="opsc")
    draft = make(Instrument, slug="draft-treaty", status="draft")
    make_typed_link(InstrumentRelation, opsc, crc, "supplements")
    make_typed_link(InstrumentRelation, draft, crc, "refers_to")
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
    first = client.get(ZIP_URL)
    first_files = unzipped(first)
    assert first["Cache-Control"] == "no-cache"
    etag = first["ETag"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(ZIP_URL)
        assert unzipped(again) == first_files
    assert len(queries) <= 2, "an unchanged download is the kept file, not a new build"
    assert again["ETag"] == etag
    not_modified = client.get(ZIP_URL, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == etag
    assert len(list(downloads_dir.glob("cop_kb-csv-*.zip"))) == 1


def test_a_withdrawal_changes_the_next_download(client, downloads_dir, django_user_model):
    graph = make_linked_graph(2)
    before = client.get(ZIP_URL)
    etag = before["ETag"]
    assert len(rows(unzipped(before)["instruments.csv"])) == 2
    publisher = django_user_model.objects.create_superuser("publisher", "p@example.org", "x")
    withdrawn = graph[Instrument][0]
    record_transition(record=withdrawn, action="withdraw", user=publisher)
    assert client.get(ZIP_URL, HTTP_IF_NONE_MATCH=etag).status_code == 200
    after = unzipped(client.get(ZIP_URL))
    assert [row["slug"] for row in rows(after["instruments.csv"])] == [graph[Instrument][1].slug]
    assert withdrawn.slug not in after["links.csv"]
    assert len(list(downloads_dir.glob("cop_kb-csv-*.zip"))) == 1, "the file of the older version is deleted"


def test_a_change_while_the_zip_is_built_is_sent_but_not_kept(client, downloads_dir, monkeypatch):
    make_linked_graph(1)
    write_zip = downloads.write_zip

    def write_while_content_changes(file, site, changed_at):
        write_zip(file, site, changed_at)
        make(Instrument, slug="published-meanwhile")

    monkeypatch.setattr(downloads, "write_zip", write_while_content_changes)
    files = unzipped(client.get(ZIP_URL))
    assert "published-meanwhile" not in files["instruments.csv"]
    assert not list(downloads_dir.glob("*"))
    monkeypatch.setattr(downloads, "write_zip", write_zip)
    assert "published-meanwhile" in unzipped(client.get(ZIP_URL))["instruments.csv"]


def test_the_zip_answers_get_and_head_only(client):
    assert client.post(ZIP_URL).status_code == 405
    assert client.head(ZIP_URL).status_code == 200


def test_a_build_that_fails_leaves_no_file_behind(client, downloads_dir, monkeypatch):
    def failing(file, site, changed_at):
        file.write(b"half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(downloads, "write_zip", failing)
    with pytest.raises(OSError, match="disk full"):
        client.get(ZIP_URL)
    assert not list(downloads_dir.glob("*")) and not list(downloads_dir.glob(".*"))
