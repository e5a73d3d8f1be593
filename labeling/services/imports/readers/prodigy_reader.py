"""Prodigy JSONL exports (``prodigy db-out``): one annotated task per line.

- Binary tasks (a ``label`` key): ``answer: accept`` gives that label. ``reject`` gives the
  other class in a binary project; in a multiclass or multilabel project "not this label" says
  nothing Tandem can store as a label, so it is counted as skipped. ``ignore`` is skipped.
- Choice tasks (``options`` and ``accept``): ``answer: accept`` gives the text of every
  accepted option (by option id); ``reject``/``ignore`` are skipped.
- A task without a label, options or answer is imported as an unlabeled item.
- The person: ``_annotator_id`` (else ``_session_id``) as ``prodigy-`` + 10 hex of SHA-256.
  Lines of the same input (``_input_hash``) by other people add their annotations.
- A file mixing binary and choice tasks: the first labeled line sets the kind; lines of the
  other kind are reported as row errors (their meaning differs: one is a yes/no question about
  one label, the other a choice among many).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from labeling.services.imports.readers.jsonl_reader import json_line_objects
from labeling.services.imports.readers.lines import LineReader
from labeling.services.imports.readers.rows import (
    ParsedRow,
    clean_text,
    pseudonym,
)

ANSWERS = ("accept", "reject", "ignore")
# Prodigy's own keys: never an item's metadata.
_PRODIGY_KEYS = {
    "text", "label", "options", "accept", "answer", "meta", "spans", "tokens", "html",
    "image", "audio", "video", "relations", "config",
}  # fmt: skip


def is_prodigy_line(obj: Any) -> bool:
    """Whether a JSON Lines object looks like a Prodigy task (answer or task hash)."""
    return isinstance(obj, dict) and ("answer" in obj or "_task_hash" in obj)


class ProdigyReader:
    def __init__(
        self,
        fh: IO[bytes],
        *,
        max_chars: int,
        max_depth: int = 32,
        binary_classes: list[str] | None = None,
    ):
        self._lines = LineReader(fh)
        self._max_chars = max_chars
        self._max_depth = max_depth
        # A binary project's two classes: a rejected label is the other one.
        self._binary = binary_classes if binary_classes and len(binary_classes) == 2 else None
        self._kind: tuple[str, int] | None = None

    @property
    def bytes_read(self) -> int:
        return self._lines.bytes_read

    def __iter__(self) -> Iterator[ParsedRow]:
        for entry in json_line_objects(self._lines, max_depth=self._max_depth):
            yield entry if isinstance(entry, ParsedRow) else self._row(*entry)

    def _row(self, line: int, obj: dict[str, Any]) -> ParsedRow:
        if "text" not in obj:
            return ParsedRow(
                line=line, error="no text (Prodigy image and audio tasks are not imported)"
            )
        text, error = clean_text(obj["text"], max_chars=self._max_chars)
        if error:
            return ParsedRow(line=line, error=error)
        row = ParsedRow(line=line, text=text, skipped=[])
        input_hash = obj.get("_input_hash")
        if isinstance(input_hash, int | str) and not isinstance(input_hash, bool):
            row.external_id = f"prodigy:{input_hash}"
        meta = obj.get("meta")
        if isinstance(meta, dict):
            row.metadata.update(meta)
        for key, value in obj.items():
            if key not in _PRODIGY_KEYS and not key.startswith("_"):
                row.metadata[key] = value
        answer = obj.get("answer")
        if answer is None:
            row.skipped.append("task without answer")
            return row
        if answer not in ANSWERS:
            return ParsedRow(
                line=line, error=f"answer {str(answer)[:40]!r} is not accept, reject or ignore"
            )
        kind = "choice" if "options" in obj else "binary" if "label" in obj else None
        if kind is None:
            row.skipped.append(f"answer {answer} on a task without label or options")
            return row
        if self._kind is None:
            self._kind = (kind, line)
        elif self._kind[0] != kind:
            return ParsedRow(
                line=line,
                error=f"a {kind} task in a file of {self._kind[0]} tasks (line {self._kind[1]}): "
                "import each kind from its own file",
            )
        if answer == "ignore":
            row.skipped.append("ignored")
            return row
        person = obj.get("_annotator_id") or obj.get("_session_id") or ""
        annotator = pseudonym("prodigy", person) if person else ""
        labels = self._labels(line, obj, kind, answer, row)
        if isinstance(labels, str):
            return ParsedRow(line=line, error=labels)
        if labels:
            row.annotations = [(annotator, labels)]
        return row

    def _labels(
        self, line: int, obj: dict[str, Any], kind: str, answer: str, row: ParsedRow
    ) -> list[str] | str:
        """The labels of an answered task, or an error message."""
        if kind == "binary":
            label = obj["label"]
            if not isinstance(label, str) or not label.strip():
                return "label is not a non-empty string"
            label = label.strip()
            if answer == "accept":
                return [label]
            if self._binary is not None and label in self._binary:
                return [next(name for name in self._binary if name != label)]
            if self._binary is not None:
                return f"unknown label {label!r}"
            row.skipped.append("rejected label (not this label)")
            return []
        options = obj["options"]
        if not isinstance(options, list) or not all(
            isinstance(o, dict) and "id" in o and isinstance(o.get("text"), str) for o in options
        ):
            return "options is not a list of {id, text} objects"
        if answer == "reject":
            row.skipped.append("rejected choice task")
            return []
        accepted = obj.get("accept")
        if not isinstance(accepted, list) or not all(
            isinstance(a, int | str) and not isinstance(a, bool) for a in accepted
        ):
            return "accept is not a list of option ids"
        texts = {str(o["id"]): o["text"].strip() for o in options}
        missing = [a for a in accepted if str(a) not in texts]
        if missing:
            return f"accepted id {missing[0]!r} is not among the options"
        labels = [texts[str(a)] for a in accepted if texts[str(a)]]
        if not labels:
            row.skipped.append("accepted choice task with nothing chosen")
        return list(dict.fromkeys(labels))
