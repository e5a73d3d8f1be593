"""Schema fuzzing: schemathesis over every operation of the OpenAPI schema, as each role.

Every operation is called with generated valid input (positive mode) and generated invalid
input (negative mode), as anonymous, as each project role, as a site admin and with a
platform's API key. Half of the generated requests have their path ids replaced by ids of a
real project, item, policy, content… the caller may (or may not) reach, so the fuzzer gets
past the 404s and into the code behind them. Two things must never happen: a server error
(5xx), and a response that breaks the schema the frontend's types are generated from.

The run is bounded (a fixed number of examples per operation and role, derandomised so CI
replays the same requests); a failure prints the operation, the role and the request to
reproduce it. Every 5xx found this way becomes a regression test next to the code it broke.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

# Examples per operation, role and mode: enough to reach every branch of input validation
# on each endpoint, few enough that the whole run takes a few minutes on two cores.
EXAMPLES = int(os.environ.get("TANDEM_FUZZ_EXAMPLES", "6"))
ROLES = (
    "anonymous",
    "annotator",
    "ml_engineer",
    "moderator",
    "senior_moderator",
    "admin",
    "staff",
    "platform",
)
# Calls that would end the fuzzing client's own credentials; they are fuzzed anonymously.
SELF_ENDING = {("POST", "/api/v1/auth/token/"), ("DELETE", "/api/v1/auth/token/"),
               ("POST", "/api/v1/auth/logout/")}  # fmt: skip


@dataclass
class World:
    ids: dict[str, Any]
    headers: dict[str, dict[str, str]]


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """Django's WSGI app, called in-process inside the test's transaction. Like Django's test
    client, it must not close the database connection at the end of each request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@functools.cache
def _loaded_schema() -> Any:
    """The API's schema, generated once: the drawn cases of every role point at its operations."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(_plain(raw))


def _schema(app) -> Any:
    schema = _loaded_schema()
    schema.app = app
    return schema


def _plain(value: Any) -> Any:
    """The generated schema with lazy strings and enum members turned into plain JSON."""
    import json

    return json.loads(json.dumps(value, default=str))


def _token_for(user) -> dict[str, str]:
    client = APIClient()
    client.force_login(user)
    response = client.post("/api/v1/auth/token/")
    assert response.status_code == 201, response.content
    return {"Authorization": f"Token {response.json()['token']}"}


@pytest.fixture
def world(settings, tmp_path) -> World:
    """A project with items, labels, an import, a trained model, flags; a policy with a
    platform, content, decisions and an appeal; a user of every role. Everything the API's
    path ids can point at, so generated requests reach real objects."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from labeling.choices import Role
    from labeling.models import Item
    from labeling.services.flags import item_flag_create
    from labeling.services.imports.jobs import import_job_create
    from labeling.services.imports.run import import_job_run
    from labeling.services.learning_jobs import project_training_request
    from labeling.services.training import training_job_run
    from models_app.choices import JobTrigger
    from models_app.models import ModelVersion, TrainingJob
    from moderation.choices import ContentState
    from moderation.services.platforms import api_key_create
    from tests.factories import MembershipFactory, ProjectFactory, UserFactory
    from tests.factories.learning import give_labels, make_corpus
    from tests.factories.moderation import (
        AppealFactory,
        AuthorFactory,
        ContentFactory,
        DecisionFactory,
        PlatformFactory,
        ReviewPolicyFactory,
        WebhookDeliveryFactory,
        WebhookEndpointFactory,
        grant,
    )

    settings.CELERY_TASK_ALWAYS_EAGER = True
    staff = UserFactory(username="fuzz-staff", is_staff=True, is_superuser=True)
    project = ProjectFactory(embedder="hashing", retrain_every=0)
    truth = make_corpus(project, 60, seed=11)
    give_labels(list(truth), truth)
    job = training_job_run(
        job_id=project_training_request(project=project, trigger=JobTrigger.MANUAL).pk
    )
    version = ModelVersion.objects.filter(owner=project.owner_key).first()
    users = {}
    for role in (Role.ANNOTATOR, Role.ML_ENGINEER, Role.MODERATOR,
                 Role.SENIOR_MODERATOR, Role.ADMIN):  # fmt: skip
        users[role] = UserFactory(username=f"fuzz-{role}")
        MembershipFactory(project=project, user=users[role], role=role)
    upload = SimpleUploadedFile("messages.csv", b"text,label\nsee you at six,ham\nWIN cash,spam\n")
    import_job = import_job_create(
        project=project, created_by=users[Role.ML_ENGINEER], uploads=[upload], enqueue=False
    )
    import_job_run(job_id=import_job.pk)
    item = Item.objects.filter(project=project).order_by("id").first()
    flag, _ = item_flag_create(item=item, user=users[Role.ANNOTATOR], reason="unclear")

    policy = ReviewPolicyFactory(project=project)

    platform = PlatformFactory(name="Fuzz chat")
    grant(policy, platform)
    key = api_key_create(
        platform=platform, created_by=staff, name="fuzz", scopes=["intake", "reports", "appeals"]
    ).key
    author = AuthorFactory(platform=platform)
    pending = ContentFactory(policy=policy, platform=platform, author=author)
    removed = ContentFactory(
        policy=policy, platform=platform, author=author, state=ContentState.REMOVED
    )
    decision = DecisionFactory(
        content=removed, moderator=users[Role.MODERATOR], action="remove", is_final=True
    )
    appeal = AppealFactory(content=removed, decision=decision, statement="It was a joke")
    from moderation.services.queues import review_queue_create, review_queue_member_add

    queue = review_queue_create(policy=policy, user=staff, name="Fuzz queue", restricted=True)
    review_queue_member_add(queue=queue, user=staff, member=users[Role.MODERATOR])
    endpoint = WebhookEndpointFactory(
        platform=platform, url="https://hooks.example.org/tandem", secret="s" * 32
    )
    WebhookDeliveryFactory(
        endpoint=endpoint, event="content.decided", payload={"event": "content.decided"}
    )
    from core.models import AuditEvent

    event = AuditEvent.objects.order_by("-id").first()
    annotation = item.annotations.order_by("id").first()
    membership = project.memberships.order_by("id").first()
    ids = {
        "project_id": project.pk,
        "item_id": item.pk,
        "member_id": membership.pk,
        "import_id": import_job.pk,
        "job_id": job.pk if job else TrainingJob.objects.order_by("id").first().pk,
        "version_id": version.pk if version else 1,
        "annotation_id": annotation.pk if annotation else 1,
        "flag_id": flag.pk,
        "content_id": pending.pk,
        "appeal_id": appeal.pk,
        "platform_id": platform.pk,
        "key_id": platform.api_keys.first().pk,
        "endpoint_id": endpoint.pk,
        "policy_id": policy.pk,
        "event_id": event.pk if event else 1,
        "external_id": pending.external_id,
        "queue_id": queue.pk,
        "user_id": users[Role.MODERATOR].pk,
    }
    headers = {"anonymous": {}, "platform": {"Authorization": f"Bearer {key}"}}
    headers["staff"] = _token_for(staff)
    for role, user in users.items():
        headers[str(role)] = _token_for(user)
    return World(ids=ids, headers=headers)


def _operations(schema) -> Iterator[Any]:
    """Every operation, deletes last (so the objects they remove are used first)."""
    operations = [result.ok() for result in schema.get_all_operations()]
    yield from sorted(operations, key=lambda op: (op.method.upper() == "DELETE", op.path))


# The cases hypothesis draws for each operation and mode, drawn once and sent as every role.
# The draws are derandomised, so each role used to get these same requests drawn anew; drawing
# them (schema strategies, filters) took two thirds of the run.
_DRAWN: dict[tuple[str, str, str], list[tuple[Any, bool]]] = {}


def _drawn(operation, mode) -> list[tuple[Any, bool]]:
    """The generated cases of one operation and mode, each with whether to put real ids in."""
    key = (operation.method.upper(), operation.path, mode.value)
    if key in _DRAWN:
        return _DRAWN[key]
    drawn: list[tuple[Any, bool]] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), real_ids=st.booleans())
    def draw(case, real_ids: bool) -> None:
        drawn.append((case, real_ids))

    # Unsatisfiable: nothing to make invalid (an operation without parameters or body).
    with contextlib.suppress(Unsatisfiable):
        draw()
    _DRAWN[key] = drawn
    return drawn


def _copy(case) -> Any:
    """A case of one's own to send (its path ids may be replaced), the drawn one kept as is."""
    copied = case.derive()
    # derive() shares the generation metadata, which tracks edits of the path parameters.
    object.__setattr__(copied, "_meta", copy.deepcopy(case._meta))
    return copied


def _fuzz(operation, headers: dict[str, str], ids: dict[str, Any], mode) -> str | None:
    """Send the operation's generated cases; the report of the first that fails, or None."""
    known = {name: ids[name] for name in ids if name in _path_names(operation)}
    for drawn, real_ids in _drawn(operation, mode):
        case = _copy(drawn)
        if real_ids and known and case.path_parameters is not None:
            case.path_parameters.update(known)
        try:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )
        except (Exception, BaseExceptionGroup) as exc:  # collect, and go on with the others
            details = [str(e) for e in getattr(exc, "exceptions", ())] or [str(exc)]
            report = "\n".join(details)
            request = case.as_curl_command(headers=headers)
            return (
                f"{operation.method.upper()} {operation.path} [{mode.value}]: {report}\n"
                f"Request: {request}"
            )[:6000]
    return None


def _path_names(operation) -> set[str]:
    import re

    return set(re.findall(r"\{(\w+)\}", operation.path))


@pytest.mark.parametrize("role", ROLES)
@override_settings(TANDEM_WEBHOOK_ALLOWED_HOSTS=["hooks.example.org"])
def test_no_server_errors_and_no_schema_violations(world, wsgi_app, role):
    schema = _schema(wsgi_app)
    failures = []
    for operation in _operations(schema):
        if role != "anonymous" and (operation.method.upper(), operation.path) in SELF_ENDING:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = _fuzz(operation, world.headers[role], world.ids, mode)
            if failure:
                failures.append(failure)
    assert not failures, f"{len(failures)} operations failed as {role}:\n\n" + "\n\n".join(failures)
