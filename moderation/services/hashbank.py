"""The hash bank: known-bad content by exact SHA-256 and by perceptual hash (images).

Lookups run at intake before any model, so they must cost well under a millisecond: each
process keeps a policy's bank in memory (a dict of SHA-256 values and a numpy ``uint64`` array
of pHashes compared with XOR + popcount) and reloads it when the policy's ``updated_at``
changes (an import touches the policy).
"""

from __future__ import annotations

import hashlib
import io
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from core.exceptions import ApplicationError
from core.services.audit import audit_record
from moderation.choices import HashKind
from moderation.models import HashEntry, Policy, PolicyCategory
from moderation.services.policies import policy_touch

PHASH_HEX_LENGTH = 16  # 64 bits
SHA256_HEX_LENGTH = 64
MAX_IMPORT_ENTRIES = 100_000


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def image_phash(data: bytes) -> str:
    """The 64-bit pHash of an image as 16 hex digits (``imagehash.phash``)."""
    import imagehash
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return str(imagehash.phash(image))


@dataclass
class HashMatch:
    entry_id: int
    kind: str
    category_id: int
    distance: int  # 0 for SHA-256


@dataclass
class _Bank:
    token: datetime | None
    sha256: dict[str, tuple[int, int]]  # value -> (entry id, category id)
    phash_values: np.ndarray  # uint64
    phash_entries: np.ndarray  # int64 entry ids
    phash_categories: np.ndarray  # int64 category ids


_banks: dict[int, _Bank] = {}
_banks_lock = threading.Lock()


def _load_bank(policy: Policy) -> _Bank:
    sha: dict[str, tuple[int, int]] = {}
    values: list[int] = []
    entries: list[int] = []
    categories: list[int] = []
    rows = HashEntry.objects.filter(category__policy_id=policy.pk).values_list(
        "id", "kind", "value", "category_id"
    )
    for entry_id, kind, value, category_id in rows.iterator(chunk_size=5000):
        if kind == HashKind.SHA256:
            sha.setdefault(value, (entry_id, category_id))
        else:
            values.append(int(value, 16))
            entries.append(entry_id)
            categories.append(category_id)
    return _Bank(
        token=policy.updated_at,
        sha256=sha,
        phash_values=np.array(values, dtype=np.uint64),
        phash_entries=np.array(entries, dtype=np.int64),
        phash_categories=np.array(categories, dtype=np.int64),
    )


def hash_bank_for(policy: Policy) -> _Bank:
    """The policy's bank, from this process's cache while the policy is unchanged."""
    bank = _banks.get(policy.pk)
    if bank is not None and bank.token == policy.updated_at:
        return bank
    with _banks_lock:
        bank = _banks.get(policy.pk)
        if bank is None or bank.token != policy.updated_at:
            bank = _load_bank(policy)
            _banks[policy.pk] = bank
        return bank


def _popcount(values: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):  # numpy 2
        return np.bitwise_count(values)
    as_bytes = values.view(np.uint8).reshape(-1, 8)
    return _BYTE_BITS[as_bytes].sum(axis=1)


_BYTE_BITS = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def hash_bank_match(*, policy: Policy, sha256: str | None, phash: str | None) -> HashMatch | None:
    """The bank entry this content matches: an exact SHA-256 first, else the closest pHash
    within ``TANDEM_PHASH_MAX_DISTANCE`` bits."""
    bank = hash_bank_for(policy)
    if sha256 and sha256 in bank.sha256:
        entry_id, category_id = bank.sha256[sha256]
        return HashMatch(
            entry_id=entry_id, kind=HashKind.SHA256, category_id=category_id, distance=0
        )
    if phash and bank.phash_values.size:
        distances = _popcount(bank.phash_values ^ np.uint64(int(phash, 16)))
        best = int(np.argmin(distances))
        distance = int(distances[best])
        if distance <= settings.TANDEM_PHASH_MAX_DISTANCE:
            return HashMatch(
                entry_id=int(bank.phash_entries[best]),
                kind=HashKind.PHASH,
                category_id=int(bank.phash_categories[best]),
                distance=distance,
            )
    return None


def _clean_value(kind: str, value: str, index: int) -> str:
    value = value.strip().lower()
    length = SHA256_HEX_LENGTH if kind == HashKind.SHA256 else PHASH_HEX_LENGTH
    if len(value) != length or any(ch not in "0123456789abcdef" for ch in value):
        raise ApplicationError(
            f"Entry {index}: a {kind} value is {length} hex digits.",
            extra={"index": index, "value": value[:80]},
        )
    return value


@transaction.atomic
def hash_entries_import(
    *, policy: Policy, user: User, entries: list[dict[str, Any]], note: str = ""
) -> dict[str, int]:
    """Add ``entries`` ({"kind", "value", "category": name}) to the policy's bank; entries
    already there are skipped. All or nothing: one bad entry refuses the whole import.

    Side effects: audit ``hash.import`` with the count; touches the policy so every process
    reloads its cached bank.
    """
    if len(entries) > MAX_IMPORT_ENTRIES:
        raise ApplicationError(f"Import at most {MAX_IMPORT_ENTRIES:,} entries at a time.")
    categories = {c.name: c for c in PolicyCategory.objects.filter(policy=policy)}
    rows = []
    for index, entry in enumerate(entries):
        category = categories.get(entry["category"])
        if category is None:
            raise ApplicationError(
                f"Entry {index}: the policy has no category {entry['category']!r}.",
                extra={"index": index, "categories": sorted(categories)},
            )
        kind = entry["kind"]
        rows.append(
            HashEntry(
                kind=kind,
                value=_clean_value(kind, entry["value"], index),
                category=category,
                note=note,
                created_by=user,
            )
        )
    before = HashEntry.objects.filter(category__policy=policy).count()
    HashEntry.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    added = HashEntry.objects.filter(category__policy=policy).count() - before
    policy_touch(policy_id=policy.pk)
    audit_record(
        actor=user,
        action="hash.import",
        object_type="moderation.policy",
        object_id=policy.pk,
        scope=f"moderation.policy:{policy.pk}",
        after={"count": added, "submitted": len(rows)},
    )
    return {"submitted": len(rows), "added": added, "existing": len(rows) - added}


def hash_entries_from_images(
    *, images: list[tuple[str, bytes]], category: str
) -> list[dict[str, Any]]:
    """Both hashes of each image file (``(name, bytes)``), as import entries.

    Raises ApplicationError naming a file that is not an image.
    """
    from core.images import check_image

    entries = []
    for name, data in images:
        try:
            check_image(data, max_pixels=settings.TANDEM_IMAGE_MAX_PIXELS, thumb_size=8)
        except ValueError as exc:
            raise ApplicationError(f"{name}: {exc}", extra={"file": name}) from exc
        entries.append({"kind": HashKind.SHA256, "value": sha256_hex(data), "category": category})
        entries.append({"kind": HashKind.PHASH, "value": image_phash(data), "category": category})
    return entries
