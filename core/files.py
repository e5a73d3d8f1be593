"""Stored files: random names in, one checked way out.

Every file Tandem keeps (import uploads, item images and thumbnails, blurred thumbnails, model
artefacts) is written under a random name chosen here, never one derived from its content or
from what the uploader called it, and leaves only through ``file_response``, called by a view
that has already checked the caller's role. Nothing the client sent decides how a file is
served: an image goes out inline with the type of the format Pillow verified when it was
stored (the server picked the extension from it), anything else as an
``application/octet-stream`` attachment, each with a sandbox Content-Security-Policy.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer

from core.exceptions import ApplicationError

# The image formats Tandem accepts (what Pillow reports) and the extension each is stored with.
IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp"}
# The only types a file is ever served inline as. SVG is not among them: it can run script.
IMAGE_CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
}
ATTACHMENT_CONTENT_TYPE = "application/octet-stream"

# A downloaded or opened file runs nothing and loads nothing. An image opened on its own is
# shown by the browser in an image document, which may style it and needs the image itself.
ATTACHMENT_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"
IMAGE_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'"
)
CACHE_PRIVATE = "private, max-age=3600"
CACHE_NO_STORE = "private, no-store, max-age=0"

_EXTENSION = re.compile(r"^[a-z0-9]{1,8}$")
_UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


# --- names -------------------------------------------------------------------------------------


def image_extension(pillow_format: str) -> str:
    """The extension an image of this (verified) Pillow format is stored with; ``bin`` for
    anything that is not an accepted image format (then it is never served inline)."""
    return IMAGE_EXTENSIONS.get((pillow_format or "").upper(), "bin")


def random_name(folder: str, extension: str) -> str:
    """``<folder>/<32 random hex digits>.<extension>``: unguessable, and unrelated to the
    file's content or to any name a client gave it."""
    extension = extension.lower().lstrip(".")
    if not _EXTENSION.match(extension):
        extension = "bin"
    folder = "/".join(part for part in folder.split("/") if part not in ("", ".", ".."))
    return f"{folder}/{secrets.token_hex(16)}.{extension}"


# Files stored inside ``files_removed_on_error`` (a list per block; None outside any block).
_stored_in_block: ContextVar[list[tuple[Storage, str]] | None] = ContextVar(
    "_stored_in_block", default=None
)


def file_store(
    *,
    folder: str,
    extension: str,
    content: bytes | File,
    storage: Storage | None = None,
) -> str:
    """Write ``content`` under a random name in ``folder``; returns the stored name.

    Inside ``files_removed_on_error`` the file is removed again if the block fails.
    """
    storage = storage or default_storage
    body = content if isinstance(content, File) else ContentFile(content)
    name = storage.save(random_name(folder, extension), body)
    pending = _stored_in_block.get()
    if pending is not None:
        pending.append((storage, name))
    return name


@contextmanager
def files_removed_on_error() -> Iterator[list[tuple[Storage, str]]]:
    """Remove the files ``file_store`` wrote in this block when the block raises.

    Wrap the transaction that records the files: when it rolls back, no row points at them
    any more, and without this they would stay on disk under names nothing knows.
    """
    stored: list[tuple[Storage, str]] = []
    token = _stored_in_block.set(stored)
    try:
        yield stored
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise
    finally:
        _stored_in_block.reset(token)


def files_delete_on_commit(names: Iterable[str], *, storage: Storage | None = None) -> None:
    """Delete these stored files once the current transaction commits (never if it rolls
    back: the rows pointing at them are then still there)."""
    storage = storage or default_storage
    names = [name for name in names if name]
    if not names:
        return

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def folder_delete(folder: str, *, storage: Storage | None = None) -> int:
    """Delete every file under ``folder`` (recursively); returns how many were deleted."""
    storage = storage or default_storage
    deleted = 0
    try:
        directories, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for name in files:
        storage.delete(f"{folder}/{name}")
        deleted += 1
    for directory in directories:
        deleted += folder_delete(f"{folder}/{directory}", storage=storage)
    try:
        local = Path(storage.path(folder))
    except NotImplementedError:  # object stores have no directories to remove
        return deleted
    with contextlib.suppress(OSError):
        local.rmdir()
    return deleted


# --- responses ---------------------------------------------------------------------------------


def download_filename(name: str, *, fallback: str = "download") -> str:
    """A file name safe to offer in Content-Disposition: no path, no control or quote
    characters, no leading dots, at most 150 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Bidirectional overrides and other format characters can disguise an extension.
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cf", "Cc", "Cs"))
    name = _UNSAFE_IN_FILENAME.sub("_", name).strip(" .")
    return name[:150] or fallback


def content_disposition(disposition: str, filename: str) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` (RFC 6266): an ASCII name for old
    clients and the exact UTF-8 name for the rest."""
    ascii_name = (
        unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode() or "download"
    )
    ascii_name = ascii_name.replace('"', "_")
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _name_of(file: FieldFile | str) -> tuple[str, Storage]:
    if isinstance(file, FieldFile):
        return file.name or "", file.storage
    return file, default_storage


def file_response(
    *,
    file: FieldFile | str,
    as_image: bool,
    download_name: str = "",
    cache_control: str = CACHE_PRIVATE,
) -> HttpResponse | FileResponse:
    """The response that hands a stored file to a caller whose access is already checked.

    ``as_image``: served inline as the image type its stored extension stands for (chosen by
    the server from the format Pillow verified); a file without such an extension falls back
    to an attachment. Otherwise an ``application/octet-stream`` attachment named
    ``download_name`` (sanitised). Every response carries ``nosniff``, a sandbox CSP and a
    private Cache-Control. With ``TANDEM_FILES_X_ACCEL_REDIRECT`` set, the web server sends
    the bytes (``X-Accel-Redirect``); otherwise they are streamed from storage. A file
    missing from storage is a JSON 404.
    """
    name, storage = _name_of(file)
    if not name:
        raise ApplicationError("There is no file here.", status_code=404)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    image_type = IMAGE_CONTENT_TYPES.get(extension) if as_image else None
    accel_prefix = settings.TANDEM_FILES_X_ACCEL_REDIRECT
    response: HttpResponse | FileResponse
    if accel_prefix:
        response = HttpResponse(b"", content_type=image_type or ATTACHMENT_CONTENT_TYPE)
        response["X-Accel-Redirect"] = f"{accel_prefix.rstrip('/')}/{quote(name)}"
    else:
        try:
            handle = storage.open(name, "rb")
        except (FileNotFoundError, OSError) as exc:
            raise ApplicationError("The file is missing from storage.", status_code=404) from exc
        response = FileResponse(handle, content_type=image_type or ATTACHMENT_CONTENT_TYPE)
    if image_type:
        response["Content-Disposition"] = "inline"
        response["Content-Security-Policy"] = IMAGE_CSP
    else:
        fallback = f"download.{extension}" if _EXTENSION.match(extension) else "download"
        filename = download_filename(download_name, fallback=fallback)
        response["Content-Disposition"] = content_disposition("attachment", filename)
        response["Content-Security-Policy"] = ATTACHMENT_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


class FirstRendererNegotiation(BaseContentNegotiation):
    """File views answer bytes or a JSON error whatever the client's Accept header says
    (an ``<img>`` asks for ``image/*``; DRF's negotiation would answer that 406)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type


class FileViewMixin:
    """For DRF views that answer with ``file_response``: errors are always JSON."""

    renderer_classes: Sequence[type[BaseRenderer]] = [JSONRenderer]
    content_negotiation_class: type[BaseContentNegotiation] = FirstRendererNegotiation


# --- moving files stored under older names (data migrations) -----------------------------------


def stored_image_extension(name: str, *, storage: Storage | None = None) -> str:
    """The extension for a stored file by what Pillow says it is (only the header is read);
    ``bin`` when it is missing, unreadable or not an accepted image format."""
    from PIL import Image, UnidentifiedImageError

    storage = storage or default_storage
    try:
        with storage.open(name, "rb") as handle, Image.open(handle) as probe:
            return image_extension(probe.format or "")
    except (FileNotFoundError, UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return "bin"


class StoredFileMover:
    """Gives files stored under old (content-derived or uploader-chosen) names random ones.

    ``move(name, folder, extension)`` links (or copies) the file to a random name in
    ``folder`` and returns that name; the old file is deleted only after the transaction
    commits, so a migration that fails leaves every row pointing at a file that still exists.
    A file several rows shared (content-addressed names) is moved once per folder; a missing
    file returns None and the caller keeps the row as it was.
    """

    def __init__(self, *, storage: Storage | None = None):
        self.storage = storage or default_storage
        self._moved: dict[tuple[str, str], str] = {}
        self._old: set[str] = set()

    def move(self, name: str, *, folder: str, extension: str) -> str | None:
        if not name:
            return None
        if (name, folder) in self._moved:
            return self._moved[(name, folder)]
        new_name = self.copy(name, folder=folder, extension=extension)
        if new_name:
            self._moved[(name, folder)] = new_name
            self._old.add(name)
        return new_name

    def copy(self, name: str, *, folder: str, extension: str) -> str | None:
        """A second file with the same bytes under a random name (the old one stays)."""
        if not name or not self.storage.exists(name):
            return None
        new_name = random_name(folder, extension)
        if not self._link(name, new_name):
            with self.storage.open(name, "rb") as handle:
                new_name = self.storage.save(new_name, File(handle))
        return new_name

    def _link(self, name: str, new_name: str) -> bool:
        """A hard link on a local disk: no second copy of every image during the move."""
        try:
            source, target = Path(self.storage.path(name)), Path(self.storage.path(new_name))
        except NotImplementedError:
            return False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.hardlink_to(source)
        except OSError:
            return False
        return True

    def delete_old_on_commit(self) -> None:
        files_delete_on_commit(sorted(self._old), storage=self.storage)
