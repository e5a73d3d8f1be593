"""The moderation demo: a labeling project on the Davidson hate / offensive tweets with a model,
a policy with categories and reason codes, a platform granted the policy, and a stream of real
tweets sent through intake, so a moderator has a queue, reports and appeals at once.

Every step looks for what an earlier run made before it makes anything (the project, its
items and model, the policy, platform and grant by name; intake, reports and appeals are
idempotent per external id, reporter and content), so running it again changes nothing, and a
run stopped half-way is completed by the next.

The project uses the hashing embedder: the demo is ready in seconds on a laptop, where MiniLM
would first embed thousands of tweets. A user can switch the embedder in the project settings.
"""

from __future__ import annotations

import csv
import html
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from django.contrib.auth.models import User
from django.core.files import File

from labeling.selectors.projects import project_named, project_with_item_count
from labeling.services.imports.jobs import import_job_create
from labeling.services.imports.run import import_job_run
from labeling.services.learning_jobs import project_training_request
from labeling.services.model_stages import model_version_stage_change
from labeling.services.projects import project_create
from labeling.services.training import training_job_run
from models_app.choices import JobTrigger, Stage
from models_app.selectors.registry import model_version_list, model_version_production
from moderation.choices import AutomationLevel, ContentState, DecisionAction, ReportSource
from moderation.models import Content, Platform, Policy
from moderation.services.appeals import appeal_create
from moderation.services.grants import policy_grant
from moderation.services.intake import intake_submit
from moderation.services.intake_prepare import IntakeInput
from moderation.services.platforms import api_key_create, platform_create
from moderation.services.policies import policy_create
from moderation.services.reports import report_create

PROJECT_NAME = "Moderation demo: Davidson tweets"
POLICY_NAME = "Moderation demo policy"
PLATFORM_NAME = "Moderation demo platform"
# Tweets with the crowd's majority label, imported so that a model can train at once.
TRAINING_SIZE = 3000
# Tweets the platform sends through intake: more hate speech than its 6 % share of the corpus,
# so the queue shows every kind of case.
STREAM_MIX = {"hate_speech": 60, "offensive": 140, "neither": 100}
REPORTED = 12
AUTHORS = 40
SEED = 11
CLASSES = ("hate_speech", "offensive", "neither")  # the corpus's ``class`` 0, 1, 2

GUIDELINES = """# Hate speech, offensive language, or neither?

These are real tweets (Davidson et al., 2017). They contain slurs and abuse.

* **hate_speech**: language that attacks or demeans a group because of a protected
  characteristic (race, ethnicity, religion, nationality, sex, sexual orientation, gender
  identity, disability), or a person for belonging to such a group: slurs used against
  them, dehumanising comparisons, calls for exclusion or violence.
* **offensive**: insults, profanity or vulgar sexual language that does **not** target a
  protected group, e.g. calling someone a name, swearing at a team.
* **neither**: everything else, including quoting or reporting hate to condemn it, and
  reclaimed or self-referential use of a word within a group.

Judge the tweet's intent, not only its words: the same word can be hate speech, offensive
or neither depending on who is addressed and how. When the context is missing, skip the
item and say why.
"""

# Thresholds that let the demo's first model remove about a quarter of the stream (about
# 9 in 10 of those rightly), allow a fifth, and send a little over half to moderators.
CATEGORIES = [
    {
        "name": "hate_speech",
        "label_class": "hate_speech",
        "severity": 3,
        "remove_threshold": 0.7,
        "allow_threshold": 0.15,
        "sla_hours": 4,
        "rules": [],
    },
    {
        "name": "offensive",
        "label_class": "offensive",
        "severity": 1,
        "remove_threshold": 0.9,
        "allow_threshold": 0.35,
        "sla_hours": 24,
        "rules": [],
    },
]

# Automatic decisions cite the first code of their action (and category): OK1 for what the
# model allows, HS1 / OF1 for what it removes.
REASON_CODES = [
    ("HS1", "Slur targeting a protected group", DecisionAction.REMOVE, "hate_speech"),
    ("HS2", "Dehumanising comparison of a protected group", DecisionAction.REMOVE, "hate_speech"),
    ("HS3", "Threat or call for violence or exclusion", DecisionAction.REMOVE, "hate_speech"),
    ("OF1", "Insult or name-calling aimed at a person", DecisionAction.REMOVE, "offensive"),
    ("OF2", "Vulgar sexual language about a person", DecisionAction.REMOVE, "offensive"),
    ("OK1", "No violation found", DecisionAction.APPROVE, None),
    ("OK2", "Profanity without a target", DecisionAction.APPROVE, None),
    ("OK3", "Counter-speech or reporting on hate", DecisionAction.APPROVE, None),
    ("OK4", "Reclaimed or self-referential use", DecisionAction.APPROVE, None),
]

REPORT_REASONS = ("this is racist", "harassment", "hate speech", "abusive language")
APPEAL_STATEMENTS = (
    "I was quoting a song lyric, not calling anyone names.",
    "This was a joke between friends; nobody was targeted.",
)


class ModerationDemoUnavailable(Exception):
    """The Davidson tweets are not where the setting says; the app starts without the demo."""


@dataclass(frozen=True)
class DemoTweet:
    row: int
    text: str
    label: str

    @property
    def external_id(self) -> str:
        return f"demo-tweet-{self.row}"


@dataclass
class ModerationDemo:
    policy: Policy
    platform: Platform
    # The platform's API key when this run made it (shown once), else None.
    new_api_key: str | None
    states: Counter[str] = field(default_factory=Counter)


def davidson_read(*, path: Path) -> list[DemoTweet]:
    """The corpus's tweets with the crowd's majority class; HTML entities (``&amp;``,
    ``&#128514;``) decoded as the tweets were written."""
    if not path.is_file():
        raise ModerationDemoUnavailable(
            f"the Davidson tweets were not found at {path} (set TANDEM_DEMO_DAVIDSON_CSV)."
        )
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            tweets = [
                DemoTweet(
                    row=int(row[""]),
                    text=html.unescape(row["tweet"]),
                    label=CLASSES[int(row["class"])],
                )
                for row in csv.DictReader(fh)
            ]
    except (KeyError, ValueError, IndexError, TypeError, csv.Error) as exc:
        # ValueError covers undecodable bytes (UnicodeDecodeError) and non-numeric cells.
        raise ModerationDemoUnavailable(
            f"{path} is not the Davidson CSV (columns ,count,hate_speech,offensive_language,"
            f"neither,class,tweet): {type(exc).__name__} {exc}."
        ) from exc
    if len(tweets) <= TRAINING_SIZE + sum(STREAM_MIX.values()):
        raise ModerationDemoUnavailable(f"{path} holds too few tweets ({len(tweets)}).")
    return tweets


def demo_split(tweets: list[DemoTweet]) -> tuple[list[DemoTweet], list[DemoTweet]]:
    """The training part and the intake stream: disjoint, the same on every run."""
    shuffled = sorted(tweets, key=lambda tweet: tweet.row)
    # A fixed seed, for a sample that is the same on every run (nothing secret here).
    random.Random(SEED).shuffle(shuffled)  # noqa: S311
    training, rest = shuffled[:TRAINING_SIZE], shuffled[TRAINING_SIZE:]
    stream: list[DemoTweet] = []
    for label, n in STREAM_MIX.items():
        stream.extend([tweet for tweet in rest if tweet.label == label][:n])
    random.Random(SEED).shuffle(stream)  # noqa: S311
    return training, stream


def _project_ensure(*, admin: User, training: list[DemoTweet], work_dir: Path):
    project = project_named(name=PROJECT_NAME)
    if project is None:
        project = project_create(
            created_by=admin,
            name=PROJECT_NAME,
            description=(
                "Demo: tweets from Davidson et al., 'Automated Hate Speech Detection and the "
                "Problem of Offensive Language' (ICWSM 2017, MIT licence), labelled by the "
                "crowd's majority."
            ),
            data_type="text",
            task_type="multiclass",
            label_classes=[
                {"name": "hate_speech", "colour": "#e45756"},
                {"name": "offensive", "colour": "#f58518"},
                {"name": "neither", "colour": "#54a24b"},
            ],
            guidelines=GUIDELINES,
            embedder="hashing",
        )
    if project_with_item_count(project=project).item_count == 0:
        work_dir.mkdir(parents=True, exist_ok=True)
        jsonl = work_dir / "davidson-training.jsonl"
        with jsonl.open("wb") as out:
            for tweet in training:
                line = {"external_id": tweet.external_id, "text": tweet.text, "label": tweet.label}
                out.write(orjson.dumps(line) + b"\n")
        with jsonl.open("rb") as fh:
            job = import_job_create(
                project=project,
                created_by=admin,
                uploads=[File(fh, name="davidson-training.jsonl")],
                enqueue=False,
            )
        import_job_run(job_id=job.pk)
    return project


def _model_ensure(*, admin: User, project) -> None:
    """A production model for intake to score with: trained here, and promoted (audited, by
    the admin) when training kept it as a candidate."""
    if model_version_production(owner=project.owner_key) is not None:
        return
    job = project_training_request(project=project, trigger=JobTrigger.MANUAL, requested_by=admin)
    # Under eager Celery the request has already run it; then this returns at once.
    training_job_run(job_id=job.pk)
    latest = model_version_list(owner=project.owner_key).first()
    if latest is not None and latest.stage != Stage.PRODUCTION:
        model_version_stage_change(
            project=project,
            version=latest,
            stage=Stage.PRODUCTION,
            user=admin,
            reason="Moderation demo: the first version serves intake from the start.",
        )


def _policy_ensure(*, admin: User, project) -> Policy:
    policy = Policy.objects.filter(name=POLICY_NAME).first()
    if policy is not None:
        return policy
    return policy_create(
        user=admin,
        project_id=project.pk,
        name=POLICY_NAME,
        description=(
            "Demo policy on the Davidson tweets: the model removes what it is sure of, allows "
            "what is clearly fine, and sends the rest to moderators."
        ),
        automation_level=AutomationLevel.PARTIAL,
        canary_share=0.0,
        categories=CATEGORIES,
        reason_codes=[
            {"code": code, "description": text, "action": action, "category": category}
            for code, text, action, category in REASON_CODES
        ],
    )


def _platform_ensure(*, admin: User) -> tuple[Platform, str | None]:
    platform = Platform.objects.filter(name=PLATFORM_NAME).first()
    if platform is not None:
        return platform, None
    platform = platform_create(name=PLATFORM_NAME, created_by=admin)
    new = api_key_create(
        platform=platform,
        scopes=["intake", "reports", "appeals"],
        created_by=admin,
        name="demo key (made at start)",
    )
    return platform, new.key


def _stream_send(*, platform: Platform, policy: Policy, stream: list[DemoTweet]) -> None:
    entries = [
        IntakeInput(
            index=index,
            policy=policy.pk,
            external_id=tweet.external_id,
            author_id=f"demo-author-{index % AUTHORS + 1}",
            text=tweet.text,
        )
        for index, tweet in enumerate(stream)
    ]
    intake_submit(platform=platform, entries=entries)


def _reports_and_appeals_send(*, platform: Platform, external_ids: list[str]) -> None:
    """User reports on a few waiting tweets and appeals of a few removed ones, once: after
    moderators have worked the queue, another start adds none to other contents."""
    demo_contents = Content.objects.filter(platform=platform, external_id__in=external_ids)
    order = {external_id: n for n, external_id in enumerate(external_ids)}
    contents = sorted(demo_contents, key=lambda content: order[content.external_id])
    if not demo_contents.filter(reports__source=ReportSource.USER).exists():
        waiting = [c for c in contents if c.state == ContentState.PENDING][:REPORTED]
        for n, content in enumerate(waiting):
            # Every third gets a second reporter: the queue puts such content first.
            for reporter in range(1 + (n % 3 == 0)):
                report_create(
                    content=content,
                    reporter_id=f"demo-reporter-{n + reporter + 1}",
                    reason=REPORT_REASONS[n % len(REPORT_REASONS)],
                )
    if not demo_contents.filter(appeals__isnull=False).exists():
        removed = [c for c in contents if c.state == ContentState.REMOVED]
        for content, statement in zip(removed, APPEAL_STATEMENTS, strict=False):
            appeal_create(platform=platform, external_id=content.external_id, statement=statement)


def moderation_demo_ensure(*, admin: User, csv_path: Path, work_dir: Path) -> ModerationDemo:
    """Make (or complete) the moderation demo; see the module's docstring.

    Raises ``ModerationDemoUnavailable`` when the corpus file is missing. Side effects: those
    of the services it calls (project, import, training and promotion, policy, platform, key,
    grant, intake, reports, appeals), each audited there.
    """
    training, stream = demo_split(davidson_read(path=csv_path))
    project = _project_ensure(admin=admin, training=training, work_dir=work_dir)
    _model_ensure(admin=admin, project=project)
    policy = _policy_ensure(admin=admin, project=project)
    platform, new_key = _platform_ensure(admin=admin)
    policy_grant(policy=policy, platform=platform, actor=admin)
    _stream_send(platform=platform, policy=policy, stream=stream)
    _reports_and_appeals_send(platform=platform, external_ids=[t.external_id for t in stream])
    states = Counter(
        Content.objects.filter(platform=platform, policy=policy).values_list("state", flat=True)
    )
    return ModerationDemo(policy=policy, platform=platform, new_api_key=new_key, states=states)
