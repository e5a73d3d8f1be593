"""``core.rows``: model instances read and written with hand-written SQL equal what the ORM
reads and writes (JSON, booleans, time zones, ``auto_now`` stamps, unique violations)."""

import pytest
from django.db import IntegrityError, connection, transaction

from core import rows
from labeling.models import Annotation, Item
from tests.factories import ItemFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_instance_read_by_hand_equals_the_orms():
    item = ItemFactory(
        project=ProjectFactory(), metadata={"lang": "en", "tags": ["a", "ü"]}, media_restricted=True
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(Item, 'i')} FROM labeling_item AS i WHERE i.id = %s",  # noqa: S608
            [item.pk],
        )
        row = cursor.fetchone()

    by_hand = rows.instance(Item, row)
    by_orm = Item.objects.get(pk=item.pk)

    assert by_hand is not None
    for field in Item._meta.concrete_fields:
        assert getattr(by_hand, field.attname) == getattr(by_orm, field.attname), field.name
    assert by_hand.metadata == {"lang": "en", "tags": ["a", "ü"]}
    assert by_hand.media_restricted is True
    assert by_hand.created_at.tzinfo is not None


def test_a_missing_row_of_an_outer_join_is_none():
    assert rows.instance(Item, [None] * rows.width(Item)) is None


def test_an_insert_by_hand_stores_what_the_orm_would():
    item = ItemFactory(project=ProjectFactory())
    user = UserFactory()
    annotation = Annotation(
        item=item, annotator=user, labels=["spam"], source="human", suggested_labels=["ham"]
    )

    rows.insert(annotation)

    stored = Annotation.objects.get(pk=annotation.pk)
    assert stored.labels == ["spam"]
    assert stored.suggested_labels == ["ham"]
    assert stored.created_at is not None
    assert stored.created_at == annotation.created_at
    assert not annotation._state.adding


def test_an_insert_by_hand_breaking_a_unique_constraint_raises_integrity_error():
    item = ItemFactory(project=ProjectFactory())
    user = UserFactory()
    rows.insert(Annotation(item=item, annotator=user, labels=["a"], source="human", client_key="k"))

    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert(
            Annotation(item=item, annotator=user, labels=["b"], source="human", client_key="k")
        )
    assert Annotation.objects.filter(client_key="k").count() == 1
