"""Nothing unpublished in any export: drafts, records in review, withdrawn records and changes waiting for review
never appear in a list's CSV, a search's CSV or the whole-data zip, not even as a link."""

import io
import zipfile

import pytest
from django.core.management import call_command

from cop_kb.records.models import Status
from cop_kb.records.pending import pending_change_save
from cop_kb.records.snapshots import snapshot_of

from ..factories import make_linked_graph, record_models

pytestmark = pytest.mark.django_db

RECORD_MODELS = record_models()
HIDDEN = (Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN)


@pytest.fixture
def hidden(settings, tmp_path, django_user_model):
    """A linked graph of every type in every hidden state, named "zebra<status>", plus published records whose
    changes waiting for review say "zebrapending"; and a published graph to find it all through."""
    settings.DOWNLOADS_DIR = tmp_path
    published = make_linked_graph(2)
    for status in HIDDEN:
        graph = make_linked_graph(2, status=status)
        for model, records in graph.items():
            model.objects.filter(pk__in=[record.pk for record in records]).update(
                title=f"zebra{status} {model.__name__}", summary=f"zebra{status} summary"
            )
            # Linked from published records too, so a link column or links.csv would show them.
            for many in model._meta.related_objects:
                if many.many_to_many and many.related_model in published:
                    getattr(published[many.related_model][0], many.field.name).add(records[0])
    editor = django_user_model.objects.create_user("editor")
    for model in RECORD_MODELS:
        record = published[model][1]
        record.title = "zebrapending title"
        record.summary = "zebrapending summary"
        pending_change_save(record=record, snapshot=snapshot_of(record), user=editor)
    return published


def exported_texts(client) -> dict[str, str]:
    texts = {}
    for model in RECORD_MODELS:
        for url in (model.get_list_url(), f"{model.get_list_url()}?sort=-updated"):
            texts[url] = b"".join(client.get(f"{url}{'&' if '?' in url else '?'}format=csv").streaming_content).decode()
    for words in ("zebradraft", "zebrain_review", "zebrawithdrawn", "zebrapending", "summary", "zebra*"):
        response = client.get("/search/", {"q": words, "format": "csv"})
        texts[f"search {words}"] = b"".join(response.streaming_content).decode()
    call_command("build_downloads", stdout=io.StringIO())
    data = b"".join(client.get("/data/downloads/cop_kb-csv.zip").streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        texts |= {f"zip {name}": archive.read(name).decode() for name in archive.namelist()}
    return texts


def test_no_hidden_record_or_pending_change_in_any_export(client, hidden):
    texts = exported_texts(client)
    assert len(texts) > 2 * len(RECORD_MODELS) + len(RECORD_MODELS)
    leaks = sorted(f"{where}: {word}" for where, text in texts.items() for word in ("zebra",) if word in text)
    assert not leaks, "\n".join(leaks[:30])
    hidden_slugs = {record.slug for model in RECORD_MODELS for record in model.objects.exclude(status=Status.PUBLISHED)}
    assert len(hidden_slugs) == 2 * len(HIDDEN) * len(RECORD_MODELS)
    named = sorted(
        f"{where}: {slug}"
        for where, text in texts.items()
        for slug in hidden_slugs
        if any(slug in cell.split("|") for line in text.splitlines() for cell in line.split(","))
    )
    assert not named, "\n".join(named[:30])


def test_the_published_versions_are_exported_while_changes_wait(client, hidden):
    texts = exported_texts(client)
    for model in RECORD_MODELS:
        published = hidden[model][1]
        assert published.slug in texts[model.get_list_url()]
        assert model.objects.get(pk=published.pk).title in texts[model.get_list_url()]
