"""The stored file of a dataset snapshot: one Parquet file, one row per item, in item id order.

Every export format is written from this file alone (never from the live tables), which is
what makes an export of a snapshot byte-identical however the project changes afterwards.
Pure pyarrow: no Django here.
"""

import pyarrow as pa

# Label sources a snapshot row can carry in ``label_source``: the annotation sources, plus
# "automatic_decision" (a moderation decision made by a rule or model, never a person; only in
# snapshots whose filters ask for automatic labels, like source "auto").
AUTOMATIC_LABEL_SOURCES = ("auto", "automatic_decision")

# How an item's label was resolved (the snapshot's label rule, per row).
LABEL_RULE = "gold > majority of the latest human labels > latest label"
RESOLUTIONS = ("gold", "majority", "latest", "none")

SNAPSHOT_SCHEMA = pa.schema([
    pa.field("id", pa.int64(), nullable=False),  # Tandem item id
    pa.field("external_id", pa.string(), nullable=False),
    pa.field("text", pa.string()),  # null for image items
    # The item's image as stored (a private storage name; exports carry the bytes, never it).
    pa.field("image_name", pa.string()),
    pa.field("split", pa.string(), nullable=False),  # train | dev | test
    # The resolved label set: one name for binary/multiclass, any number for multilabel;
    # empty for an unlabeled item (only in snapshots that are not labeled-only).
    pa.field("labels", pa.list_(pa.string()), nullable=False),
    pa.field("label_source", pa.string()),  # the source of the resolved label; null if none
    pa.field("resolution", pa.string(), nullable=False),  # one of RESOLUTIONS
    pa.field("is_automatic", pa.bool_(), nullable=False),  # label_source in AUTOMATIC_LABEL_SOURCES
    # The labels behind it: how many of each source, and who (pseudonyms, sorted).
    pa.field("n_human", pa.int32(), nullable=False),
    pa.field("n_import", pa.int32(), nullable=False),
    pa.field("n_moderation", pa.int32(), nullable=False),
    pa.field("n_appeal", pa.int32(), nullable=False),
    pa.field("n_auto", pa.int32(), nullable=False),
    pa.field("annotators", pa.list_(pa.string()), nullable=False),
    # Whether the label behind the resolved one accepted a model proposal (null: none shown),
    # and the model version that proposed it.
    pa.field("proposal_accepted", pa.bool_()),
    pa.field("proposed_by", pa.int64()),
    pa.field("labeled_at", pa.timestamp("us", tz="UTC")),  # the resolved label's time
    pa.field("metadata", pa.string(), nullable=False),  # JSON object, keys sorted
    pa.field("content_hash", pa.string(), nullable=False),
    pa.field("is_audit", pa.bool_(), nullable=False),
])  # fmt: skip
