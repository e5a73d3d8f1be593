"""Intake as a platform sees it: each automation level's answer and queue state, idempotency,
canary and shadow versions, bad input. A real model trained on SMS spam labels (hashing
embedder) serves as the production version."""

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.models import Annotation, Item
from models_app.choices import Stage
from moderation.choices import AutomationLevel, ContentState, ReportSource
from moderation.models import Author, Content, Decision, Report
from tests.factories.intake import auth, platform_with_key, sms_rows, trained_project
from tests.factories.moderation import IntakePolicyFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

SPAM = (
    "URGENT! You have won a 1 week FREE membership in our £100,000 Prize Jackpot! Txt the "
    "word: CLAIM to No: 81010 T&C www.dbuk.net LCCLTD POBOX 4403LDNW1A7RW18"
)
HAM = "Ok lar i'm going home now, see you at dinner later tonight"


@pytest.fixture
def served(dataset_path):
    return trained_project(dataset_path("sms_spam_collection.tsv"))


@pytest.fixture
def platform_key(db):
    return platform_with_key()


def submit(key, policy, external_id, text=None, **extra):
    body = {"policy": policy.pk, "external_id": external_id, "author_id": "author-7", **extra}
    if text is not None:
        body["text"] = text
    return APIClient().post("/api/v1/platform/intake/", body, format="json", **auth(key))


def scores_of(served, texts):
    """The production model's spam probability of each text (to pick thresholds around)."""
    from moderation.services import model_serving

    _, version = served
    vectors = model_serving.embed(embedder_key=version.embedder, inputs=texts)
    return [p["spam"] for p in model_serving.class_probabilities(version=version, vectors=vectors)]


def test_the_model_tells_the_test_texts_apart(served):
    spam, ham = scores_of(served, [SPAM, HAM])
    assert spam > 0.9
    assert ham < 0.1


@pytest.mark.parametrize(
    ("level", "spam_state", "ham_state"),
    [
        (AutomationLevel.HUMAN_ONLY, ContentState.PENDING, ContentState.PENDING),
        (AutomationLevel.SHADOW, ContentState.PENDING, ContentState.PENDING),
        (AutomationLevel.ASSIST, ContentState.PENDING, ContentState.PENDING),
        (AutomationLevel.PARTIAL, ContentState.REMOVED, ContentState.ALLOWED),
        (AutomationLevel.FULL, ContentState.REMOVED, ContentState.ALLOWED),
    ],
)
def test_each_automation_level_gives_its_outcome_and_queue_state(
    served, platform_key, level, spam_state, ham_state
):
    project, version = served
    platform, key = platform_key
    policy = IntakePolicyFactory(project=project, automation_level=level, granted_to=platform)

    spam = submit(key, policy, "post-spam", SPAM)
    ham = submit(key, policy, "post-ham", HAM)

    assert spam.status_code == 201, spam.content
    assert (spam.json()["state"], ham.json()["state"]) == (spam_state, ham_state)
    verdicts = {"pending": "pending_review", "removed": "remove", "allowed": "allow"}
    assert spam.json()["verdict"] == verdicts[spam_state]
    for answer, state in ((spam.json(), spam_state), (ham.json(), ham_state)):
        content = Content.objects.get(external_id=answer["external_id"])
        if state == ContentState.PENDING:
            # In the review queue: a priority and a deadline, no decision yet.
            assert content.priority > 0
            assert content.sla_due_at is not None
            assert not content.decisions.exists()
        else:
            decision = content.decisions.get()
            assert decision.automated
            assert decision.is_final
            assert content.priority == 0
            assert content.sla_due_at is None
    uses_score = level in {AutomationLevel.ASSIST, AutomationLevel.PARTIAL, AutomationLevel.FULL}
    assert (spam.json()["model_version"] == version.version) is uses_score
    assert (spam.json()["score"] is not None) is uses_score
    if uses_score:
        assert spam.json()["score"] > 0.9
        assert spam.json()["category"] == "spam"


def test_shadow_mode_logs_scores_but_never_acts(served, platform_key):
    project, _ = served
    platform, key = platform_key
    policy = IntakePolicyFactory(
        project=project,
        automation_level=AutomationLevel.SHADOW,
        spam__remove_threshold=0.5,
        spam__allow_threshold=0.4,
        granted_to=platform,
    )

    answer = submit(key, policy, "shadowed", SPAM).json()

    content = Content.objects.get(pk=answer["content_id"])
    assert answer["state"] == "pending"
    assert answer["score"] is None
    assert content.scores["categories"]["spam"] > 0.9  # logged
    assert not Decision.objects.exists()
    assert not Report.objects.filter(source=ReportSource.MODEL).exists()
    # Same priority as without a model: the score does not move the queue either.
    assert content.priority == pytest.approx(3 * 0.5 * 1)


def test_assist_mode_stores_the_suggestion_for_moderators(served, platform_key):
    project, version = served
    platform, key = platform_key
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.ASSIST, granted_to=platform
    )

    answer = submit(key, policy, "assisted", SPAM).json()

    content = Content.objects.get(pk=answer["content_id"])
    assert content.state == ContentState.PENDING
    assert content.model_version == version
    assert content.top_category.name == "spam"
    assert content.model_score == pytest.approx(answer["score"])
    # The model's flag counts as a report, and raises the priority with its score.
    assert content.report_count == 1
    assert content.priority == pytest.approx(3 * answer["score"] * 2)


def test_partial_mode_acts_only_outside_the_band(served, platform_key):
    project, _ = served
    platform, key = platform_key
    texts = [text for _, text in sms_rows(project_path(served), 0)[800:900]]
    scores = scores_of(served, texts)
    ranked = sorted(scores)
    # Thresholds between two scores: no score sits on a boundary.
    low = (ranked[24] + ranked[25]) / 2
    high = (ranked[74] + ranked[75]) / 2
    policy = IntakePolicyFactory(
        project=project,
        automation_level=AutomationLevel.PARTIAL,
        spam__remove_threshold=high,
        spam__allow_threshold=low,
        granted_to=platform,
    )

    states = {}
    for index, text in enumerate(texts):
        states[index] = submit(key, policy, f"band-{index}", text).json()["state"]

    for index, score in enumerate(scores):
        expected = (
            ContentState.REMOVED
            if score >= high
            else ContentState.ALLOWED
            if score <= low
            else ContentState.PENDING
        )
        assert states[index] == expected, (score, low, high)
    assert set(states.values()) == {"removed", "allowed", "pending"}


def project_path(served):
    from tests.skips import DATASETS

    return DATASETS / "sms_spam_collection.tsv"


def test_without_a_production_model_content_goes_to_people(platform_key):
    platform, key = platform_key
    policy = IntakePolicyFactory(automation_level=AutomationLevel.FULL, granted_to=platform)

    answer = submit(key, policy, "no-model", SPAM).json()

    assert answer["state"] == "pending"
    assert answer["model_version"] is None
    assert answer["score"] is None
    assert any("no production model" in reason for reason in answer["reasons"])


def test_automatic_decisions_never_become_training_labels(served, platform_key):
    project, _ = served
    platform, key = platform_key
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.FULL, granted_to=platform
    )
    labels_before = Annotation.objects.count()

    answer = submit(key, policy, "auto", SPAM).json()

    assert answer["state"] == "removed"
    assert Annotation.objects.count() == labels_before
    decision = Decision.objects.get(content_id=answer["content_id"])
    assert decision.reason_code.code == "SPAM-1"
    assert AuditEvent.objects.filter(action="decision.create", object_id=str(decision.pk)).exists()


def test_every_content_gets_an_item_and_an_author_and_repeats_change_nothing(served, platform_key):
    project, _ = served
    platform, key = platform_key
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.ASSIST, granted_to=platform
    )
    items_before = Item.objects.count()

    first = submit(key, policy, "dup-1", HAM, context={"language": "en", "url": "https://x.test/1"})
    again = submit(key, policy, "dup-1", HAM)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Item.objects.count() == items_before + 1
    item = Item.objects.get(external_id=f"mod:{platform.pk}:dup-1")
    assert item.project == project
    assert item.text == HAM
    assert item.metadata["language"] == "en"
    assert Content.objects.get().author == Author.objects.get(external_id="author-7")


def test_canary_scores_its_share_and_shadow_versions_are_logged(served, platform_key):
    project, production = served
    platform, key = platform_key
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.ASSIST, granted_to=platform
    )
    policy.canary_share = 0.5
    policy.save()
    canary = _copy_version(production, stage=Stage.CANARY)
    shadow = _copy_version(production, stage=Stage.SHADOW)

    versions = [
        submit(key, policy, f"canary-{i}", HAM + f" {i}").json()["model_version"] for i in range(20)
    ]

    assert set(versions) == {production.version, canary.version}
    again = [
        submit(key, policy, f"canary-{i}", HAM + f" {i}").json()["model_version"] for i in range(20)
    ]
    assert again == versions  # stable per external id
    for content in Content.objects.all():
        assert set(content.scores["shadow"]) == {str(shadow.version)}


def _copy_version(version, *, stage: str):
    """Another version of the same project with the same weights, at ``stage``."""
    from models_app.services.registry import (
        model_version_artifact_bytes,
        model_version_register,
        model_version_set_stage,
    )

    copy = model_version_register(
        owner=version.owner,
        algorithm=version.algorithm,
        embedder=version.embedder,
        snapshot_id=version.snapshot_id,
        snapshot_hash=version.snapshot_hash,
        label_count=version.label_count,
        hyperparameters=version.hyperparameters,
        metrics=version.metrics,
        artifact=model_version_artifact_bytes(version=version),
    )
    return model_version_set_stage(version=copy, stage=stage)


def test_bad_input_is_refused_with_a_clear_message(platform_key, settings):
    platform, key = platform_key
    policy = IntakePolicyFactory(automation_level=AutomationLevel.HUMAN_ONLY, granted_to=platform)
    settings.TANDEM_TEXT_MAX_CHARS = 50

    too_long = submit(key, policy, "long", "x" * 51)
    nothing = submit(key, policy, "empty")
    not_image = submit(key, policy, "img", image="aGVsbG8gd29ybGQ=")
    bad_policy = APIClient().post(
        "/api/v1/platform/intake/",
        {"policy": 999999, "external_id": "p", "author_id": "a", "text": "hi"},
        format="json",
        **auth(key),
    )

    assert too_long.status_code == 413
    assert "limit" in too_long.json()["message"]
    assert nothing.status_code == 400
    assert not_image.status_code == 400
    assert "not an image" in not_image.json()["message"]
    assert bad_policy.status_code == 404
    assert not Content.objects.exists()


def test_batch_accepts_good_entries_and_reports_bad_ones_by_index(platform_key, settings):
    platform, key = platform_key
    policy = IntakePolicyFactory(automation_level=AutomationLevel.HUMAN_ONLY, granted_to=platform)
    settings.TANDEM_TEXT_MAX_CHARS = 200
    items = [
        {"policy": policy.pk, "external_id": "b0", "author_id": "a", "text": HAM},
        {"policy": policy.pk, "external_id": "b1", "author_id": "a"},
        {"policy": policy.pk, "external_id": "b2", "author_id": "a", "text": "y" * 201},
        {"policy": policy.pk, "external_id": "b3", "author_id": "a", "image": "bm90IGFuIGltYWdl"},
        {"external_id": "b4", "author_id": "a", "text": HAM},
        {"policy": policy.pk, "external_id": "b5", "author_id": "b", "text": SPAM},
    ]

    response = APIClient().post(
        "/api/v1/platform/intake/batch/", {"items": items}, format="json", **auth(key)
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["index"] for r in body["results"]] == [0, 5]
    assert [e["index"] for e in body["errors"]] == [1, 2, 3, 4]
    assert "policy" in body["errors"][3]["message"]
    assert (body["accepted"], body["rejected"]) == (2, 4)
    assert set(Content.objects.values_list("external_id", flat=True)) == {"b0", "b5"}


def test_batch_over_the_limit_is_refused(platform_key, settings):
    _, key = platform_key
    settings.TANDEM_INTAKE_BATCH_MAX = 3
    items = [{"policy": 1, "external_id": str(i), "author_id": "a", "text": "t"} for i in range(4)]

    response = APIClient().post(
        "/api/v1/platform/intake/batch/", {"items": items}, format="json", **auth(key)
    )

    assert response.status_code == 413


def test_rules_flag_content_for_review(platform_key):
    platform, key = platform_key
    policy = IntakePolicyFactory(
        automation_level=AutomationLevel.HUMAN_ONLY,
        spam__rules=[r"\bprize\b", "jackpot"],
        granted_to=platform,
    )

    answer = submit(key, policy, "ruled", SPAM).json()

    content = Content.objects.get(pk=answer["content_id"])
    assert set(content.reports.values_list("source", "reporter")) == {
        ("rule", r"\bprize\b"),
        ("rule", "jackpot"),
    }
    assert content.report_count == 2
    assert answer["category"] == "spam"
    assert content.priority == pytest.approx(3 * 0.5 * 3)
    assert content.sla_due_at is not None


def test_platform_polls_the_state_of_its_own_content_only(platform_key):
    platform, key = platform_key
    _, other_key = platform_with_key("Other", scopes=("reports",))
    policy = IntakePolicyFactory(automation_level=AutomationLevel.HUMAN_ONLY, granted_to=platform)
    answer = submit(key, policy, "mine", HAM).json()

    mine = APIClient().get("/api/v1/platform/contents/mine/", **auth(key))
    theirs = APIClient().get("/api/v1/platform/contents/mine/", **auth(other_key))

    assert mine.status_code == 200
    assert mine.json() == answer
    assert theirs.status_code == 404


def test_automatic_enforcement_reaches_the_platform_by_signed_webhook(
    served, platform_key, settings, django_capture_on_commit_callbacks
):
    from tests.webhook_receiver import SECRET, Receiver

    settings.TANDEM_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    project, _ = served
    platform, key = platform_key
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.FULL, granted_to=platform
    )
    with Receiver(200) as receiver:
        WebhookEndpointFactory(platform=platform, url=receiver.url, secret=SECRET)
        with django_capture_on_commit_callbacks(execute=True):
            removed = submit(key, policy, "auto-spam", SPAM).json()
            allowed = submit(key, policy, "auto-ham", HAM).json()

    assert (removed["state"], allowed["state"]) == ("removed", "allowed")
    got = {r["body"]["content"]["external_id"]: r for r in receiver.received}
    assert set(got) == {"auto-spam", "auto-ham"}
    assert all(r["signature_ok"] for r in got.values())
    assert got["auto-spam"]["body"]["decision"]["action"] == "remove"
    assert got["auto-spam"]["body"]["decision"]["automated"] is True
    assert got["auto-ham"]["body"]["content"]["state"] == "allowed"


def test_automatic_decisions_send_nothing_without_a_configured_endpoint(served, platform_key):
    from moderation.models import WebhookDelivery

    project, _ = served
    platform, key = platform_key
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.FULL, granted_to=platform
    )

    assert submit(key, policy, "quiet", SPAM).json()["state"] == "removed"
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("broken", ["embedder", "artifact"])
def test_a_model_that_cannot_run_leaves_the_decision_to_people_instead_of_failing_intake(
    served, platform_key, broken
):
    """Found by the hostile-text sweep: a production version whose embedder is not installed
    here answered 500 to every intake. Intake degrades to people deciding, and says why."""
    from moderation.services import model_serving

    project, version = served
    platform, key = platform_key
    policy = IntakePolicyFactory(
        project=project, automation_level=AutomationLevel.FULL, granted_to=platform
    )
    if broken == "embedder":
        version.embedder = "no-such-embedder@1"
        version.save(update_fields=["embedder"])
    else:
        version.artifact.storage.delete(version.artifact.name)
    model_serving._classifiers.clear()

    response = submit(key, policy, "post-broken-model", SPAM)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["verdict"] == "pending_review"
    assert body["model_version"] is None
    assert any("could not score" in reason for reason in body["reasons"])
    content = Content.objects.get(external_id="post-broken-model")
    assert content.state == ContentState.PENDING
    assert not Decision.objects.filter(content=content).exists()


def test_automatic_removals_strike_the_author_and_cross_thresholds_once(served, platform_key):
    from moderation.models import AuthorSanction
    from moderation.selectors.strikes import author_live_points

    project, _version = served
    platform, key = platform_key
    policy = IntakePolicyFactory(
        project=project,
        automation_level=AutomationLevel.FULL,
        granted_to=platform,
        strike_thresholds=[{"points": 3, "action": "warn"}],
    )

    for number in range(2):
        assert submit(key, policy, f"post-{number}", SPAM).json()["state"] == "removed"
    assert submit(key, policy, "post-ham", HAM).json()["state"] == "allowed"

    author = Author.objects.get(external_id="author-7")
    assert author_live_points(author_id=author.pk) == 6  # spam: severity 3, twice
    assert list(AuthorSanction.objects.values_list("kind", "source")) == [("warn", "threshold")]
