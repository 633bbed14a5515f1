"""Drop the whole-title trigram structures: "Did you mean" no longer reads them.

Suggestions now take their candidates from the full-text index (titles with words starting like the typed ones,
``search.backends.base.suggestion_prefixes``) and score those few with trigram word similarity: pg_trgm's
``word_similarity()`` on PostgreSQL, its Python equivalent on SQLite. Matching trigrams against every title cost
100 ms and more at 100,000 documents, and keeping the trigram indexes current slowed every write and each rebuild.
"""

from django.db import migrations

FTS_ROW = "new.id, new.title, new.aliases, new.summary, new.tags, new.body"
FTS_OLD_ROW = "old.id, old.title, old.aliases, old.summary, old.tags, old.body"
FTS_COLUMNS = "rowid, title, aliases, summary, tags, body"


def _sqlite_triggers(with_trigram: bool) -> list[str]:
    trigram_insert = (
        "INSERT INTO search_trigram(rowid, title, aliases) VALUES (new.id, new.title, new.aliases);"
        if with_trigram
        else ""
    )
    trigram_delete = (
        "INSERT INTO search_trigram(search_trigram, rowid, title, aliases)"
        " VALUES ('delete', old.id, old.title, old.aliases);"
        if with_trigram
        else ""
    )
    fts_insert = f"INSERT INTO search_fts({FTS_COLUMNS}) VALUES ({FTS_ROW});"
    fts_delete = f"INSERT INTO search_fts(search_fts, {FTS_COLUMNS}) VALUES ('delete', {FTS_OLD_ROW});"
    return [
        "DROP TRIGGER IF EXISTS search_document_ai",
        "DROP TRIGGER IF EXISTS search_document_ad",
        "DROP TRIGGER IF EXISTS search_document_au",
        f"CREATE TRIGGER search_document_ai AFTER INSERT ON search_searchdocument BEGIN"
        f" {fts_insert} {trigram_insert} END",
        f"CREATE TRIGGER search_document_ad AFTER DELETE ON search_searchdocument BEGIN"
        f" {fts_delete} {trigram_delete} END",
        f"CREATE TRIGGER search_document_au AFTER UPDATE ON search_searchdocument BEGIN"
        f" {fts_delete} {trigram_delete} {fts_insert} {trigram_insert} END",
    ]


FORWARD = {
    "postgresql": [
        "DROP INDEX IF EXISTS search_document_title_trgm",
        "DROP INDEX IF EXISTS search_document_aliases_trgm",
    ],
    "sqlite": [*_sqlite_triggers(with_trigram=False), "DROP TABLE IF EXISTS search_trigram"],
}

BACKWARD = {
    "postgresql": [
        "CREATE INDEX search_document_title_trgm ON search_searchdocument USING gin (title gin_trgm_ops)",
        "CREATE INDEX search_document_aliases_trgm ON search_searchdocument USING gin (aliases gin_trgm_ops)",
    ],
    "sqlite": [
        "CREATE VIRTUAL TABLE search_trigram USING fts5(title, aliases, content='search_searchdocument',"
        " content_rowid='id', tokenize='trigram')",
        "INSERT INTO search_trigram(search_trigram) VALUES ('rebuild')",
        *_sqlite_triggers(with_trigram=True),
    ],
}


def forwards(apps, schema_editor):
    for statement in FORWARD[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    for statement in BACKWARD[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0007_sample_index")]

    operations = [migrations.RunPython(forwards, backwards)]
