"""The database-specific half of the index, created for whichever database the migration runs on.

PostgreSQL: the unaccent and pg_trgm extensions, a ``cop_english`` text search configuration (accents removed,
then English stemming), a generated, weighted ``search_vector`` column with a GIN index, and trigram indexes on
titles and aliases for suggestions.

SQLite: two FTS5 tables over search_searchdocument (external content, so the text is stored once): one with the
porter stemmer and diacritics removed for matching, one with the trigram tokenizer for suggestions; triggers keep
both in step with every insert, update and delete.

The vendor is checked when the migration runs, not when it is imported, so the recorded migration state is the
same everywhere. A later migration that rebuilds search_searchdocument on SQLite must re-create the triggers.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'cop_english') THEN
            CREATE TEXT SEARCH CONFIGURATION cop_english (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION cop_english
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        END IF;
    END $$
    """,
    """
    ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('cop_english'::regconfig, title || ' ' || aliases), 'A')
        || setweight(to_tsvector('cop_english'::regconfig, summary || ' ' || tags), 'B')
        || setweight(to_tsvector('cop_english'::regconfig, body), 'C')
    ) STORED
    """,
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (search_vector)",
    "CREATE INDEX search_document_title_trgm ON search_searchdocument USING gin (title gin_trgm_ops)",
    "CREATE INDEX search_document_aliases_trgm ON search_searchdocument USING gin (aliases gin_trgm_ops)",
]

POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_aliases_trgm",
    "DROP INDEX IF EXISTS search_document_title_trgm",
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS cop_english",
]

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, aliases, summary, tags, body,
        content='search_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE VIRTUAL TABLE search_trigram USING fts5(
        title, aliases, content='search_searchdocument', content_rowid='id', tokenize='trigram'
    )
    """,
    """
    CREATE TRIGGER search_document_ai AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, aliases, summary, tags, body)
            VALUES (new.id, new.title, new.aliases, new.summary, new.tags, new.body);
        INSERT INTO search_trigram(rowid, title, aliases) VALUES (new.id, new.title, new.aliases);
    END
    """,
    """
    CREATE TRIGGER search_document_ad AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, aliases, summary, tags, body)
            VALUES ('delete', old.id, old.title, old.aliases, old.summary, old.tags, old.body);
        INSERT INTO search_trigram(search_trigram, rowid, title, aliases)
            VALUES ('delete', old.id, old.title, old.aliases);
    END
    """,
    """
    CREATE TRIGGER search_document_au AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, aliases, summary, tags, body)
            VALUES ('delete', old.id, old.title, old.aliases, old.summary, old.tags, old.body);
        INSERT INTO search_trigram(search_trigram, rowid, title, aliases)
            VALUES ('delete', old.id, old.title, old.aliases);
        INSERT INTO search_fts(rowid, title, aliases, summary, tags, body)
            VALUES (new.id, new.title, new.aliases, new.summary, new.tags, new.body);
        INSERT INTO search_trigram(rowid, title, aliases) VALUES (new.id, new.title, new.aliases);
    END
    """,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TABLE IF EXISTS search_trigram",
    "DROP TABLE IF EXISTS search_fts",
]

STATEMENTS = {
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
}


def _run(schema_editor, forward: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"cop_kb search supports PostgreSQL and SQLite, not {vendor}")
    for statement in STATEMENTS[vendor][0 if forward else 1]:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    _run(schema_editor, forward=True)


def backwards(apps, schema_editor):
    _run(schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
