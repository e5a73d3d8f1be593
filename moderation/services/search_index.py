"""The full-text index of content: written at intake, in the intake's transaction.

PostgreSQL keeps the words in ``Content.search_document`` (a ``tsvector`` under a GIN index)
with the ``simple`` configuration: lowercased words, no stemming and no stop words. Content
comes in many languages and the language a platform sends is optional, so one configuration
for all keeps a search for a word finding that word in every language (an investigator looks
for exact phrases, names, URLs and codes more than for word families). SQLite (the embedded
default) keeps them in the FTS5 table ``moderation_content_fts`` (rowid = content id,
``unicode61`` tokenizer with diacritics removed), made by the same migration.

Text beyond ``INDEXED_CHARS`` characters is not indexed (a ``tsvector`` holds at most 1 MB).
"""

from collections.abc import Collection

from django.db import connection

INDEXED_CHARS = 100_000

_PG_WRITE = (
    "UPDATE moderation_content c SET search_document = "
    "to_tsvector('simple'::regconfig, left(coalesce(i.text, ''), %s)) "
    "FROM labeling_item i WHERE i.id = c.item_id AND c.id = ANY(%s)"
)
_SQLITE_WRITE = (
    "INSERT OR REPLACE INTO moderation_content_fts (rowid, body) "
    "SELECT c.id, substr(coalesce(i.text, ''), 1, %s) FROM moderation_content c "
    "JOIN labeling_item i ON i.id = c.item_id WHERE c.id IN ({})"
)
_SQLITE_BATCH = 500  # SQLite's limit on parameters per statement is 999 on older builds


def content_search_index(*, content_ids: Collection[int]) -> None:
    """Write (or rewrite) the search words of these contents from their items' text: one
    statement per batch. Callers: intake (``intake_store``), and whatever stores content
    another way (fixtures, benchmarks)."""
    ids = sorted({int(pk) for pk in content_ids})
    if not ids:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_WRITE, [INDEXED_CHARS, ids])
            return
        if connection.vendor != "sqlite":
            return
        for start in range(0, len(ids), _SQLITE_BATCH):
            batch = ids[start : start + _SQLITE_BATCH]
            cursor.execute(
                _SQLITE_WRITE.format(", ".join(["%s"] * len(batch))), [INDEXED_CHARS, *batch]
            )
