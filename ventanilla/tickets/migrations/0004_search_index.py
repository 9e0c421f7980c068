"""The keyword search index (docs/search.md): on PostgreSQL the `ventanilla_es` text search
configuration (Spanish stemming after unaccent) and the side table of tsvectors with its GIN
index; on SQLite an FTS5 table. Other databases get nothing (search falls back to no index)."""

from django.db import migrations

POSTGRESQL = (
    # unaccent is a trusted extension (PostgreSQL 13+): the database owner may create it. Where
    # the application's role may not, a superuser runs this statement once beforehand.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION ventanilla_es (COPY = pg_catalog.spanish)",
    "ALTER TEXT SEARCH CONFIGURATION ventanilla_es "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem",
    # No foreign key on purpose: Django's flush truncates its own tables, and the rows of a
    # deleted case are harmless (queries go through the tickets) until search_rebuild drops them.
    "CREATE TABLE tickets_ticketsearch (ticket_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX tickets_ticketsearch_document_gin ON tickets_ticketsearch USING gin (document)",
)
POSTGRESQL_REVERSE = (
    "DROP TABLE IF EXISTS tickets_ticketsearch",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS ventanilla_es",
)
SQLITE = (
    "CREATE VIRTUAL TABLE tickets_ticketsearch_fts USING fts5("
    "visible, internal, tokenize = 'unicode61 remove_diacritics 2')",
)
SQLITE_REVERSE = ("DROP TABLE IF EXISTS tickets_ticketsearch_fts",)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, ()):
        schema_editor.execute(sql)
    if vendor in ("postgresql", "sqlite"):
        # Index the cases that already exist (nothing to do on a new database).
        from ventanilla.tickets.search import search_rebuild

        search_rebuild()


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}.get(vendor, ()):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0003_console_links_presence_event_kinds"),
    ]

    operations = [migrations.RunPython(create, drop)]
