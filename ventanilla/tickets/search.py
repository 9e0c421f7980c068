# ruff: noqa: S608, S611 - SQL is built from module constants only; typed text is a parameter.
"""Keyword search over cases: one module, two engines (docs/search.md).

What is indexed, per case: its number (and the number's sequence part, so "4041" finds
C/2026/4041), subject, description, the text of its public messages, and the text of its internal
notes. ONE document per case, with the internal notes kept apart inside it:

- PostgreSQL: a `tsvector` in the side table `tickets_ticketsearch` (GIN index), built with the
  text search configuration `ventanilla_es` (Spanish stemming after `unaccent`). Weights mark where
  a word came from: A number and subject, B description, C public messages, D internal notes.
  Customers' queries are restricted to weights A, B, C, so a word written only in an internal note
  never matches for them.
- SQLite: the FTS5 table `tickets_ticketsearch_fts` (tokenizer `unicode61 remove_diacritics 2`)
  with two columns, `visible` (number, subject, description, public messages) and `internal`
  (internal notes); customers' queries carry the column filter `visible :`. Accents are folded
  and words are stemmed (Snowball Spanish) in Python, the same way for documents and queries.

The services call `search_index_ticket(ticket_id)` after every change of indexed text (opening,
messages, merge, split); `search_rebuild()` rebuilds every document set-based (bulk imports, the
bench seeder, upgrades). Queries go through `search_q`/`search_tickets`, always applied on top of
`tickets_visible_to`: the index narrows, it never widens what someone may see.
"""

import functools
import re
import unicodedata

from django.db import connection, transaction
from django.db.models import BigIntegerField, BooleanField, F, Func, Q
from django.db.models.expressions import Expression, RawSQL
from django.db.models.lookups import In

CONFIG = "ventanilla_es"
PG_TABLE = "tickets_ticketsearch"
PG_INDEX = "tickets_ticketsearch_document_gin"
FTS_TABLE = "tickets_ticketsearch_fts"
TICKET_TABLE = "tickets_ticket"
MESSAGE_TABLE = "tickets_message"
# Each part of a document is capped (characters): a tsvector holds at most 1 MB, and a huge
# email pasted into a case must not make replying to it fail.
PART_CAP = 60_000
QUERY_CAP = 200
MIN_PREFIX = 3  # a shorter last word is matched whole (a 1-2 letter prefix matches half the index)
NUMBER_RE = re.compile(r"^([A-Za-z]{1,4})/(\d{4})/(\d{1,9})$")
_WORD_RE = re.compile(r"[^\W_]+")
# Words too common to narrow anything; dropped from SQLite queries (PostgreSQL's `spanish`
# configuration drops its own stop words from documents and queries alike).
STOP_WORDS = frozenset(
    {"a", "al", "con", "de", "del", "e", "el", "en", "es", "la", "las", "lo", "los", "o", "para"}
    | {"por", "que", "se", "sin", "su", "sus", "un", "una", "unas", "unos", "y"}
)

# ---- PostgreSQL (objects created by migration tickets 0004_search_index) ----------------------

_PG_DOCUMENT = f"""
    setweight(to_tsvector('{CONFIG}', t.number || ' ' || split_part(t.number, '/', 3)
                                      || ' ' || t.subject), 'A')
    || setweight(to_tsvector('{CONFIG}', left(t.description, {PART_CAP})), 'B')
    || setweight(to_tsvector('{CONFIG}', left(coalesce(m.public_text, ''), {PART_CAP})), 'C')
    || setweight(to_tsvector('{CONFIG}', left(coalesce(m.internal_text, ''), {PART_CAP})), 'D')
"""
_PG_MESSAGES = f"""
    SELECT ticket_id,
           string_agg(body_text, ' ' ORDER BY id) FILTER (WHERE kind = 'public') AS public_text,
           string_agg(body_text, ' ' ORDER BY id) FILTER (WHERE kind = 'internal') AS internal_text
    FROM {MESSAGE_TABLE} WHERE {{where}} GROUP BY ticket_id
"""
_PG_UPSERT = f"""
    INSERT INTO {PG_TABLE} (ticket_id, document)
    SELECT t.id, {_PG_DOCUMENT}
    FROM {TICKET_TABLE} t LEFT JOIN ({_PG_MESSAGES}) m ON m.ticket_id = t.id
    WHERE {{where_t}}
    ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document
"""
# Customers: every lexeme of the query restricted to weights A, B, C (never internal notes).
_PG_LEXEME = r"('(?:[^']|'')*')(?::(\*))?"
_PG_PUBLIC_WEIGHTS = r"\1:\2ABC"


def _pg_query_sql(text, internal):
    """(sql, params) of the tsquery for `text`: every word AND-ed, the last one as a prefix."""
    head, last = _split_last_word(text)
    parts, params = [], []
    if head:
        parts.append(f"plainto_tsquery('{CONFIG}', %s)")
        params.append(head)
    if last:
        parts.append(f"to_tsquery('{CONFIG}', %s)")
        params.append(f"{last}:*")
    sql = " && ".join(parts)
    if not internal:
        sql = f"regexp_replace(({sql})::text, %s, %s, 'g')::tsquery"
        params += [_PG_LEXEME, _PG_PUBLIC_WEIGHTS]
    return sql, params


PG_SPARSE = 10_000  # estimated matches below which the GIN list is cheaper than an index walk
PG_SAMPLE_PAGES = 60  # pages of the index table read to estimate how many cases a query matches
_PG_SAMPLE = f"""
    WITH sample AS (
        SELECT least(100, 100.0 * {PG_SAMPLE_PAGES} / greatest(1, pg_relation_size('{PG_TABLE}')
                                              / current_setting('block_size')::int)) AS percent
    )
    SELECT (SELECT percent FROM sample), count(*) FILTER (WHERE document @@ ({{tsquery}}))
    FROM {PG_TABLE} TABLESAMPLE SYSTEM ((SELECT percent FROM sample)) REPEATABLE (0)
"""


def _pg_estimate(tsquery, params):
    """How many cases match, from a fixed sample of the index table (about PG_SAMPLE_PAGES
    pages, the same ones every time for the same table; a whole small table): under 1 ms at 1M.

    Not the planner's estimate: it multiplies the selectivities of a query's words, and words
    go together or apart ("copia de seguridad": 13,000 estimated, 78,000 real; "factura
    impresora": 22,000 estimated, none real), which made the slowest searches (docs/search.md).
    Not cached, so that a page costs the same queries every time; only the plan depends on it."""
    with connection.cursor() as cursor:
        cursor.execute(_PG_SAMPLE.format(tsquery=tsquery), list(params))
        percent, hits = cursor.fetchone()
    return hits * 100 / float(percent)


class _PgDocumentMatches(Expression):
    """Dense: `(SELECT document @@ <tsquery> FROM tickets_ticketsearch WHERE ticket_id = pk)`,
    a per-row subplan, for pages and counts alike. Sparse: `pk = ANY(ARRAY(SELECT ticket_id …
    WHERE document @@ …))`, an initplan. Neither adds a relation to the join search of the list
    query (cheap to plan).

    Dense counts probe case by case too (issue 7, round 4): the matches taken from the index
    table as a semi-join cost 1-4 ms for one word on the "all" queue but 20-45 ms once the queue
    filters on a status or an assignee, and up to 760 ms for words that go together; the probes
    stop at the count's cap after about cap / density cases: 6-22 ms in every case measured at
    1M (docs/search.md)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, tsquery, params, pk=None, sparse=False):
        super().__init__()
        self.tsquery, self.params, self.pk = tsquery, list(params), pk or F("pk")
        self.sparse = sparse

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs):
        (self.pk,) = exprs

    def as_sql(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.pk)
        if self.sparse:
            sql = f"SELECT ticket_id FROM {PG_TABLE} WHERE document @@ ({self.tsquery})"
            return f"{pk_sql} = ANY(ARRAY({sql}))", [*pk_params, *self.params]
        sql = f"(SELECT document @@ ({self.tsquery}) FROM {PG_TABLE} WHERE ticket_id = {pk_sql})"
        return sql, [*self.params, *pk_params]


def _split_last_word(text):
    """(the text before the last word, the last word when it can be a prefix, else '')."""
    head, _, last = text.rpartition(" ")
    if len(last) >= MIN_PREFIX and _WORD_RE.fullmatch(last):
        return head.strip(), last
    return text, ""


# ---- SQLite (FTS5, created by the same migration) ----------------------------------------


@functools.cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("spanish")


def fold(word):
    """Lower case without accents ("Configuración" -> "configuracion"; ñ -> n)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=200_000)
def stem(word):
    """The index form of one word: folded, then stemmed (Snowball Spanish)."""
    return _stemmer().stemWord(fold(word))


def index_text(text):
    """Text as the SQLite index stores it: every word folded and stemmed."""
    return " ".join(stem(word) for word in _WORD_RE.findall(text or ""))


def _fts_query(text, internal):
    """An FTS5 MATCH expression: each typed word a phrase of its stems, all AND-ed; the last
    word a prefix. None when nothing is left to search for."""
    chunks = text.split()
    phrases = []
    for position, chunk in enumerate(chunks):
        words = _WORD_RE.findall(chunk)
        if not words or (len(words) == 1 and fold(words[0]) in STOP_WORDS):
            continue
        phrase = '"' + " ".join(stem(word) for word in words) + '"'
        if position == len(chunks) - 1 and len(words[-1]) >= MIN_PREFIX:
            phrase += "*"
        phrases.append(phrase)
    if not phrases:
        return None
    expression = " AND ".join(phrases)
    return expression if internal else f"visible : ({expression})"


class _NotAnIndex(Func):
    """`+column`: SQLite then cannot drive the plan from this column's index (its own hint)."""

    template = "+%(expressions)s"
    output_field = BigIntegerField()


DENSE = 1000  # matches from which walking the list's index beats sorting every match (SQLite)


def _fts_is_dense(expression):
    """Whether `expression` matches at least DENSE cases: one bounded read of the index (not
    cached, so that a page costs the same queries every time). Only the plan depends on it."""
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s)"
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression, DENSE])
        return cursor.fetchone()[0] >= DENSE


def _fts_visible(number, subject, description, public):
    """The customer-visible text of a case's document (SQLite), before stemming."""
    return " ".join(
        (
            number,
            number.rsplit("/", 1)[-1],
            subject,
            (description or "")[:PART_CAP],
            (public or "")[:PART_CAP],
        )
    )


def _fts_rows(where, params):
    """(rowid, visible, internal) for the cases selected by `where` (over t)."""
    sql = f"""
        SELECT t.id, t.number, t.subject, t.description,
          (SELECT group_concat(body_text, ' ') FROM {MESSAGE_TABLE}
           WHERE ticket_id = t.id AND kind = 'public'),
          (SELECT group_concat(body_text, ' ') FROM {MESSAGE_TABLE}
           WHERE ticket_id = t.id AND kind = 'internal')
        FROM {TICKET_TABLE} t WHERE {where}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out = []
    for pk, number, subject, description, public, internal in rows:
        visible = _fts_visible(number, subject, description, public)
        out.append((pk, index_text(visible), index_text((internal or "")[:PART_CAP])))
    return out


# ---- the public interface -------------------------------------------------------------------


def search_q(text, *, internal=False):
    """A Q over tickets matching `text` (None when `text` is blank: no filter at all).

    A case number typed whole ("C/2026/123", any case) is looked up exactly. Otherwise every
    word must match (accents folded, Spanish stems), the last one also as a prefix.
    `internal=True` (staff only) also searches internal notes."""
    text = " ".join((text or "").split())[:QUERY_CAP]
    if not text:
        return None
    if match := NUMBER_RE.fullmatch(text):
        series, year, seq = match.groups()
        return Q(number=f"{series.upper()}/{year}/{seq}")
    if connection.vendor == "postgresql":
        tsquery, params = _pg_query_sql(text, internal)
        if _pg_estimate(tsquery, params) >= PG_SPARSE:
            # Many matches: walk the queue's own index and check each case's document (a
            # per-row subplan: nothing added to the join search, which costs more to plan
            # than the walk costs to run); a count walks the cases the same way, stopping at
            # its cap, whatever else the queue filters on.
            return Q(_PgDocumentMatches(tsquery, params))
        # Few matches: take them all from the GIN index first (an initplan), then fetch those
        # cases by id and sort. The planner would rather probe the documents one by one down
        # the queue's index, which it underprices for a few thousand matches among a million.
        return Q(_PgDocumentMatches(tsquery, params, sparse=True))
    if connection.vendor != "sqlite":  # no index on other databases: a plain scan
        return Q(subject__icontains=text) | Q(description__icontains=text)
    expression = _fts_query(text, internal)
    if expression is None:
        return Q(pk__in=[])
    matches = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression])
    if _fts_is_dense(expression):
        # Many matches: walk the queue's own index (newest activity first) and test each case
        # against the match list (built once), instead of joining and sorting every match.
        return Q(In(_NotAnIndex(F("pk")), matches))
    return Q(pk__in=matches)


def search_tickets(queryset, text, *, internal=False):
    """`queryset` (already narrowed by tickets_visible_to) filtered by the keyword search."""
    q = search_q(text, internal=internal)
    return queryset if q is None else queryset.filter(q)


def search_index_ticket(*ticket_ids):
    """(Re)build the documents of the given cases from their current rows: one statement on
    PostgreSQL, a read and a write per case on SQLite. Called by the services after each change
    of indexed text (opening, messages and notes, merge, split)."""
    ids = [int(pk) for pk in ticket_ids]
    if connection.vendor == "postgresql":
        sql = _PG_UPSERT.format(where="ticket_id = ANY(%s)", where_t="t.id = ANY(%s)")
        with connection.cursor() as cursor:
            cursor.execute(sql, [ids, ids])
        return
    if connection.vendor != "sqlite":
        return
    for pk in ids:
        rows = _fts_rows("t.id = %s", [pk])
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [pk])
            if rows:
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE} (rowid, visible, internal) VALUES (%s, %s, %s)", rows
                )


def search_index_new_ticket(ticket):
    """The document of a case just opened (`ticket_open`, same transaction): on SQLite it is
    built from the saved instance in memory (a new case has no messages or notes yet), one
    INSERT instead of read, delete and insert; `OR REPLACE` in case a row with a reused rowid
    was left behind. Same document as `search_index_ticket` (tested); PostgreSQL: its upsert."""
    if connection.vendor != "sqlite":
        search_index_ticket(ticket.pk)
        return
    visible = _fts_visible(ticket.number, ticket.subject, ticket.description, None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT OR REPLACE INTO {FTS_TABLE} (rowid, visible, internal) VALUES (%s, %s, %s)",
            [ticket.pk, index_text(visible), index_text("")],
        )


def search_rebuild(*, batch=20_000, progress=None):
    """Rebuild every case's document, set-based, in batches of `batch` ids (each batch its own
    transaction). `progress(done_ids, total_ids)` is called after each batch (`progress=True`
    prints a line on stderr instead). Returns the number
    of cases indexed. On PostgreSQL an empty index table is filled with the GIN index dropped
    and built once at the end (much faster than growing it row by row)."""
    if progress is True:  # a bare "show progress": one updating line on stderr
        progress = _progress_line
    elif not callable(progress):
        progress = None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id), count(*) FROM {TICKET_TABLE}")
        low, high, count = cursor.fetchone()
    if connection.vendor == "postgresql":
        _pg_rebuild(low, high, batch, progress)
    elif connection.vendor == "sqlite":
        _fts_rebuild(low, high, batch, progress)
    return count


def _progress_line(done, total):
    import sys

    end = "\n" if done >= total else ""
    print(f"\rsearch index: {done * 100 // max(total, 1)}%", end=end, file=sys.stderr, flush=True)


def _batches(low, high, batch):
    if low is None:
        return
    start = low
    while start <= high:
        yield start, min(start + batch - 1, high)
        start += batch


def _pg_rebuild(low, high, batch, progress):
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {PG_TABLE} s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {TICKET_TABLE} t WHERE t.id = s.ticket_id)"
        )
        cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {PG_TABLE})")
        fresh = cursor.fetchone()[0]
        if fresh:
            cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    try:
        for start, end in _batches(low, high, batch):
            sql = _PG_UPSERT.format(
                where="ticket_id BETWEEN %s AND %s", where_t="t.id BETWEEN %s AND %s"
            )
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [start, end, start, end])
            if progress:
                progress(end - low + 1, high - low + 1)
    finally:
        if fresh:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON {PG_TABLE} USING gin (document)"
                )
                cursor.execute("RESET maintenance_work_mem")
                cursor.execute(f"ANALYZE {PG_TABLE}")


def _fts_rebuild(low, high, batch, progress):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")
    for start, end in _batches(low, high, batch):
        rows = _fts_rows("t.id BETWEEN %s AND %s", [start, end])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, visible, internal) VALUES (%s, %s, %s)", rows
            )
        if progress:
            progress(end - low + 1, high - low + 1)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")
