"""A small installation with one of everything the API can point at, for the hostile-input tests.

A site admin (``root``), a text project with items, annotations, a disagreement to adjudicate,
a flag, a finished import, a training job and three model versions (one serving, one archived,
one candidate); a moderation policy on it, a platform with a key and a webhook endpoint, content
waiting for review, decided content, and an open appeal decided by someone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from core.models import AuditEvent
from labeling.choices import AnnotationSource, ImportFormat, ImportStatus, Role
from labeling.models import ImportJob, ItemFlag, Project
from models_app.choices import JobKind, JobStatus, JobTrigger, Stage
from models_app.models import ModelVersion, TrainingJob
from moderation.choices import AppealState, AutomationLevel, RuleAction
from moderation.models import (
    Appeal,
    BulkAction,
    Content,
    GoldItem,
    Platform,
    Policy,
    Rule,
    RuleBacktest,
    TextBank,
    WebhookEndpoint,
)
from moderation.services.platforms import api_key_create
from tests.factories import (
    AnnotationFactory,
    ItemFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)
from tests.factories.moderation import (
    AppealFactory,
    AuthorFactory,
    ContentFactory,
    PlatformFactory,
    ReviewPolicyFactory,
    WebhookEndpointFactory,
    grant,
)

PASSWORD = "correct horse battery"


@dataclass
class World:
    root: Any
    other: Any
    invited: Any
    project: Project
    spare_project: Project
    items: list
    annotation: Any
    flag: ItemFlag
    import_job: ImportJob
    training_job: TrainingJob
    versions: dict[str, ModelVersion]
    member: Any
    policy: Policy
    platform: Platform
    platform_key: str
    webhook: WebhookEndpoint
    pending: Content
    decided: Content
    appealed: Content
    appeal: Appeal
    rule: Rule
    text_bank: TextBank
    backtest: RuleBacktest
    bulk_action: BulkAction
    gold: GoldItem

    def people(self) -> APIClient:
        client = APIClient()
        client.force_login(self.root)
        return client

    def platform_client(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.platform_key}")
        return client

    def client_for(self, path: str) -> APIClient:
        return self.platform_client() if path.startswith("/api/v1/platform/") else self.people()

    def path_values(self) -> dict[str, Any]:
        return {
            "project_id": self.project.pk,
            "item_id": self.items[0].pk,
            "annotation_id": self.annotation.pk,
            "flag_id": self.flag.pk,
            "import_id": self.import_job.pk,
            "job_id": self.training_job.pk,
            "version_id": self.versions["candidate"].pk,
            "member_id": self.member.pk,
            "policy_id": self.policy.pk,
            "platform_id": self.platform.pk,
            "key_id": self.platform.api_keys.first().pk,
            "endpoint_id": self.webhook.pk,
            "content_id": self.pending.pk,
            "appeal_id": self.appeal.pk,
            "author_id": self.pending.author_id,
            "event_id": AuditEvent.objects.order_by("pk").first().pk,
            "external_id": self.pending.external_id,
            "number": 1,  # the project's dataset snapshot, exported as JSONL
            "export_format": "jsonl",
            "rule_id": self.rule.pk,
            "bank_id": self.text_bank.pk,
            "backtest_id": self.backtest.pk,
            "bulk_action_id": self.bulk_action.pk,
            "gold_id": self.gold.pk,
        }

    def invitation(self) -> dict[str, str]:
        return {
            "uid": urlsafe_base64_encode(force_bytes(self.invited.pk)),
            "token": default_token_generator.make_token(self.invited),
        }


def _version(project: Project, number: int, stage: str, promoted_days_ago: int | None):
    promoted = (
        timezone.now() - timedelta(days=promoted_days_ago)
        if promoted_days_ago is not None
        else None
    )
    version = ModelVersion(
        owner=project.owner_key,
        version=number,
        algorithm="logreg",
        embedder="hashing@1",
        snapshot_id=f"s{number}",
        snapshot_hash=f"h{number}",
        stage=stage,
        promoted_at=promoted,
    )
    version.artifact.save(f"v{number}.npz", ContentFile(b"not used by these tests"), save=False)
    version.save()
    return version


def _decided(client: APIClient, policy: Policy, platform: Platform, external_id: str) -> Content:
    content = ContentFactory(policy=policy, platform=platform, external_id=external_id)
    client.post("/api/v1/moderation/queue/next/", {}, format="json")
    response = client.post(
        f"/api/v1/moderation/contents/{content.pk}/decide/",
        {"action": "remove", "reason_code": "SPAM-1"},
        format="json",
    )
    assert response.status_code == 201, response.content
    content.refresh_from_db()
    return content


def _snapshot_with_export(project: Project, owner) -> None:
    """Dataset snapshot 1 of the project, cut and written as JSONL (files in this test's media)."""
    from labeling.services.datasets.cut import snapshot_create, snapshot_run
    from labeling.services.datasets.exports import dataset_export_request, dataset_export_run
    from labeling.services.datasets.filters import snapshot_filters_parse

    filters = snapshot_filters_parse(raw={}, class_names=["ham", "spam"])
    snapshot = snapshot_create(project=project, created_by=owner, filters=filters, enqueue=False)
    cut = snapshot_run(snapshot_id=snapshot.pk)
    assert cut is not None
    assert cut.state == "succeeded", cut.error_message
    export, _ = dataset_export_request(snapshot=cut, fmt="jsonl", user=None, enqueue=False)
    dataset_export_run(export_id=export.pk)


def build_world() -> World:
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    other = UserFactory(username="senior")
    invited = UserFactory(username="invited")
    invited.set_unusable_password()
    invited.save()
    project = ProjectFactory(name="Messages", embedder="hashing", annotations_per_item=2)
    spare_project = ProjectFactory(name="Spare")
    items = [ItemFactory(project=project) for _ in range(4)]
    # A disagreement to adjudicate: two people labeled the first item differently.
    MembershipFactory(project=project, user=other, role=Role.SENIOR_MODERATOR)
    third = UserFactory(username="third")
    MembershipFactory(project=project, user=third, role=Role.ANNOTATOR)
    for user, label in ((other, "ham"), (third, "spam")):
        AnnotationFactory(item=items[0], annotator=user, labels=[label])
    annotation = AnnotationFactory(
        item=items[1], annotator=root, labels=["ham"], source=AnnotationSource.HUMAN
    )
    member = MembershipFactory(project=project, user=UserFactory(username="member1"))
    flag = ItemFlag.objects.create(item=items[2], user=other, reason="Unclear wording")
    import_job = ImportJob(
        project=project,
        created_by=root,
        original_name="messages.csv",
        format=ImportFormat.CSV,
        status=ImportStatus.FAILED,
        error_message="No text column found.",
        total_bytes=12,
    )
    import_job.file.save("messages.csv", ContentFile(b"a,b\n1,2\n"), save=False)
    import_job.save()
    training_job = TrainingJob.objects.create(
        owner=project.owner_key,
        kind=JobKind.TRAIN,
        trigger=JobTrigger.MANUAL,
        status=JobStatus.SUCCEEDED,
    )
    versions = {
        "archived": _version(project, 1, Stage.ARCHIVED, promoted_days_ago=3),
        "production": _version(project, 2, Stage.PRODUCTION, promoted_days_ago=1),
        "candidate": _version(project, 3, Stage.CANDIDATE, promoted_days_ago=None),
    }
    # People decide (no model scores intake: the versions above have no real artifact).
    policy = ReviewPolicyFactory(project=project, automation_level=AutomationLevel.HUMAN_ONLY)
    platform = PlatformFactory(name="Chatter")
    key = api_key_create(
        platform=platform, scopes=["intake", "reports", "appeals"], created_by=root
    ).key
    grant(policy, platform)
    webhook = WebhookEndpointFactory(
        platform=platform, url="http://127.0.0.1:9/hook", secret="s" * 32
    )
    other_client = APIClient()
    other_client.force_login(other)
    decided = _decided(other_client, policy, platform, "post-decided")
    appealed = _decided(other_client, policy, platform, "post-appealed")
    appeal = AppealFactory(
        content=appealed,
        decision=appealed.decisions.order_by("-pk").first(),
        statement="It was a real prize draw.",
        state=AppealState.OPEN,
    )
    pending = ContentFactory(
        policy=policy,
        platform=platform,
        external_id="post-pending",
        author=AuthorFactory(platform=platform, external_id="author-7"),
    )
    _snapshot_with_export(project, root)
    text_bank = TextBank.objects.create(policy=policy, name="world bank", terms=["free money"])
    rule = Rule.objects.create(
        policy=policy,
        name="world rule",
        condition={"signal": "bank", "bank": "world bank"},
        action=RuleAction.REVIEW,
    )
    backtest = RuleBacktest.objects.create(
        policy=policy,
        rule=rule,
        condition=rule.condition,
        period_start=timezone.now() - timedelta(days=7),
        period_end=timezone.now(),
    )
    bulk_action = BulkAction.objects.create(kind="remove", created_by=root, total=1)
    gold = GoldItem.objects.create(policy=policy, content=appealed, expected_action="remove")
    return World(
        root=root,
        other=other,
        invited=invited,
        project=project,
        spare_project=spare_project,
        items=items,
        annotation=annotation,
        flag=flag,
        import_job=import_job,
        training_job=training_job,
        versions=versions,
        member=member,
        policy=policy,
        platform=platform,
        platform_key=key,
        webhook=webhook,
        pending=pending,
        decided=decided,
        appealed=appealed,
        appeal=appeal,
        rule=rule,
        text_bank=text_bank,
        backtest=backtest,
        bulk_action=bulk_action,
        gold=gold,
    )
