"""The item rows an import inserts, shared with the items made for other apps' content
(``labeling.services.external_items``): the columns, and the stable split of each item."""

from __future__ import annotations

import hashlib

from labeling.choices import Split

ITEM_FIELDS = (
    "project",
    "external_id",
    "text",
    "image",
    "thumbnail",
    "metadata",
    "content_hash",
    "split",
    "created_at",
)


def external_id_key(external_id: str) -> bytes:
    """A short digest of an external id: the key an import tells its rows apart by, and the
    source of the item's split."""
    return hashlib.blake2b(external_id.encode(), digest_size=12).digest()


# Bucket (0-99) -> split: 80 % train, 10 % dev, 10 % test.
_SPLITS = [Split.TRAIN] * 80 + [Split.DEV] * 10 + [Split.TEST] * 10


def split_for_key(key: bytes) -> str:
    """The split for an ``external_id_key`` already computed (an import has it at hand)."""
    return _SPLITS[int.from_bytes(key[:4]) % 100]


def split_for(external_id: str) -> str:
    """A stable train/dev/test split (80/10/10) from the external id alone."""
    return split_for_key(external_id_key(external_id))
