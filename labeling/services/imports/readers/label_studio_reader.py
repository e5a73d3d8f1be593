"""Label Studio JSON exports: a JSON array of tasks, streamed task by task.

A task is ``{"id", "data": {...}, "annotations": [...], "predictions": [...]}``:

- text: ``data[text_column]``, else ``data["text"]``, else the one key of ``data``, else a
  usual text key; image projects: ``data["image"]`` (or the one key), resolved to a file in the
  zip uploaded with the export (never fetched from a URL);
- labels: ``choices`` results (``value.choices``) and ``taxonomy`` results (``value.taxonomy``,
  a list of paths: the leaf of each path is the label); one imported annotation per Label
  Studio annotation, its person a pseudonym ``ls-`` + 10 hex of SHA-256 of ``completed_by``;
- cancelled annotations (``was_cancelled``) and tasks without annotations are counted as
  skipped (the item is imported unlabeled);
- result types Tandem cannot map (``labels``, ``rectanglelabels``, ``textarea``…) are reported
  on the task, by control name and type, while its choices are imported;
- the last prediction with a choice becomes the item's proposal (score as confidence).

JSON-MIN exports (flat objects, no ``data``) are read too: the text from ``text_column`` or a
usual text key, the label from ``label_column`` (or ``label``/``labels``) as a string, a list or
``{"choices": [...]}``, the person from ``annotator``.

``line`` in the rows is the task's position in the array (1 = first task).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from core.limits import json_depth_exceeds
from labeling.services.imports.readers.json_array import JsonArrayReader
from labeling.services.imports.readers.rows import (
    ID_COLUMNS,
    LABEL_COLUMNS,
    TEXT_COLUMNS,
    ImportFileError,
    ParsedRow,
    clean_text,
    pseudonym,
    without_nul,
)

# Label Studio's result types Tandem maps onto label classes.
MAPPED_TYPES = ("choices", "taxonomy")

ImageResolver = Callable[[str], tuple[bytes | None, str | None]]


class _RowError(Exception):
    """A task that cannot be imported; the message is reported on its line."""


def _person(annotation: dict[str, Any]) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("id", who.get("email"))
    if who is None or who == "":
        return pseudonym("ls", "unknown")
    return pseudonym("ls", who)


def _result_labels(
    results: Any, *, owner: str, number: int, unmapped: dict[str, None]
) -> list[str]:
    """The labels of one annotation's (or prediction's: ``owner``) results; unmappable
    results are collected in ``unmapped`` as "name (type)". Runs for every annotation of a
    file: plain loops, and an error's message made only when there is one."""
    if not isinstance(results, list):
        raise _RowError(f"{owner} {number}: result is not a list")
    labels: list[str] = []
    for result in results:
        if not isinstance(result, dict):
            raise _RowError(f"{owner} {number}: a result is not an object")
        kind = result.get("type")
        if kind not in MAPPED_TYPES:
            name = result.get("from_name") or "?"
            unmapped[f"{str(name)[:60]} ({str(kind)[:30]})"] = None
            continue
        value = result.get("value")
        if not isinstance(value, dict):
            raise _RowError(f"{owner} {number}: {kind} result has no value object")
        if kind == "choices":
            choices = value.get("choices")
            if not isinstance(choices, list):
                raise _RowError(f"{owner} {number}: value.choices is not a list of strings")
            for choice in choices:
                if not isinstance(choice, str):
                    raise _RowError(f"{owner} {number}: value.choices is not a list of strings")
            for choice in choices:
                if stripped := choice.strip():
                    labels.append(stripped)
        else:
            paths = value.get("taxonomy")
            if not isinstance(paths, list) or not all(
                isinstance(path, list) and path and all(isinstance(p, str) for p in path)
                for path in paths
            ):
                raise _RowError(
                    f"{owner} {number}: value.taxonomy is not a list of paths of strings"
                )
            # The leaf names the class; the path above it is the tree Label Studio showed.
            labels.extend(path[-1].strip() for path in paths if path[-1].strip())
    return labels if len(labels) < 2 else list(dict.fromkeys(labels))


def _data_key(data: dict[str, Any], wanted: str | None, preferred: str) -> str | None:
    if wanted:
        return wanted if wanted in data else None
    if preferred in data:
        return preferred
    if len(data) == 1:
        return next(iter(data))
    lowered = {k.lower(): k for k in data}
    for candidate in TEXT_COLUMNS if preferred == "text" else ("image", "img", "photo"):
        if candidate in lowered:
            return lowered[candidate]
    return None


class LabelStudioReader:
    def __init__(
        self,
        fh: IO[bytes],
        *,
        options: dict[str, Any],
        max_chars: int,
        max_depth: int = 32,
        images: ImageResolver | None = None,
        image_project: bool = False,
    ):
        self._tasks = JsonArrayReader(fh, max_element_chars=4 * max_chars + (1 << 20))
        self._options = options
        self._max_chars = max_chars
        self._max_depth = max_depth
        self._images = images
        self._image_project = image_project

    @property
    def bytes_read(self) -> int:
        return self._tasks.bytes_read

    def __iter__(self) -> Iterator[ParsedRow]:
        for position, task in self._tasks:
            if not isinstance(task, dict):
                yield ParsedRow(line=position, error="a task is not a JSON object")
                continue
            # Only ``data`` and ``meta`` reach the item (as metadata); the rest is read here with
            # its types checked, so only they are held to the depth limit.
            if self._too_deep(task.get("data")) or self._too_deep(task.get("meta")):
                yield ParsedRow(line=position, error=f"nested more than {self._max_depth} levels")
                continue
            if self._tasks.element_has_nul:
                task = without_nul(task)
            try:
                if isinstance(task.get("data"), dict):
                    yield self._task(position, task)
                elif "data" in task:
                    yield ParsedRow(line=position, error="data is not an object")
                else:
                    yield self._min_task(position, task)
            except _RowError as exc:
                yield ParsedRow(line=position, error=str(exc))

    def _too_deep(self, value: Any) -> bool:
        if value is None:
            return False  # no ``meta``, most tasks
        if isinstance(value, dict):
            for inner in value.values():
                if isinstance(inner, dict | list):
                    return json_depth_exceeds(value, self._max_depth)
            return False  # the usual flat ``data``: one level
        return json_depth_exceeds(value, self._max_depth)

    def _content(self, row: ParsedRow, data: dict[str, Any]) -> str:
        """Fill the row's text or image from ``data``; returns the key used."""
        if self._image_project:
            key = _data_key(data, self._options.get("text_column"), "image")
            if key is None:
                raise _RowError(f"no image in data (keys: {', '.join(map(str, data))[:200]})")
            ref = data[key]
            if not isinstance(ref, str) or not ref.strip():
                raise _RowError(f"data.{key} is not a file reference")
            if self._images is None:
                raise _RowError(
                    f"image {ref[:200]!r} not imported: upload the export in a zip with the "
                    "image files (URLs are never fetched)"
                )
            content, problem = self._images(ref)
            if problem:
                raise _RowError(problem)
            row.image_bytes = content
            row.metadata["filename"] = PurePosixPath(urlsplit(ref).path).name
            return key
        key = _data_key(data, self._options.get("text_column"), "text")
        if key is None:
            raise _RowError(
                f"no text in data (keys: {', '.join(map(str, data))[:200]}); "
                "name the key as text_column"
            )
        text, error = clean_text(data[key], max_chars=self._max_chars)
        if error:
            raise _RowError(error)
        row.text = text
        return key

    def _task(self, position: int, task: dict[str, Any]) -> ParsedRow:
        data = task["data"]
        row = ParsedRow(line=position, annotations=[], skipped=[])
        content_key = self._content(row, data)
        id_key = None
        if len(data) > 1:  # else ``data`` holds the content alone
            lowered = {k.lower(): k for k in data if k != content_key}
            id_key = next((lowered[c] for c in ID_COLUMNS if c in lowered), None)
            taken = {content_key, id_key}
            for key, value in data.items():
                if key not in taken:
                    row.metadata[key] = value
        external_id = data[id_key] if id_key else task.get("id")
        if external_id is not None and str(external_id).strip():
            row.external_id = str(external_id).strip()
        if isinstance(task.get("meta"), dict) and task["meta"]:
            row.metadata["label_studio_meta"] = task["meta"]
        if task.get("id") is not None:
            row.metadata["label_studio_id"] = task["id"]

        unmapped: dict[str, None] = {}
        annotations = task.get("annotations") or []
        if not isinstance(annotations, list):
            raise _RowError("annotations is not a list")
        by_person: dict[str, list[str]] = {}
        for number, annotation in enumerate(annotations, start=1):
            if not isinstance(annotation, dict):
                raise _RowError(f"annotation {number} is not an object")
            if annotation.get("was_cancelled"):
                row.skipped.append("cancelled annotation")
                continue
            labels = _result_labels(
                annotation.get("result", []), owner="annotation", number=number, unmapped=unmapped
            )
            if not labels:
                row.skipped.append("annotation without choices")
                continue
            person = _person(annotation)
            if person in by_person:
                row.skipped.append("earlier annotation by the same person")
            by_person[person] = labels
        row.annotations = list(by_person.items())
        if not annotations:
            row.skipped.append("task without annotations")

        predictions = task.get("predictions") or []
        if not isinstance(predictions, list):
            raise _RowError("predictions is not a list")
        for number, prediction in enumerate(predictions, start=1):
            if not isinstance(prediction, dict):
                raise _RowError(f"prediction {number} is not an object")
            labels = _result_labels(
                prediction.get("result", []), owner="prediction", number=number, unmapped=unmapped
            )
            if not labels:
                continue
            score = prediction.get("score")
            if score is not None and (
                isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1
            ):
                raise _RowError(f"prediction {number}: score is not a number from 0 to 1")
            name = prediction.get("model_version") or "unnamed"
            row.prediction = (labels[0], None if score is None else float(score), str(name)[:200])
        if unmapped:
            row.skipped.extend(f"unmapped result: {kind}" for kind in unmapped)
            row.unmapped = "results Tandem cannot map, not imported: " + ", ".join(unmapped)
        return row

    def _min_task(self, position: int, task: dict[str, Any]) -> ParsedRow:
        """A JSON-MIN task: the data keys and the choices side by side."""
        row = ParsedRow(line=position, skipped=[])
        lowered = {k.lower(): k for k in task}
        label_key = self._options.get("label_column") or next(
            (lowered[c] for c in LABEL_COLUMNS if c in lowered), None
        )
        data = {
            k: v
            for k, v in task.items()
            if k not in {label_key, "annotator", "annotation_id", "created_at", "updated_at",
                         "lead_time", "id"}
        }  # fmt: skip
        content_key = self._content(row, data)
        if task.get("id") is not None:
            row.external_id = str(task["id"]).strip() or None
            row.metadata["label_studio_id"] = task["id"]
        for key, value in data.items():
            if key != content_key:
                row.metadata[key] = value
        value = task.get(label_key) if label_key else None
        if isinstance(value, dict):
            value = value.get("choices")
        if value is None:
            row.skipped.append("task without annotations")
            return row
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _RowError(f"{label_key} is not a string or a list of strings")
        labels = [v.strip() for v in value if v.strip()]
        if labels:
            row.annotations = [(_person(task | {"completed_by": task.get("annotator")}), labels)]
        return row


class LabelStudioZip:
    """A zip holding one Label Studio JSON export and the image files its tasks name.

    A task's ``data.image`` (``/data/upload/3/1a2b3c4d-cat.jpg``, ``/data/local-files/?d=
    photos/cat.jpg`` or a plain path) is looked up by path, then by file name, then by file
    name without the 8-hex prefix Label Studio adds to uploads. URLs are never fetched.
    """

    def __init__(self, path: str, *, max_bytes: int):
        try:
            self._archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise ImportFileError(f"The zip file cannot be read: {exc}") from exc
        self._max_bytes = max_bytes
        infos = [i for i in self._archive.infolist() if not i.is_dir()]
        exports = [
            i
            for i in infos
            if i.filename.lower().endswith(".json") and "__MACOSX" not in i.filename
        ]
        if len(exports) != 1:
            raise ImportFileError(
                f"The zip must hold exactly one Label Studio .json export; it holds {len(exports)}."
            )
        self.export = exports[0]
        self._by_path = {i.filename: i for i in infos}
        names: dict[str, list[zipfile.ZipInfo]] = {}
        for info in infos:
            names.setdefault(PurePosixPath(info.filename).name, []).append(info)
        self._by_name = names

    def open_export(self) -> IO[bytes]:
        return self._archive.open(self.export)

    def close(self) -> None:
        self._archive.close()

    def _find(self, ref: str) -> zipfile.ZipInfo | str:
        parts = urlsplit(ref)
        if parts.scheme in ("http", "https", "s3", "gs", "azure-blob", "ftp"):
            return f"image {ref[:200]!r} is a URL; Tandem does not fetch URLs"
        path = parts.path
        query = parse_qs(parts.query).get("d")
        if query:
            path = query[0]
        path = path.lstrip("/")
        if path in self._by_path:
            return self._by_path[path]
        name = PurePosixPath(path).name
        candidates = self._by_name.get(name) or []
        if not candidates and len(name) > 9 and name[8] == "-":
            candidates = self._by_name.get(name[9:]) or []
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            return f"image {name!r} is in the zip more than once; name it by its path"
        return f"image {path[:200]!r} is not in the zip"

    def resolve(self, ref: str) -> tuple[bytes | None, str | None]:
        found = self._find(ref)
        if isinstance(found, str):
            return None, found
        if found.file_size > self._max_bytes:
            return None, f"image {found.filename!r} is larger than {self._max_bytes:,} bytes"
        with self._archive.open(found) as member:
            content = member.read(self._max_bytes + 1)
        if len(content) > self._max_bytes:
            return None, f"image {found.filename!r} is larger than {self._max_bytes:,} bytes"
        return content, None
