"""What every import reader yields (``ParsedRow``), the file-level error they raise, and the
clean-up of cells and values they share.

Each reader yields ``ParsedRow`` objects one at a time and keeps ``bytes_read`` current, so the
caller can report progress and memory stays flat whatever the file size.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any

# Column (or JSON key) names the readers recognise (case-insensitively), the first found wins.
TEXT_COLUMNS = ("text", "content", "body", "message", "sms", "tweet", "sentence", "document")
LABEL_COLUMNS = ("label", "labels")
ID_COLUMNS = ("external_id", "id", "item_id", "uid")
# Between the labels of a multilabel row in one cell or string.
MULTILABEL_SEPARATOR = "|"


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong encoding, no text column, not a zip…)."""


@dataclass(slots=True)
class ParsedRow:
    line: int
    external_id: str | None = None
    text: str | None = None
    labels: list[str] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    image_bytes: bytes | None = None
    # The zip folder an image sits in: its label when a label class has that name.
    folder: str | None = None
    error: str | None = None
    # Labels of several people from another tool: (pseudonymous import annotator, labels),
    # one imported annotation each. ``labels`` is the one label set of files without people.
    annotations: list[tuple[str, list[str]]] | None = None
    # The split the file gives the item (train/dev/test); None: the stable split by id.
    split: str | None = None
    # Another tool's proposal: (label, confidence or None, that tool's model version name).
    prediction: tuple[str, float | None, str] | None = None
    # What was in the row but is not imported, by reason ("cancelled annotation", …): counted
    # in the job's ``skipped``; the row itself is imported.
    skipped: list[str] = field(default_factory=list)
    # Parts of the row Tandem cannot map (another tool's span or text results…): reported on
    # the row's line in the job's errors while the rest of the row is imported.
    unmapped: str | None = None


SPLIT_NAMES = {
    "train": "train",
    "training": "train",
    "dev": "dev",
    "validation": "dev",
    "valid": "dev",
    "val": "dev",
    "test": "test",
    "testing": "test",
}


def parse_split(value: Any) -> tuple[str | None, str | None]:
    """(split, error) from a file's split value; ``validation`` is Tandem's ``dev``."""
    if value is None or value == "":
        return None, None
    if not isinstance(value, str) or value.strip().lower() not in SPLIT_NAMES:
        shown = value if isinstance(value, str) else type(value).__name__
        return None, f"split {str(shown)[:40]!r} is not train, dev (validation) or test"
    return SPLIT_NAMES[value.strip().lower()], None


def pseudonym(prefix: str, person: Any) -> str:
    """A stable pseudonym for a person of another tool: the same id always gives the same
    name, and the id itself (often an email) is not stored."""
    return _pseudonym(prefix, str(person))


@functools.lru_cache(maxsize=4096)  # a file has few people and many rows
def _pseudonym(prefix: str, person: str) -> str:
    digest = hashlib.sha256(person.encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:10]}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_text(value: Any, *, max_chars: int) -> tuple[str | None, str | None]:
    """Return (text, error). Text keeps its inner whitespace; NUL characters are dropped."""
    if value is None:
        return None, "no text"
    if not isinstance(value, str):
        value = str(value)
    value = value.replace("\x00", "")
    if not value.strip():
        return None, "empty text"
    if len(value) > max_chars:
        return None, f"text is {len(value):,} characters; the limit is {max_chars:,}"
    return value, None


def without_nul(value: Any) -> Any:
    """The value with NUL characters dropped from every string in it.

    PostgreSQL text and jsonb cannot store NUL, so one stray NUL would fail a whole batch.
    """
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    return value


def split_labels(value: Any) -> list[str] | None:
    """Labels from a cell or JSON value: a list, or a string with ``|`` between labels."""
    if value is None:
        return None
    if isinstance(value, str) and MULTILABEL_SEPARATOR not in value:
        value = value.strip()
        return [value] if value else None
    if isinstance(value, list):
        labels = [str(v).strip() for v in value]
    else:
        labels = [part.strip() for part in str(value).split(MULTILABEL_SEPARATOR)]
    labels = [label for label in labels if label]
    return labels or None
