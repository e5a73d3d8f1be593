"""Decisions: approve / remove / escalate with reason codes, author actions, labels, audit."""

from datetime import timedelta

import pytest

from core.models import AuditEvent
from labeling.choices import AnnotationSource, Role
from labeling.models import Annotation
from models_app.choices import JobKind, JobTrigger
from models_app.models import TrainingJob
from moderation.choices import AutomationLevel, ContentState, DecisionAction, ReviewTier
from moderation.models import Decision, ReasonCode
from moderation.selectors.strikes import author_current_action, author_live_points
from tests.factories.moderation import (
    HAM_TEXT,
    AuthorFactory,
    ContentFactory,
    PlatformFactory,
    PolicyMemberFactory,
    ReviewPolicyFactory,
    decide_body,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(api):
    policy = ReviewPolicyFactory(automation_level=AutomationLevel.ASSIST)
    platform = PlatformFactory()
    moderator = PolicyMemberFactory(policy=policy, role=Role.MODERATOR)
    return policy, platform, moderator, api.as_user(moderator)


def _lease(client, **body):
    response = client.post("/api/v1/moderation/queue/next/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()["content"]


def _decide(client, content_id, body):
    return client.post(f"/api/v1/moderation/contents/{content_id}/decide/", body, format="json")


def test_removal_with_warning_removes_content_strikes_author_and_labels_the_item(
    setup, django_capture_on_commit_callbacks
):
    policy, platform, moderator, client = setup
    author = AuthorFactory(platform=platform)
    content = ContentFactory(policy=policy, platform=platform, author=author, score=0.91)
    leased = _lease(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = _decide(
            client,
            leased["id"],
            decide_body(author_action="warn", note="Prize scam", time_spent_ms=4200),
        )

    assert response.status_code == 201, response.content
    content.refresh_from_db()
    author.refresh_from_db()
    assert content.state == ContentState.REMOVED
    assert content.leased_by is None
    # SPAM-1 is of category spam (severity 3): a 3-point strike, and the warning.
    assert author_live_points(author_id=author.pk) == 3
    assert author_current_action(author_id=author.pk).kind == "warn"
    decision = Decision.objects.get(content=content)
    assert decision.is_final
    assert decision.reason_code.code == "SPAM-1"
    assert decision.model_suggestion["score"] == pytest.approx(0.91)
    assert decision.model_suggestion["action"] == "remove"
    annotation = Annotation.objects.get(item=content.item)
    assert annotation.source == AnnotationSource.MODERATION
    assert annotation.labels == ["spam"]
    assert annotation.suggested_labels == ["spam"]
    assert annotation.annotator == moderator
    content.item.refresh_from_db()
    assert content.item.queue_annotations == 1
    assert content.item.queue_done
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("id"))
    assert actions == ["decision.create", "author.strike", "author.warn"]


def test_approval_labels_the_item_with_the_class_no_category_maps_to(setup):
    policy, platform, _moderator, client = setup
    content = ContentFactory(policy=policy, platform=platform, text=HAM_TEXT, score=0.2)
    _lease(client)

    response = _decide(client, content.pk, decide_body(DecisionAction.APPROVE, "OK-1"))

    assert response.status_code == 201, response.content
    content.refresh_from_db()
    assert content.state == ContentState.ALLOWED
    annotation = Annotation.objects.get(item=content.item)
    assert annotation.labels == ["ham"]
    # The model leaned towards allowing, and the moderator agreed.
    assert annotation.outcome == "accepted"


def test_suspension_sets_the_end_of_the_suspension_and_a_strike(setup):
    policy, platform, _moderator, client = setup
    author = AuthorFactory(platform=platform)
    content = ContentFactory(policy=policy, platform=platform, author=author)
    _lease(client)

    response = _decide(client, content.pk, decide_body(author_action="suspend", suspend_days=7))

    assert response.status_code == 201, response.content
    assert author_live_points(author_id=author.pk) == 3
    current = author_current_action(author_id=author.pk)
    assert current.kind == "suspend"
    assert current.ends_at - current.created_at == timedelta(days=7)
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("id")) == [
        "decision.create",
        "author.strike",
        "author.suspend",
    ]


def test_decision_with_an_unknown_reason_code_is_refused_and_nothing_is_stored(setup):
    policy, platform, _moderator, client = setup
    content = ContentFactory(policy=policy, platform=platform)
    _lease(client)

    response = _decide(client, content.pk, decide_body(code="NOPE-9"))

    assert response.status_code == 400
    assert "Unknown reason code 'NOPE-9'" in response.json()["message"]
    assert response.json()["extra"]["reason_codes"] == ["SPAM-1"]
    content.refresh_from_db()
    assert content.state == ContentState.PENDING
    assert not Decision.objects.exists()
    assert not AuditEvent.objects.exists()


def test_reason_code_for_another_action_is_refused(setup):
    policy, platform, _moderator, client = setup
    content = ContentFactory(policy=policy, platform=platform)
    _lease(client)

    response = _decide(client, content.pk, decide_body(DecisionAction.APPROVE, "SPAM-1"))

    assert response.status_code == 400
    assert "justifies remove, not approve" in response.json()["message"]
    assert not Decision.objects.exists()


def test_deciding_content_already_decided_is_a_conflict_and_stores_nothing_twice(setup):
    policy, platform, _moderator, client = setup
    content = ContentFactory(policy=policy, platform=platform)
    _lease(client)
    first = _decide(client, content.pk, decide_body())

    second = _decide(client, content.pk, decide_body(DecisionAction.APPROVE, "OK-1"))

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["message"] == "This content is already decided."
    assert Decision.objects.filter(content=content).count() == 1
    assert Annotation.objects.filter(item=content.item).count() == 1
    assert AuditEvent.objects.filter(action="decision.create").count() == 1
    content.refresh_from_db()
    assert content.state == ContentState.REMOVED


def test_moderator_without_the_lease_cannot_decide(setup, api):
    policy, platform, _moderator, client = setup
    content = ContentFactory(policy=policy, platform=platform)
    _lease(client)
    other = api.__class__()
    other.force_login(PolicyMemberFactory(policy=policy, role=Role.MODERATOR))

    response = _decide(other, content.pk, decide_body())

    assert response.status_code == 409
    assert "do not hold" in response.json()["message"]
    assert not Decision.objects.exists()


def test_escalation_moves_content_to_the_senior_queue_without_a_label(setup, api):
    policy, platform, _moderator, client = setup
    content = ContentFactory(policy=policy, platform=platform)
    _lease(client)

    response = _decide(client, content.pk, decide_body(DecisionAction.ESCALATE, "ESC-1"))

    assert response.status_code == 201, response.content
    content.refresh_from_db()
    assert (content.state, content.tier) == (ContentState.ESCALATED, ReviewTier.SENIOR)
    assert not Annotation.objects.exists()
    # Gone from the standard queue; the senior queue has it.
    assert _lease(client) is None
    senior = api.__class__()
    senior.force_login(PolicyMemberFactory(policy=policy, role=Role.SENIOR_MODERATOR))
    moderator_tries_senior = client.post(
        "/api/v1/moderation/queue/next/", {"tier": "senior"}, format="json"
    )
    assert moderator_tries_senior.json()["content"] is None
    assert _lease(senior, tier="senior")["id"] == content.pk
    assert _decide(senior, content.pk, decide_body()).status_code == 201
    content.refresh_from_db()
    assert content.state == ContentState.REMOVED
    assert list(Decision.objects.order_by("id").values_list("action", "is_final")) == [
        ("escalate", False),
        ("remove", True),
    ]


def test_moderator_cannot_decide_escalated_content(setup):
    policy, platform, _moderator, client = setup
    content = ContentFactory(policy=policy, platform=platform, state=ContentState.ESCALATED)

    response = _decide(client, content.pk, decide_body())

    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_human_only_policy_shows_and_records_no_model_suggestion(api):
    policy = ReviewPolicyFactory(automation_level=AutomationLevel.HUMAN_ONLY)
    platform = PlatformFactory()
    client = api.as_user(PolicyMemberFactory(policy=policy, role=Role.MODERATOR))
    content = ContentFactory(policy=policy, platform=platform, score=0.95)

    leased = _lease(client)
    _decide(client, content.pk, decide_body())

    assert leased["model"] is None
    assert leased["scores"] == {}
    decision = Decision.objects.get()
    assert decision.model_suggestion == {}
    assert Annotation.objects.get().outcome == "no_suggestion"


def test_shadow_policy_shows_moderators_nothing_of_the_model(api):
    policy = ReviewPolicyFactory(automation_level=AutomationLevel.SHADOW)
    client = api.as_user(PolicyMemberFactory(policy=policy, role=Role.MODERATOR))
    ContentFactory(policy=policy, platform=PlatformFactory(), score=0.95)

    leased = _lease(client)

    assert (leased["model"], leased["scores"]) == (None, {})


def test_moderation_labels_count_towards_retraining(setup, django_capture_on_commit_callbacks):
    policy, platform, _moderator, client = setup
    policy.project.retrain_every = 1
    policy.project.save(update_fields=["retrain_every"])
    content = ContentFactory(policy=policy, platform=platform)
    _lease(client)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _decide(client, content.pk, decide_body())
    # The retraining check runs after commit; run it alone (not the training it queues).
    for callback in callbacks:
        if callback.__name__ == "check_retrain":
            callback()

    job = TrainingJob.objects.get(owner=policy.project.owner_key, kind=JobKind.TRAIN)
    assert job.trigger == JobTrigger.LABELS


def test_escalation_needs_a_reason_code_only_when_the_policy_defines_some(setup):
    policy, platform, _moderator, client = setup
    content = ContentFactory(policy=policy, platform=platform)
    _lease(client)

    refused = _decide(client, content.pk, {"action": "escalate"})
    assert refused.status_code == 400
    assert "escalation reason" in refused.json()["message"]

    ReasonCode.objects.filter(policy=policy, action="escalate").delete()
    accepted = _decide(client, content.pk, {"action": "escalate"})
    assert accepted.status_code == 201, accepted.content
    assert Decision.objects.get().reason_code is None


def test_a_removal_without_a_reason_code_is_refused(setup):
    policy, platform, _moderator, client = setup
    content = ContentFactory(policy=policy, platform=platform)
    _lease(client)

    response = _decide(client, content.pk, {"action": "remove"})

    assert response.status_code == 400
    assert not Decision.objects.exists()
