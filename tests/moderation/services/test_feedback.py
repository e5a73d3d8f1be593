"""Final decisions become training labels; automatic ones never do."""

import pytest

from labeling.choices import AnnotationSource
from labeling.models import Annotation
from moderation.choices import ContentState, DecisionAction
from moderation.services.feedback import decision_annotate
from tests.factories.moderation import (
    ContentFactory,
    DecisionFactory,
    PlatformFactory,
    ReviewPolicyFactory,
)

pytestmark = pytest.mark.django_db


def test_automated_decisions_never_become_training_labels():
    content = ContentFactory(
        policy=ReviewPolicyFactory(), platform=PlatformFactory(), state=ContentState.REMOVED
    )
    automated = DecisionFactory(
        content=content, automated=True, action=DecisionAction.REMOVE, is_final=True
    )

    annotation = decision_annotate(
        content=content, decision=automated, source=AnnotationSource.MODERATION, annotator=None
    )

    assert annotation is None
    assert not Annotation.objects.exists()
