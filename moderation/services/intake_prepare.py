"""Intake, step 1: check one submission and put it in the shape the later steps use.

Refuses what must not be stored (no text and no image, text or image over its limit, bytes that
are not base64 or not an image) with the 4xx the platform is answered; decodes the image, makes
its thumbnail (blurred later, when stored) and the hashes the hash bank looks up. Reads no table.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings

from core.exceptions import ApplicationError
from moderation.models import Policy
from moderation.services import hashbank

if TYPE_CHECKING:
    from core.images import CheckedImage

# Side of the thumbnail made at intake: the one moderators see, blurred, until they reveal it.
BLUR_SIZE = 256


@dataclass
class IntakeInput:
    """One submitted content as the API parsed it (``image`` still base64)."""

    index: int
    policy: int
    external_id: str
    author_id: str
    text: str | None = None
    image: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    parent_id: str = ""


@dataclass
class PreparedSubmission:
    """A submission that passed the checks, under the policy it was sent to."""

    entry: IntakeInput
    policy: Policy
    image_bytes: bytes | None = None
    checked_image: CheckedImage | None = None
    # SHA-256 of the image bytes, or of the UTF-8 text when there is no image.
    sha256: str = ""
    phash: str | None = None


def _decode_image(entry: IntakeInput) -> bytes:
    limit = settings.TANDEM_IMAGE_MAX_BYTES
    # base64 is 4/3 of the bytes: refuse before decoding a huge string.
    if len(entry.image or "") > limit * 4 // 3 + 4:
        raise ApplicationError(
            f"The image is over the limit of {limit:,} bytes.", status_code=413,
            extra={"limit_bytes": limit},
        )  # fmt: skip
    try:
        data = base64.b64decode(entry.image or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApplicationError("image: not valid base64.") from exc
    if len(data) > limit:
        raise ApplicationError(
            f"The image is {len(data):,} bytes; the limit is {limit:,} bytes.",
            status_code=413, extra={"limit_bytes": limit},
        )  # fmt: skip
    return data


def submission_prepare(*, entry: IntakeInput, policy: Policy) -> PreparedSubmission:
    """``entry`` checked and decoded, with its hashes. Raises ``ApplicationError`` (400, or 413
    for what is over a limit) naming what is wrong."""
    from core.images import check_image

    if not entry.text and not entry.image:
        raise ApplicationError("Send text, an image, or both.")
    limit = settings.TANDEM_TEXT_MAX_CHARS
    if entry.text and len(entry.text) > limit:
        raise ApplicationError(
            f"The text is {len(entry.text):,} characters; the limit is {limit:,}.",
            status_code=413, extra={"limit_chars": limit},
        )  # fmt: skip
    prepared = PreparedSubmission(entry=entry, policy=policy)
    if entry.image:
        data = _decode_image(entry)
        try:
            prepared.checked_image = check_image(
                data, max_pixels=settings.TANDEM_IMAGE_MAX_PIXELS, thumb_size=BLUR_SIZE
            )
        except ValueError as exc:
            raise ApplicationError(f"image: {exc}.") from exc
        prepared.image_bytes = data
        prepared.sha256 = hashbank.sha256_hex(data)
        prepared.phash = hashbank.image_phash(data)
    else:
        prepared.sha256 = hashbank.sha256_hex((entry.text or "").encode("utf-8"))
    return prepared
