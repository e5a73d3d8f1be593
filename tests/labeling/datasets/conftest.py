"""Projects of real SMS messages (../shared/datasets/sms_spam_collection.tsv) for the
snapshot tests: the corpus's own ham / spam labels stand for what annotators gave."""

import pytest

from labeling.choices import AnnotationSource
from labeling.models import Annotation, Item
from labeling.services.imports.item_rows import split_for
from labeling.services.imports.readers.rows import text_hash
from tests.factories import ProjectFactory, UserFactory


def sms_rows(dataset_path, n: int) -> list[tuple[str, str]]:
    """The first ``n`` (label, text) rows of the SMS Spam Collection."""
    lines = dataset_path("sms_spam_collection.tsv").read_text(encoding="utf-8").splitlines()[1:]
    rows = []
    for line in lines[:n]:
        label, _, text = line.partition("\t")
        rows.append((label, text))
    return rows


def make_sms_project(dataset_path, n: int = 200, *, labeled: int | None = None, **project):
    """A ham / spam project of ``n`` SMS items (external ids ``sms-<row>``, metadata with the
    message length bucket); the first ``labeled`` (all by default) labeled by one annotator
    with the corpus's label. Returns (project, items in id order, annotator, truth)."""
    proj = ProjectFactory(**project)
    rows = sms_rows(dataset_path, n)
    items = Item.objects.bulk_create(
        Item(
            project=proj,
            external_id=f"sms-{number}",
            text=text,
            content_hash=text_hash(text),
            split=split_for(f"sms-{number}"),
            metadata={"length": "long" if len(text) > 80 else "short", "row": number},
        )
        for number, (_label, text) in enumerate(rows)
    )
    annotator = UserFactory()
    count = n if labeled is None else labeled
    Annotation.objects.bulk_create(
        Annotation(item=item, labels=[label], source=AnnotationSource.HUMAN, annotator=annotator)
        for item, (label, _text) in zip(items[:count], rows[:count], strict=True)
    )
    truth = {item.pk: label for item, (label, _text) in zip(items, rows, strict=True)}
    return proj, items, annotator, truth


@pytest.fixture
def sms(db, dataset_path):
    return make_sms_project(dataset_path)
