"""Hostile text in import files (run on PostgreSQL): a lone surrogate or an over-long text is
reported on its line, an RTL override is stored exactly as written, NUL characters are dropped
(PostgreSQL cannot store them, see test_imports); the good rows of the file are imported."""

import json

import pytest

from labeling.choices import ImportStatus
from labeling.models import Item
from tests.labeling.api.test_imports import importer, upload_file  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_hostile_jsonl_rows_are_reported_or_stored_exactly(importer, settings):  # noqa: F811
    limit = settings.TANDEM_TEXT_MAX_CHARS
    spoof = "invoice\u202egnp.exe"
    lines = [
        json.dumps({"id": "rtl", "text": spoof, "metadata": {"sender": spoof}}),
        # Written by hand: a lone surrogate escape, as a broken client sends it.
        '{"id": "surrogate", "text": "broken \\ud800 text"}',
        json.dumps({"id": "surrogate-key", "text": "fine", "metadata": {"k\ud800": 1}}),
        json.dumps({"id": "longest", "text": "y" * limit}),
        json.dumps({"id": "too-long", "text": "z" * (limit + 1)}),
        json.dumps({"id": "nul", "text": "nul\u0000inside", "metadata": {"n\u0000": "v\u0000"}}),
    ]
    data = "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n"

    job = importer.run(upload_file("hostile.jsonl", data))

    assert job["status"] == ImportStatus.SUCCEEDED
    errors = {error["line"]: error["message"] for error in job["errors"]}
    assert set(errors) == {2, 3, 5}
    assert "surrogate" in errors[2]
    assert f"the limit is {limit:,}" in errors[5]
    items = {item.external_id: item for item in Item.objects.filter(project=importer.project)}
    assert set(items) == {"rtl", "longest", "nul"}
    assert items["rtl"].text == spoof
    assert items["rtl"].metadata == {"sender": spoof}
    assert len(items["longest"].text) == limit
    assert items["nul"].text == "nulinside"
    assert items["nul"].metadata == {"n": "v"}
