"""Small builders for the review, decision, appeal and webhook tests: a policy on a labeling
project (classes ham / spam), a platform, and content with its item, made directly."""

from itertools import count

from labeling.choices import Role
from moderation.choices import AutomationLevel, ContentState, DecisionAction, ReviewTier
from moderation.models import Author, Content, Platform, Policy, PolicyCategory, ReasonCode
from tests.factories import ItemFactory, MembershipFactory, ProjectFactory, UserFactory
from tests.factories.moderation import grant

_numbers = count(1)

# Real-looking short messages (SMS spam corpus style), not filler.
SPAM_TEXT = "WINNER!! You have been selected to receive a £900 prize reward. Call 09061701461 now"
HAM_TEXT = "I'll be at the station at half past six, can you pick me up on the way home?"


def make_policy(*, level: str = AutomationLevel.ASSIST, project=None) -> Policy:
    project = project or ProjectFactory(label_classes=["ham", "spam"])
    policy = Policy.objects.create(
        name=f"Messaging policy {next(_numbers)}", project=project, automation_level=level
    )
    spam = PolicyCategory.objects.create(
        policy=policy, name="spam", label_class="spam", severity=3, sla_hours=4
    )
    ReasonCode.objects.create(
        policy=policy, category=spam, code="SPAM-1", description="Unsolicited ads", action="remove"
    )
    ReasonCode.objects.create(
        policy=policy, code="OK-1", description="Within the rules", action="approve"
    )
    ReasonCode.objects.create(
        policy=policy, code="ESC-1", description="Needs a senior look", action="escalate"
    )
    policy.spam = spam
    return policy


def make_platform() -> Platform:
    return Platform.objects.create(name=f"Chat app {next(_numbers)}")


def make_member(policy: Policy, role: str = Role.MODERATOR, **user_kwargs):
    user = UserFactory(**user_kwargs)
    MembershipFactory(project=policy.project, user=user, role=role)
    return user


def make_content(
    *,
    policy: Policy,
    platform: Platform,
    text: str = SPAM_TEXT,
    author: Author | None = None,
    state: str = ContentState.PENDING,
    priority: float = 1.0,
    score: float | None = 0.8,
    **fields,
) -> Content:
    n = next(_numbers)
    # Content under a policy means the platform was granted it (as the grants migration does
    # for content stored before grants existed).
    grant(policy, platform)
    item = ItemFactory(project=policy.project, text=f"{text} (#{n})")
    tier = ReviewTier.SENIOR if state == ContentState.ESCALATED else ReviewTier.STANDARD
    return Content.objects.create(
        platform=platform,
        policy=policy,
        external_id=fields.pop("external_id", f"msg-{n}"),
        author=author,
        item=item,
        state=state,
        tier=tier,
        priority=priority,
        model_score=score,
        top_category=policy.spam if score is not None else None,
        scores={"spam": score} if score is not None else {},
        **fields,
    )


def make_author(platform: Platform, external_id: str = "author-7") -> Author:
    return Author.objects.create(platform=platform, external_id=external_id)


def decide_body(action: str = DecisionAction.REMOVE, code: str = "SPAM-1", **extra) -> dict:
    return {"action": action, "reason_code": code, **extra}
