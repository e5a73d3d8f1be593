"""Who may call which endpoint: one row per endpoint and method, one column per persona.

Project-scoped endpoints answer non-members with 404 so that a project's existence (and any
of its ids) is never revealed; members whose role is not allowed get 403.
"""

import copy
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern
from django.utils import timezone
from rest_framework.test import APIClient

from core.api import urls as core_urls
from core.services.api_tokens import api_token_create
from core.services.audit import audit_record
from core.services.users import invitation_path
from labeling.api import urls as labeling_urls
from labeling.choices import ImportFormat, ImportStatus, Role
from labeling.models import ImportJob, ItemFlag, Project, ProjectMembership
from labeling.services.annotations import annotation_create
from labeling.services.queue import queue_next
from models_app.choices import JobKind, JobStatus, JobTrigger, Stage
from models_app.models import ModelVersion, TrainingJob
from models_app.services.registry import model_version_register, model_version_set_stage
from moderation.api import urls as moderation_urls
from tests.factories import (
    AnnotationFactory,
    ItemFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)
from tests.module_data import built_once

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # what UserFactory sets
ROLES = [role.value for role in Role]
PERSONAS = [*ROLES, "superuser", "staff", "non_member", "anonymous"]
# Session authentication comes first, so DRF answers anonymous callers with 403 rather than 401;
# either one is a refusal.
ANON = "401 or 403"


# --- expected status by persona ----------------------------------------------------------------


def public(ok: int) -> dict[str, Any]:
    return dict.fromkeys(PERSONAS, ok)


def signed_in(ok: int) -> dict[str, Any]:
    return {**dict.fromkeys(PERSONAS, ok), "anonymous": ANON}


def staff_only(ok: int) -> dict[str, Any]:
    expected = {p: ok if p in {"staff", "superuser"} else 403 for p in PERSONAS}
    return {**expected, "anonymous": ANON}


def _project_roles(allowed: set[str], ok: int) -> dict[str, Any]:
    """Allowed roles and superusers get ``ok``; other roles 403; outsiders (staff too) 404."""
    expected: dict[str, Any] = {role: ok if role in allowed else 403 for role in ROLES}
    expected.update(superuser=ok, staff=404, non_member=404, anonymous=ANON)
    return expected


def any_member(ok: int) -> dict[str, Any]:
    return _project_roles(set(ROLES), ok)


def admin_only(ok: int) -> dict[str, Any]:
    return _project_roles({Role.ADMIN}, ok)


def data_roles(ok: int) -> dict[str, Any]:
    return _project_roles({Role.ADMIN, Role.ML_ENGINEER}, ok)


def stage_roles(ok: int) -> dict[str, Any]:
    return _project_roles({Role.ADMIN, Role.ML_ENGINEER, Role.SENIOR_MODERATOR}, ok)


def audit_readers(ok: int) -> dict[str, Any]:
    """Site admins read the whole audit log; project admins and senior moderators their
    projects' events; everyone else is refused (403)."""
    readers = {Role.ADMIN, Role.SENIOR_MODERATOR, "superuser", "staff"}
    return {**{p: ok if p in readers else 403 for p in PERSONAS}, "anonymous": ANON}


def label_roles(ok: int) -> dict[str, Any]:
    return _project_roles({Role.ADMIN, Role.ML_ENGINEER, Role.ANNOTATOR}, ok)


def moderate_roles(ok: int) -> dict[str, Any]:
    return _project_roles({Role.ADMIN, Role.MODERATOR, Role.SENIOR_MODERATOR}, ok)


def senior_roles(ok: int) -> dict[str, Any]:
    return _project_roles({Role.ADMIN, Role.SENIOR_MODERATOR}, ok)


@dataclass(frozen=True)
class Endpoint:
    route: str  # the URL pattern's name
    method: str
    # under /api/v1/; {project}, {member}, {item}, {job}, {training_job}, {version} are filled in
    path: str
    expected: dict[str, Any]


E = Endpoint
ENDPOINTS = [
    # core/api/urls.py
    E("auth-csrf", "get", "auth/csrf/", public(200)),
    E("auth-login", "post", "auth/login/", public(200)),
    E("auth-logout", "post", "auth/logout/", signed_in(204)),
    E("auth-me", "get", "auth/me/", signed_in(200)),
    E("auth-token", "get", "auth/token/", signed_in(200)),
    E("auth-token", "post", "auth/token/", signed_in(201)),
    E("auth-token", "delete", "auth/token/", signed_in(204)),
    E("invitation-accept", "post", "auth/invitations/accept/", public(200)),
    E("users", "get", "users/", staff_only(200)),
    E("users", "post", "users/", staff_only(201)),
    E("audit", "get", "audit/", audit_readers(200)),
    E("audit-detail", "get", "audit/{audit}/", audit_readers(200)),
    E("audit-export", "get", "audit/export/?format=csv", audit_readers(200)),
    # labeling/api/urls.py
    E("projects", "get", "projects/", signed_in(200)),
    E("projects", "post", "projects/", staff_only(201)),
    E("project-detail", "get", "projects/{project}/", any_member(200)),
    E("project-detail", "patch", "projects/{project}/", admin_only(200)),
    E("project-detail", "delete", "projects/{project}/", admin_only(204)),
    E("project-status", "get", "projects/{project}/status/", any_member(200)),
    E(
        "project-guidelines-preview",
        "post",
        "projects/{project}/guidelines/preview/",
        admin_only(200),
    ),
    E("members", "get", "projects/{project}/members/", any_member(200)),
    E("members", "post", "projects/{project}/members/", admin_only(201)),
    E("member-detail", "patch", "projects/{project}/members/{member}/", admin_only(200)),
    E("member-detail", "delete", "projects/{project}/members/{member}/", admin_only(204)),
    E("items", "get", "projects/{project}/items/", any_member(200)),
    E("item-detail", "get", "projects/{project}/items/{item}/", any_member(200)),
    E("item-similar", "get", "projects/{project}/items/{item}/similar/", any_member(200)),
    E("item-image", "get", "projects/{project}/items/{image_item}/image/", any_member(200)),
    E(
        "item-thumbnail",
        "get",
        "projects/{project}/items/{image_item}/thumbnail/",
        any_member(200),
    ),
    E(
        "item-annotations",
        "post",
        "projects/{project}/items/{item}/annotations/",
        label_roles(201),
    ),
    E("imports", "get", "projects/{project}/imports/", data_roles(200)),
    E("imports", "post", "projects/{project}/imports/", data_roles(202)),
    E("import-detail", "get", "projects/{project}/imports/{job}/", data_roles(200)),
    E("import-retry", "post", "projects/{project}/imports/{job}/retry/", data_roles(202)),
    E("import-file", "get", "projects/{project}/imports/{job}/file/", data_roles(200)),
    E("export", "get", "projects/{project}/export/", data_roles(200)),
    E("snapshots", "get", "projects/{project}/snapshots/", data_roles(200)),
    E("snapshots", "post", "projects/{project}/snapshots/", data_roles(202)),
    E("snapshot-preview", "post", "projects/{project}/snapshots/preview/", data_roles(200)),
    E("snapshot-detail", "get", "projects/{project}/snapshots/1/", data_roles(200)),
    E("snapshot-manifest", "get", "projects/{project}/snapshots/1/manifest/", data_roles(200)),
    E("snapshot-diff", "get", "projects/{project}/snapshots/diff/", data_roles(200)),
    E(
        "dataset-exports",
        "post",
        "projects/{project}/snapshots/1/exports/",
        data_roles(202),
    ),
    E(
        "dataset-export-download",
        "get",
        "projects/{project}/snapshots/1/exports/jsonl/download/",
        data_roles(200),
    ),
    E("training-jobs", "get", "projects/{project}/training-jobs/", data_roles(200)),
    E("training-jobs", "post", "projects/{project}/training-jobs/", data_roles(202)),
    E(
        "training-job-detail",
        "get",
        "projects/{project}/training-jobs/{training_job}/",
        data_roles(200),
    ),
    E("model-versions", "get", "projects/{project}/model-versions/", any_member(200)),
    E(
        "model-version-detail",
        "get",
        "projects/{project}/model-versions/{version}/",
        any_member(200),
    ),
    E(
        "model-version-artifact",
        "get",
        "projects/{project}/model-versions/{version}/artifact/",
        data_roles(200),
    ),
    E(
        "model-version-stage",
        "post",
        "projects/{project}/model-versions/{version}/stage/",
        stage_roles(200),
    ),
    E(
        "model-version-rollback",
        "post",
        "projects/{project}/model-versions/rollback/",
        stage_roles(200),
    ),
    E(
        "model-version-compare",
        "get",
        "projects/{project}/model-versions/compare/",
        any_member(200),
    ),
    E(
        "model-version-evaluation",
        "get",
        "projects/{project}/model-versions/{version}/evaluation/",
        any_member(200),
    ),
    E(
        "model-version-evaluation",
        "post",
        "projects/{project}/model-versions/{version}/evaluation/",
        data_roles(202),
    ),
    E("evaluation-settings", "get", "projects/{project}/evaluation-settings/", any_member(200)),
    E("evaluation-settings", "put", "projects/{project}/evaluation-settings/", admin_only(200)),
    E("learning-curve", "get", "projects/{project}/learning-curve/", any_member(200)),
    E("auto-label", "get", "projects/{project}/auto-label/", any_member(200)),
    E("drift-state", "get", "projects/{project}/drift/", any_member(200)),
    E("drift-windows", "get", "projects/{project}/drift/windows/", any_member(200)),
    E("drift-settings", "get", "projects/{project}/drift/settings/", any_member(200)),
    E("drift-settings", "patch", "projects/{project}/drift/settings/", data_roles(200)),
    E("agreement", "get", "projects/{project}/agreement/", data_roles(200)),
    E("adjudication", "get", "projects/{project}/adjudication/", data_roles(200)),
    E(
        "adjudication-resolve",
        "post",
        "projects/{project}/adjudication/{item}/",
        data_roles(200),
    ),
    E("dashboard", "get", "projects/{project}/dashboard/", data_roles(200)),
    E("queue-next", "post", "projects/{project}/queue/next/", label_roles(200)),
    E("queue-assignments", "get", "projects/{project}/queue/assignments/", label_roles(200)),
    E("queue-renew", "post", "projects/{project}/queue/items/{item}/renew/", label_roles(200)),
    E("queue-release", "post", "projects/{project}/queue/items/{item}/release/", label_roles(204)),
    E("queue-skip", "post", "projects/{project}/queue/items/{item}/skip/", label_roles(204)),
    E("queue-submit", "post", "projects/{project}/queue/items/{item}/submit/", label_roles(201)),
    E("queue-stats", "get", "projects/{project}/queue/stats/", label_roles(200)),
    E("queue-history", "get", "projects/{project}/queue/history/", label_roles(200)),
    E(
        "annotation-detail",
        "patch",
        "projects/{project}/annotations/{annotation}/",
        label_roles(200),
    ),
    E("item-flags", "post", "projects/{project}/items/{item}/flags/", label_roles(201)),
    E("flags", "get", "projects/{project}/flags/", data_roles(200)),
    E("skips", "get", "projects/{project}/skips/", data_roles(200)),
    E("flag-resolve", "post", "projects/{project}/flags/{flag}/resolve/", data_roles(200)),
    # moderation/api/urls.py: platforms, grants, policies, hash banks (people's routes;
    # platform-* routes take API keys and are tested in tests/moderation/test_platform_keys.py)
    E("moderation-platforms", "get", "moderation/platforms/", staff_only(200)),
    E("moderation-platforms", "post", "moderation/platforms/", staff_only(201)),
    E("moderation-platform-keys", "get", "moderation/platforms/{platform}/keys/", staff_only(200)),
    E("moderation-platform-keys", "post", "moderation/platforms/{platform}/keys/", staff_only(201)),
    E(
        "moderation-platform-key-revoke",
        "post",
        "moderation/platforms/{platform}/keys/{key}/revoke/",
        staff_only(200),
    ),
    E(
        "moderation-platform-grants",
        "get",
        "moderation/platforms/{platform}/grants/",
        staff_only(200),
    ),
    E(
        "moderation-platform-grant",
        "put",
        "moderation/platforms/{platform}/grants/{policy}/",
        staff_only(201),
    ),
    E(
        "moderation-platform-grant",
        "delete",
        "moderation/platforms/{platform}/grants/{policy}/",
        staff_only(204),
    ),
    E("moderation-policies", "get", "moderation/policies/", signed_in(200)),
    # Creating a policy needs admin of the named project (outsiders are told 403, not 404:
    # the project id is theirs to send).
    E(
        "moderation-policies",
        "post",
        "moderation/policies/",
        {**dict.fromkeys(PERSONAS, 403), Role.ADMIN: 201, "superuser": 201, "anonymous": ANON},
    ),
    E("moderation-policy-detail", "get", "moderation/policies/{policy}/", moderate_roles(200)),
    E("moderation-policy-detail", "patch", "moderation/policies/{policy}/", senior_roles(200)),
    E("moderation-policy-hashes", "get", "moderation/policies/{policy}/hashes/", senior_roles(200)),
    E(
        "moderation-policy-hashes",
        "post",
        "moderation/policies/{policy}/hashes/",
        senior_roles(201),
    ),
    # Suspect labels: members read; the data roles run the job and send second opinions.
    E("suspect-labels", "get", "projects/{project}/suspect-labels/", any_member(200)),
    E("suspect-labels-run", "post", "projects/{project}/suspect-labels/run/", data_roles(202)),
    E(
        "suspect-labels-second-opinion",
        "post",
        "projects/{project}/suspect-labels/second-opinion/",
        data_roles(200),
    ),
    E("label-quality", "get", "projects/{project}/label-quality/", any_member(200)),
    # An author's record (strikes, actions): moderators of a policy the author posted under.
    # Members who may not moderate are told the author does not exist (404), not refused.
    E(
        "moderation-author-detail",
        "get",
        "moderation/authors/{author}/",
        {**moderate_roles(200), Role.ANNOTATOR: 404, Role.ML_ENGINEER: 404},
    ),
    # Reviewer wellness: everyone's own settings and exposure; staff set the defaults; the
    # exposure of moderators is for those who run a policy (and staff).
    # Quality of moderation: policy admins set the rates and gold items; everyone signed in
    # reads the dashboard (their own figures, or nothing).
    E("moderation-quality", "get", "moderation/quality/", signed_in(200)),
    E(
        "moderation-policy-quality",
        "get",
        "moderation/policies/{policy}/quality/",
        senior_roles(200),
    ),
    E(
        "moderation-policy-quality",
        "patch",
        "moderation/policies/{policy}/quality/",
        senior_roles(200),
    ),
    E(
        "moderation-policy-gold-items",
        "get",
        "moderation/policies/{policy}/gold-items/",
        senior_roles(200),
    ),
    E(
        "moderation-policy-gold-items",
        "post",
        "moderation/policies/{policy}/gold-items/",
        senior_roles(201),
    ),
    E(
        "moderation-gold-item-retire",
        "post",
        "moderation/gold-items/{gold}/retire/",
        senior_roles(200),
    ),
    E("moderation-wellness-me", "get", "moderation/wellness/me/", signed_in(200)),
    E("moderation-wellness-me", "patch", "moderation/wellness/me/", signed_in(200)),
    E("moderation-wellness-me-reset", "post", "moderation/wellness/me/reset/", signed_in(200)),
    E("moderation-wellness-defaults", "get", "moderation/wellness/defaults/", staff_only(200)),
    E("moderation-wellness-defaults", "patch", "moderation/wellness/defaults/", staff_only(200)),
    E("moderation-wellness-exposure", "get", "moderation/wellness/exposure/", signed_in(200)),
    E(
        "moderation-wellness-exposure-moderators",
        "get",
        "moderation/wellness/exposure/moderators/",
        {
            **staff_only(200),
            Role.ADMIN: 200,
            Role.SENIOR_MODERATOR: 200,
        },
    ),
    E("moderation-wellness-breaks", "post", "moderation/wellness/breaks/", signed_in(201)),
    E(
        "moderation-content-reveal",
        "post",
        "moderation/contents/{content}/reveal/",
        moderate_roles(200),
    ),
    # Rules, text banks and backtests: moderators read; senior moderators and admins write.
    E("moderation-policy-rules", "get", "moderation/policies/{policy}/rules/", moderate_roles(200)),
    E("moderation-policy-rules", "post", "moderation/policies/{policy}/rules/", senior_roles(201)),
    E("moderation-rule", "get", "moderation/rules/{rule}/", moderate_roles(200)),
    E("moderation-rule", "patch", "moderation/rules/{rule}/", senior_roles(200)),
    E("moderation-rule", "delete", "moderation/rules/{rule}/", senior_roles(204)),
    E(
        "moderation-policy-text-banks",
        "get",
        "moderation/policies/{policy}/text-banks/",
        moderate_roles(200),
    ),
    E(
        "moderation-policy-text-banks",
        "post",
        "moderation/policies/{policy}/text-banks/",
        senior_roles(201),
    ),
    E("moderation-text-bank", "get", "moderation/text-banks/{bank}/", moderate_roles(200)),
    E("moderation-text-bank", "patch", "moderation/text-banks/{bank}/", senior_roles(200)),
    E("moderation-text-bank", "delete", "moderation/text-banks/{bank}/", senior_roles(204)),
    E(
        "moderation-policy-backtests",
        "get",
        "moderation/policies/{policy}/backtests/",
        moderate_roles(200),
    ),
    E(
        "moderation-policy-backtests",
        "post",
        "moderation/policies/{policy}/backtests/",
        senior_roles(202),
    ),
    E("moderation-backtest", "get", "moderation/backtests/{backtest}/", moderate_roles(200)),
    # Review queues: everyone lists the queues they may work (none outside their policies);
    # the policy's admins (project admins, senior moderators) manage queues and members.
    E("moderation-queues", "get", "moderation/queues/", signed_in(200)),
    E("moderation-policy-queues", "get", "moderation/policies/{policy}/queues/", senior_roles(200)),
    E(
        "moderation-policy-queues",
        "post",
        "moderation/policies/{policy}/queues/",
        senior_roles(201),
    ),
    E("moderation-review-queue", "patch", "moderation/queues/{queue}/", senior_roles(200)),
    E("moderation-review-queue", "delete", "moderation/queues/{queue}/", senior_roles(204)),
    E(
        "moderation-review-queue-members",
        "post",
        "moderation/queues/{queue}/members/",
        senior_roles(201),
    ),
    E(
        "moderation-review-queue-member",
        "delete",
        "moderation/queues/{queue}/members/{queue_member}/",
        senior_roles(204),
    ),
    # Investigation: a search finds only what the caller moderates (200 for everyone signed in);
    # a bulk action needs the senior role on every policy covered (a moderator 403); content
    # the caller cannot moderate is "not found among yours" (400, nothing said about it); a
    # bulk action is shown to who asked for it (and superusers) only.
    E("moderation-search", "get", "moderation/search/", signed_in(200)),
    E(
        "moderation-bulk-actions",
        "post",
        "moderation/bulk-actions/",
        {
            **senior_roles(202),
            Role.MODERATOR: 403,
            Role.ANNOTATOR: 400,
            Role.ML_ENGINEER: 400,
            "staff": 400,
            "non_member": 400,
        },
    ),
    E(
        "moderation-bulk-action",
        "get",
        "moderation/bulk-actions/{bulk}/",
        {**dict.fromkeys(PERSONAS, 404), "superuser": 200, "anonymous": ANON},
    ),
    # moderation/api/urls.py: review, appeals, webhooks (roles from the policy's project; lists
    # show only what the caller moderates, so every signed-in caller gets 200)
    E("moderation-queue", "get", "moderation/queue/", signed_in(200)),
    E("moderation-queue-next", "post", "moderation/queue/next/", signed_in(200)),
    E("moderation-content-detail", "get", "moderation/contents/{content}/", moderate_roles(200)),
    E(
        "moderation-content-similar",
        "get",
        "moderation/contents/{content}/similar/",
        moderate_roles(200),
    ),
    E(
        "moderation-content-image",
        "get",
        "moderation/contents/{content}/image/",
        moderate_roles(200),
    ),
    E(
        "moderation-content-blurred",
        "get",
        "moderation/contents/{content}/blurred/",
        moderate_roles(200),
    ),
    E(
        "moderation-content-renew",
        "post",
        "moderation/contents/{content}/renew/",
        moderate_roles(200),
    ),
    E(
        "moderation-content-release",
        "post",
        "moderation/contents/{content}/release/",
        moderate_roles(204),
    ),
    E(
        "moderation-content-reassign",
        "post",
        "moderation/contents/{content}/reassign/",
        senior_roles(200),
    ),
    E(
        "moderation-content-decide",
        "post",
        "moderation/contents/{content}/decide/",
        moderate_roles(201),
    ),
    E("moderation-appeals", "get", "moderation/appeals/", signed_in(200)),
    E(
        "moderation-appeal-decide",
        "post",
        "moderation/appeals/{appeal}/decide/",
        senior_roles(200),
    ),
    E(
        "moderation-platform-webhooks",
        "get",
        "moderation/platforms/{platform}/webhooks/",
        staff_only(200),
    ),
    E(
        "moderation-platform-webhooks",
        "post",
        "moderation/platforms/{platform}/webhooks/",
        staff_only(201),
    ),
    E(
        "moderation-webhook-deliveries",
        "get",
        "moderation/webhooks/{webhook}/deliveries/",
        staff_only(200),
    ),
]


# --- what each call sends: a valid request, so an allowed caller succeeds ----------------------


def _invitation(world):
    query = parse_qs(urlsplit(invitation_path(user=world.invited)).fragment)
    return {"uid": query["uid"][0], "token": query["token"][0], "password": "violet tractor 42"}


BODIES: dict[tuple[str, str], Callable[[SimpleNamespace], dict[str, Any]]] = {
    ("auth-login", "post"): lambda w: {"username": w.owner.username, "password": PASSWORD},
    ("invitation-accept", "post"): _invitation,
    ("users", "post"): lambda w: {"username": "newcomer"},
    ("projects", "post"): lambda w: {
        "name": "New",
        "label_classes": [{"name": "a"}, {"name": "b"}],
    },
    ("project-detail", "patch"): lambda w: {"description": "changed"},
    ("project-guidelines-preview", "post"): lambda w: {"guidelines": "**bold**"},
    ("members", "post"): lambda w: {"username": w.newcomer.username, "role": Role.ANNOTATOR},
    ("member-detail", "patch"): lambda w: {"role": Role.MODERATOR},
    ("imports", "post"): lambda w: {"file": SimpleUploadedFile("more.csv", b"text\nhello\n")},
    ("dataset-exports", "post"): lambda w: {"format": "jsonl"},
    ("item-annotations", "post"): lambda w: {"labels": ["spam"]},
    ("model-version-stage", "post"): lambda w: {"stage": "production"},
    ("evaluation-settings", "put"): lambda w: {"slice_fields": []},
    ("adjudication-resolve", "post"): lambda w: {"labels": ["spam"]},
    ("drift-settings", "patch"): lambda w: {"score_psi_threshold": 0.3},
    ("queue-next", "post"): lambda w: {},
    ("queue-skip", "post"): lambda w: {"reason": "unclear"},
    ("queue-submit", "post"): lambda w: {"labels": ["spam"], "client_key": "matrix-1"},
    ("annotation-detail", "patch"): lambda w: {"labels": ["ham"]},
    ("item-flags", "post"): lambda w: {"reason": "unclear"},
    ("moderation-platforms", "post"): lambda w: {"name": "New platform"},
    ("moderation-platform-keys", "post"): lambda w: {"scopes": ["intake"]},
    ("moderation-policies", "post"): lambda w: {
        "name": "New policy",
        "project": w.project.pk,
        "categories": [{"name": "spam", "label_class": "spam"}],
    },
    ("moderation-policy-detail", "patch"): lambda w: {"description": "changed"},
    ("moderation-policy-hashes", "post"): lambda w: {
        "entries": [{"kind": "phash", "value": "0123456789abcdef", "category": "spam"}]
    },
    ("moderation-content-reassign", "post"): lambda w: {"user_id": w.moderation.moderator.pk},
    ("moderation-policy-rules", "post"): lambda w: {
        "name": "new rule",
        "condition": {"signal": "hash_match"},
        "action": "review",
    },
    ("moderation-rule", "patch"): lambda w: {"description": "changed"},
    ("moderation-policy-queues", "post"): lambda w: {"name": "New queue"},
    ("moderation-review-queue", "patch"): lambda w: {"restricted": True},
    ("moderation-review-queue-members", "post"): lambda w: {"user_id": w.moderation.moderator.pk},
    ("moderation-wellness-me", "patch"): lambda w: {"grayscale": True},
    ("moderation-policy-quality", "patch"): lambda w: {"gold_rate": 0.02},
    ("moderation-policy-gold-items", "post"): lambda w: {
        "content": w.moderation.ids["decided"],
        "expected_action": "remove",
    },
    ("moderation-wellness-defaults", "patch"): lambda w: {"sepia": True},
    ("moderation-wellness-breaks", "post"): lambda w: {"action": "break"},
    ("moderation-content-reveal", "post"): lambda w: {"kind": "text"},
    ("suspect-labels-second-opinion", "post"): lambda w: {"suspects": [_open_suspect(w).pk]},
    ("moderation-policy-text-banks", "post"): lambda w: {"name": "new bank", "terms": ["spam"]},
    ("moderation-text-bank", "patch"): lambda w: {"description": "changed"},
    ("moderation-policy-backtests", "post"): lambda w: {
        "rule": w.moderation.ids["rule"],
        "period_start": (timezone.now() - timedelta(days=1)).isoformat(),
        "period_end": (timezone.now() + timedelta(days=1)).isoformat(),
    },
    ("moderation-content-decide", "post"): lambda w: {"action": "remove", "reason_code": "SPAM-1"},
    ("moderation-bulk-actions", "post"): lambda w: {
        "kind": "remove",
        "reason_code": "SPAM-1",
        "content_ids": [w.moderation.ids["content"]],
        "expected_count": 1,
    },
    ("moderation-appeal-decide", "post"): lambda w: {"outcome": "overturn"},
    # An IP literal on the public internet: no DNS lookup in the test.
    ("moderation-platform-webhooks", "post"): lambda w: {"url": "http://93.184.215.14/new"},
}
MULTIPART = {("imports", "post")}
QUERY = {
    ("export", "get"): {"format": "csv"},
    # The world's snapshot is number 1 (compared with itself).
    ("snapshot-diff", "get"): {"a": 1, "b": 1},
    # Version numbers: the world's version is 1; _second_version registers 2.
    ("model-version-compare", "get"): {"a": 1, "b": 2},
}


def _lease_item(world, user) -> dict[str, int]:
    queue_next(project=world.project, user=user)
    return {}


def _second_version(world, user) -> dict[str, int]:
    _model_version(world.project)
    return {}


def _two_productions(world, user) -> dict[str, int]:
    # Something to roll back to: the world's version served before a newer one.
    model_version_set_stage(version=world.version, stage=Stage.PRODUCTION)
    model_version_set_stage(version=_model_version(world.project), stage=Stage.PRODUCTION)
    return {}


def _lease_content(world, user) -> dict[str, int]:
    from moderation.services.review import review_next

    review_next(user=user, tier="standard", policy_ids=[world.moderation.content.policy_id])
    return {}


def _without_moderation(world, user) -> dict[str, int]:
    # A policy protects its project (and content its item) from deletion: take them away so
    # this row tests who may delete a project. (Deleting a project a policy uses answers 500
    # today: labeling's project delete does not catch ProtectedError yet.)
    from moderation.models import Content, Policy

    Content.objects.filter(policy__project=world.project).delete()
    Policy.objects.filter(project=world.project).delete()
    return {}


def _own_annotation(world, user) -> dict[str, int]:
    annotation, _ = annotation_create(item=world.item, annotator=user, labels=["spam"])
    return {"annotation": annotation.pk}


# What the calling persona must hold before a valid request (a lease, an annotation of their
# own); returns ids for the path.
def _own_api_token(world, user) -> dict[str, int]:
    api_token_create(user=user)
    return {}


def _written_export(world, user) -> dict[str, int]:
    """The world's snapshot (number 1) exported as JSONL, ready to download."""
    from labeling.models import DatasetSnapshot
    from labeling.services.datasets.exports import dataset_export_request, dataset_export_run

    snapshot = DatasetSnapshot.objects.get(project=world.project, number=1)
    export, _ = dataset_export_request(snapshot=snapshot, fmt="jsonl", user=None, enqueue=False)
    dataset_export_run(export_id=export.pk)
    return {}


PREPARE: dict[tuple[str, str], Callable[[SimpleNamespace, Any], dict[str, int]]] = {
    ("dataset-export-download", "get"): _written_export,
    ("auth-token", "get"): _own_api_token,
    ("queue-renew", "post"): _lease_item,
    ("queue-release", "post"): _lease_item,
    ("queue-skip", "post"): _lease_item,
    ("queue-submit", "post"): _lease_item,
    ("annotation-detail", "patch"): _own_annotation,
    ("moderation-content-renew", "post"): _lease_content,
    ("project-detail", "delete"): _without_moderation,
    ("moderation-content-decide", "post"): _lease_content,
    ("model-version-rollback", "post"): _two_productions,
    ("model-version-compare", "get"): _second_version,
}


def _open_suspect(world: SimpleNamespace) -> Any:
    """An open suspect label of the world's item (one per call: sending it closes it)."""
    from labeling.models import SuspectLabel

    return SuspectLabel.objects.create(
        project=world.project, item=world.item, given_label="spam", suggested_label="ham",
        score=0.1, suggested_probability=0.9, rank=1,
    )  # fmt: skip


def _model_version(project: Project) -> ModelVersion:
    return model_version_register(
        owner=project.owner_key,
        algorithm="logreg",
        embedder="hashing@v1",
        snapshot_id="s",
        snapshot_hash="h",
        label_count=1,
        hyperparameters={},
        metrics={"roc_auc": 0.5},
        artifact=b"npz",
    )


def _training_job(project: Project) -> TrainingJob:
    return TrainingJob.objects.create(
        owner=project.owner_key,
        kind=JobKind.TRAIN,
        trigger=JobTrigger.MANUAL,
        status=JobStatus.FAILED,
        error="only members may read this error",
    )


def _failed_import(project: Project) -> ImportJob:
    job = ImportJob(
        project=project,
        original_name="old.csv",
        format=ImportFormat.CSV,
        status=ImportStatus.FAILED,
        error_message="worker lost",
    )
    job.file.save(f"{project.pk}/old.csv", ContentFile(b"text\nfrom an old import\n"), save=False)
    job.total_bytes = job.file.size
    job.save()
    return job


def _moderation_world(project: Project, owner) -> SimpleNamespace:
    """A policy on project A with pending content (an image), and an appeal of a decision the
    owner made on other content; a platform with a webhook endpoint."""
    from moderation.models import (
        Appeal,
        Author,
        BulkAction,
        Content,
        Decision,
        GoldItem,
        Platform,
        Policy,
        PolicyCategory,
        ReasonCode,
        ReviewQueue,
        ReviewQueueMember,
        Rule,
        RuleBacktest,
        TextBank,
        WebhookEndpoint,
    )

    policy = Policy.objects.create(name="Secret policy A", project=project)
    spam = PolicyCategory.objects.create(policy=policy, name="spam", label_class="spam")
    ReasonCode.objects.create(policy=policy, category=spam, code="SPAM-1", description="Ads")
    platform = Platform.objects.create(name="Secret platform A")
    item = ItemFactory(project=project, text="only members of A may read this content")
    item.image.save("a.png", ContentFile(_PNG), save=True)
    content = Content.objects.create(platform=platform, policy=policy, external_id="c-1", item=item)
    content.blurred_thumbnail.save("blurred.png", ContentFile(_PNG), save=True)
    decided = Content.objects.create(
        platform=platform,
        policy=policy,
        external_id="c-2",
        item=ItemFactory(project=project, text="only members of A may read this either"),
        state="removed",
    )
    decision = Decision.objects.create(
        content=decided, moderator=owner, action="remove", is_final=True
    )
    appeal = Appeal.objects.create(content=decided, decision=decision, statement="only members")
    gold_content = Content.objects.create(
        platform=platform,
        policy=policy,
        external_id="c-3",
        item=ItemFactory(project=project, text="a gold item of A"),
        state="allowed",
    )
    gold = GoldItem.objects.create(policy=policy, content=gold_content, expected_action="approve")
    endpoint = WebhookEndpoint.objects.create(
        platform=platform, url="http://93.184.215.14/hook", secret="s"
    )
    moderator = UserFactory()
    MembershipFactory(project=project, user=moderator, role=Role.MODERATOR)
    author = Author.objects.create(platform=platform, external_id="author-a")
    Content.objects.filter(pk=content.pk).update(author=author)
    bank = TextBank.objects.create(policy=policy, name="Secret bank A", terms=["only members"])
    rule = Rule.objects.create(
        policy=policy, name="Secret rule A", condition={"signal": "hash_match"}, action="review"
    )
    backtest = RuleBacktest.objects.create(
        policy=policy, rule=rule, condition=rule.condition, period_start=timezone.now(),
        period_end=timezone.now(),
    )  # fmt: skip
    queue = ReviewQueue.objects.create(policy=policy, name="Secret queue A", restricted=True)
    ReviewQueueMember.objects.create(queue=queue, user=moderator)
    bulk = BulkAction.objects.create(kind="remove", created_by=owner, total=1)
    return SimpleNamespace(
        content=content,
        moderator=moderator,
        ids={
            "bulk": bulk.pk,
            "content": content.pk,
            "appeal": appeal.pk,
            "platform": platform.pk,
            "webhook": endpoint.pk,
            "policy": policy.pk,
            "key": _platform_key(platform, owner),
            "rule": rule.pk,
            "bank": bank.pk,
            "backtest": backtest.pk,
            "author": author.pk,
            "queue": queue.pk,
            "queue_member": moderator.pk,
            "decided": decided.pk,
            "gold": gold.pk,
        },
    )


def _snapshot(project, owner) -> None:
    """Dataset snapshot 1 of the project, cut (its file in the world's media folder)."""
    from labeling.services.datasets.cut import snapshot_create, snapshot_run
    from labeling.services.datasets.filters import snapshot_filters_parse

    filters = snapshot_filters_parse(raw={}, class_names=["ham", "spam"])
    snapshot = snapshot_create(project=project, created_by=owner, filters=filters, enqueue=False)
    snapshot_run(snapshot_id=snapshot.pk)


def _platform_key(platform, user) -> int:
    from moderation.services.platforms import api_key_create

    return api_key_create(platform=platform, scopes=["intake"], created_by=user).api_key.pk


# A 1x1 PNG: the content image the reveal endpoint streams.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


@pytest.fixture
def world(db, _world_once, settings):
    """Project A with an owner, a second member, an item and a failed import; project B alike
    (a copy of the module's objects, so a test may change or reload them freely)."""
    built, media = _world_once
    shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return copy.deepcopy(built)


def _build_world() -> SimpleNamespace:
    project = ProjectFactory(name="Secret project A")
    owner = UserFactory()
    MembershipFactory(project=project, user=owner, role=Role.ADMIN)
    target = MembershipFactory(project=project, role=Role.ANNOTATOR)
    item = ItemFactory(project=project, text="only members of A may read this")
    image_item = ItemFactory(project=project, text="")
    image_item.image.save("i.png", ContentFile(_PNG), save=False)
    image_item.thumbnail.save("t.png", ContentFile(_PNG), save=True)
    annotation = AnnotationFactory(item=item)
    _snapshot(project, owner)
    flag = ItemFlag.objects.create(item=item, user=owner, reason="only members may read this")
    job = _failed_import(project)
    training_job = _training_job(project)
    version = _model_version(project)
    audit_event = audit_record(
        actor=owner,
        action="project.update",
        object_type="labeling.project",
        object_id=project.pk,
        scope=f"labeling.project:{project.pk}",
        before={"description": ""},
        after={"description": "only members may read this change"},
    )

    other = ProjectFactory(name="Secret project B")
    MembershipFactory(project=other, role=Role.ADMIN)
    other_item = ItemFactory(project=other, text="only members of B may read this")
    other_job = _failed_import(other)
    other_member = MembershipFactory(project=other, role=Role.ANNOTATOR)
    other_training_job = _training_job(other)
    other_version = _model_version(other)

    invited = UserFactory()
    invited.set_unusable_password()
    invited.save()
    moderation = _moderation_world(project, owner)
    return SimpleNamespace(
        moderation=moderation,
        project=project,
        owner=owner,
        target=target,
        item=item,
        image_item=image_item,
        annotation=annotation,
        flag=flag,
        job=job,
        training_job=training_job,
        version=version,
        other=other,
        other_item=other_item,
        other_job=other_job,
        other_member=other_member,
        other_training_job=other_training_job,
        other_version=other_version,
        audit_event=audit_event,
        invited=invited,
        newcomer=UserFactory(),
    )


# The world built once for the module (the matrix has hundreds of cases); each test runs in a
# savepoint of it and gets a copy of its files (tests/module_data.py).
_world_once = built_once(_build_world)


def _persona_client(persona: str, world) -> APIClient:
    client = APIClient()
    if persona == "anonymous":
        return client
    if persona in ROLES:
        user = UserFactory()
        MembershipFactory(project=world.project, user=user, role=persona)
    elif persona == "superuser":
        user = UserFactory(is_staff=True, is_superuser=True)
    elif persona == "staff":
        user = UserFactory(is_staff=True)
    else:
        user = UserFactory()
    client.force_login(user)
    client.persona_user = user
    return client


def _call(client: APIClient, endpoint: Endpoint, world):
    key = (endpoint.route, endpoint.method)
    ids = {
        "project": world.project.pk,
        "member": world.target.pk,
        "item": world.item.pk,
        "image_item": world.image_item.pk,
        "job": world.job.pk,
        "training_job": world.training_job.pk,
        "version": world.version.pk,
        "annotation": world.annotation.pk,
        "flag": world.flag.pk,
        "audit": world.audit_event.pk,
        **world.moderation.ids,
    }
    user = getattr(client, "persona_user", None)
    if key in PREPARE and user is not None:
        ids.update(PREPARE[key](world, user))
    path = "/api/v1/" + endpoint.path.format(**ids)
    if endpoint.method == "get":
        return client.get(path, QUERY.get(key, {}))
    body = BODIES[key](world) if key in BODIES else None
    return getattr(client, endpoint.method)(
        path, body, format="multipart" if key in MULTIPART else "json"
    )


MATRIX = [
    pytest.param(endpoint, persona, id=f"{endpoint.method.upper()} {endpoint.route} as {persona}")
    for endpoint in ENDPOINTS
    for persona in PERSONAS
]


@pytest.mark.parametrize(("endpoint", "persona"), MATRIX)
def test_permission_matrix(world, endpoint: Endpoint, persona: str):
    client = _persona_client(persona, world)

    response = _call(client, endpoint, world)

    expected = endpoint.expected[persona]
    if expected == ANON:
        assert response.status_code in {401, 403}, response.content
    else:
        assert response.status_code == expected, response.content
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"message", "extra"}
        # A refusal never carries the project's data.
        assert "Secret project" not in response.content.decode()
        assert "only members" not in response.content.decode()
    if expected == 404:
        assert response.json() == {"message": "Not found.", "extra": {}}


def _implemented_methods(pattern: URLPattern) -> set[str]:
    view = pattern.callback.view_class
    return {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}


def test_matrix_covers_every_endpoint_and_method():
    implemented = {
        (pattern.name, method)
        for urls in (core_urls, labeling_urls, moderation_urls)
        for pattern in urls.urlpatterns
        for method in _implemented_methods(pattern)
        # Platform routes take API keys, not people's sessions: tested with their keys.
        if not pattern.name.startswith("platform-")
    }

    covered = {(endpoint.route, endpoint.method) for endpoint in ENDPOINTS}

    assert covered == implemented


def test_every_persona_has_an_expectation_for_every_endpoint():
    for endpoint in ENDPOINTS:
        assert set(endpoint.expected) == set(PERSONAS), endpoint.route


def test_request_bodies_belong_to_endpoints_in_the_table():
    rows = {(endpoint.route, endpoint.method) for endpoint in ENDPOINTS}

    assert set(BODIES) | MULTIPART | set(QUERY) | set(PREPARE) <= rows


# --- ids from another project ------------------------------------------------------------------


@pytest.fixture
def member_of_a(world):
    user = UserFactory()
    MembershipFactory(project=world.project, user=user, role=Role.ADMIN)
    client = APIClient()
    client.force_login(user)
    return client


def test_member_of_one_project_gets_404_for_another_projects_item_through_their_own(
    world, member_of_a
):
    response = member_of_a.get(f"/api/v1/projects/{world.project.pk}/items/{world.other_item.pk}/")

    assert response.status_code == 404
    assert "only members of B" not in response.content.decode()


def test_member_of_one_project_gets_404_for_another_projects_item_directly(world, member_of_a):
    response = member_of_a.get(f"/api/v1/projects/{world.other.pk}/items/{world.other_item.pk}/")

    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "extra": {}}


def test_member_of_one_project_gets_404_for_another_projects_import(world, member_of_a):
    a, b = world.project.pk, world.other.pk

    through_own = member_of_a.get(f"/api/v1/projects/{a}/imports/{world.other_job.pk}/")
    directly = member_of_a.get(f"/api/v1/projects/{b}/imports/{world.other_job.pk}/")
    retried = member_of_a.post(f"/api/v1/projects/{a}/imports/{world.other_job.pk}/retry/")

    assert (through_own.status_code, directly.status_code, retried.status_code) == (404, 404, 404)
    world.other_job.refresh_from_db()
    assert world.other_job.status == ImportStatus.FAILED


def test_member_of_one_project_gets_404_for_another_projects_jobs_and_versions(world, member_of_a):
    a = world.project.pk
    job, version = world.other_training_job.pk, world.other_version.pk

    responses = [
        member_of_a.get(f"/api/v1/projects/{a}/training-jobs/{job}/"),
        member_of_a.get(f"/api/v1/projects/{a}/model-versions/{version}/"),
        member_of_a.post(
            f"/api/v1/projects/{a}/model-versions/{version}/stage/",
            {"stage": "production"},
            format="json",
        ),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert "only members may read" not in "".join(r.content.decode() for r in responses)
    world.other_version.refresh_from_db()
    assert world.other_version.stage == Stage.CANDIDATE


def test_member_of_one_project_cannot_reach_another_projects_items_through_the_queue(
    world, member_of_a
):
    a, item = world.project.pk, world.other_item.pk
    other_flag = ItemFlag.objects.create(item=world.other_item, reason="only members of B")
    other_annotation = AnnotationFactory(item=world.other_item)

    responses = [
        member_of_a.post(f"/api/v1/projects/{a}/queue/items/{item}/{action}/", {}, format="json")
        for action in ("renew", "release", "skip", "submit")
    ] + [
        member_of_a.post(f"/api/v1/projects/{a}/items/{item}/flags/", {}, format="json"),
        member_of_a.post(f"/api/v1/projects/{a}/flags/{other_flag.pk}/resolve/"),
        member_of_a.patch(
            f"/api/v1/projects/{a}/annotations/{other_annotation.pk}/",
            {"labels": ["ham"]},
            format="json",
        ),
    ]

    assert [r.status_code for r in responses] == [404] * 7
    other_flag.refresh_from_db()
    assert other_flag.resolved_at is None
    assert ItemFlag.objects.filter(item=world.other_item).count() == 1


def test_admin_of_one_project_cannot_change_or_remove_another_projects_member(world, member_of_a):
    path = f"/api/v1/projects/{world.project.pk}/members/{world.other_member.pk}/"

    changed = member_of_a.patch(path, {"role": Role.ADMIN}, format="json")
    removed = member_of_a.delete(path)

    assert (changed.status_code, removed.status_code) == (404, 404)
    world.other_member.refresh_from_db()
    assert world.other_member.role == Role.ANNOTATOR


def test_non_member_cannot_tell_an_existing_project_from_a_missing_one(world):
    client = _persona_client("non_member", world)
    missing = Project.objects.order_by("-pk").first().pk + 1000

    existing = client.get(f"/api/v1/projects/{world.project.pk}/")
    absent = client.get(f"/api/v1/projects/{missing}/")

    assert existing.status_code == absent.status_code == 404
    assert existing.json() == absent.json()


def test_project_list_shows_only_the_callers_projects(world, member_of_a):
    outsider = _persona_client("non_member", world)
    superuser = _persona_client("superuser", world)

    mine = member_of_a.get("/api/v1/projects/").json()["results"]
    none = outsider.get("/api/v1/projects/").json()["results"]
    everything = superuser.get("/api/v1/projects/").json()["results"]

    assert [p["name"] for p in mine] == ["Secret project A"]
    assert mine[0]["role"] == Role.ADMIN
    assert none == []
    assert {p["name"] for p in everything} == {"Secret project A", "Secret project B"}


def test_item_search_never_reaches_into_another_project(world, member_of_a):
    response = member_of_a.get(
        f"/api/v1/projects/{world.project.pk}/items/",
        {"search": world.other_item.external_id},
    )

    assert response.json()["results"] == []


def test_refused_member_changes_leave_memberships_as_they_were(world):
    annotator = _persona_client(Role.ANNOTATOR, world)
    before = list(ProjectMembership.objects.values_list("pk", "role").order_by("pk"))

    annotator.patch(
        f"/api/v1/projects/{world.project.pk}/members/{world.target.pk}/",
        {"role": "admin"},
        format="json",
    )
    annotator.delete(f"/api/v1/projects/{world.project.pk}/members/{world.target.pk}/")

    assert list(ProjectMembership.objects.values_list("pk", "role").order_by("pk")) == before
