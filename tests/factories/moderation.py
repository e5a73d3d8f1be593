"""factory_boy factories for moderation's models, and the few helpers every moderation test
shares (granting a policy, a decision's request body).

Two ready-made policies, each with one category ``spam`` on a ham / spam project:

- ``ReviewPolicyFactory``: what moderators review under (4-hour SLA; reason codes SPAM-1,
  OK-1 and ESC-1);
- ``IntakePolicyFactory``: what platforms send content under (removed at a spam score of 0.9 or
  above, allowed at 0.1 or below, 12-hour SLA; reason codes SPAM-1 and OK-1).

``spam__<field>=...`` sets a field of the category (``spam__rules=[...]``,
``spam__remove_threshold=0.5``); ``granted_to=platform`` lets a platform use the policy.
"""

from collections.abc import Iterable

import factory

from labeling.choices import Role
from moderation.choices import (
    AppealState,
    AutomationLevel,
    ContentState,
    DecisionAction,
    HashKind,
    ReportSource,
    ReviewTier,
)
from moderation.models import (
    Appeal,
    Author,
    Content,
    Decision,
    HashEntry,
    Platform,
    PlatformApiKey,
    Policy,
    PolicyCategory,
    PolicyGrant,
    ReasonCode,
    Report,
    WebhookDelivery,
    WebhookEndpoint,
)
from moderation.services.platforms import api_key_create
from tests.factories import ItemFactory, MembershipFactory, ProjectFactory, UserFactory

# Real-looking short messages (SMS spam corpus style), not filler.
SPAM_TEXT = "WINNER!! You have been selected to receive a £900 prize reward. Call 09061701461 now"
HAM_TEXT = "I'll be at the station at half past six, can you pick me up on the way home?"


def grant(policy: Policy, *platforms: Platform) -> Policy:
    """Let ``platforms`` use ``policy`` (what site staff do on the Platforms page)."""
    for platform in platforms:
        PolicyGrantFactory(policy=policy, platform=platform)
    return policy


def decide_body(action: str = DecisionAction.REMOVE, code: str = "SPAM-1", **extra) -> dict:
    """The body of a moderator's ``decide`` request."""
    return {"action": action, "reason_code": code, **extra}


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform

    name = factory.Sequence(lambda n: f"Chat app {n}")


class PlatformApiKeyFactory(factory.django.DjangoModelFactory):
    """A platform's API key, made by the service as site staff make one (hashed, audited); the
    secret, shown once, is on ``.key``."""

    class Meta:
        model = PlatformApiKey

    platform = factory.SubFactory(PlatformFactory)
    scopes = factory.LazyFunction(lambda: ["intake", "reports"])
    name = ""
    created_by = factory.SubFactory(UserFactory, is_staff=True)

    @classmethod
    def _create(cls, model_class, *, platform, scopes, name, created_by):
        created = api_key_create(
            platform=platform, scopes=list(scopes), name=name, created_by=created_by
        )
        created.api_key.key = created.key
        return created.api_key


class PolicyFactory(factory.django.DjangoModelFactory):
    """A policy without categories on a ham / spam project (people decide, unless told)."""

    class Meta:
        model = Policy
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Messaging policy {n}")
    project = factory.SubFactory(ProjectFactory)

    @factory.post_generation
    def granted_to(obj, create, extracted, **kwargs):
        """A platform (or several) that may use the policy; without one, no platform's key can."""
        if not create or extracted is None:
            return
        grant(obj, *(extracted if isinstance(extracted, Iterable) else [extracted]))


class PolicyCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyCategory

    policy = factory.SubFactory(PolicyFactory)
    name = "spam"
    label_class = factory.SelfAttribute("name")


class ReasonCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReasonCode

    policy = factory.SubFactory(PolicyFactory)
    code = factory.Sequence(lambda n: f"RC-{n}")
    description = factory.LazyAttribute(lambda r: f"Reason {r.code}")
    action = DecisionAction.REMOVE


class ReviewPolicyFactory(PolicyFactory):
    """A policy moderators review under: category ``spam`` (severity 3, 4-hour SLA; also on
    ``policy.spam``) and the reason codes SPAM-1 (remove), OK-1 (approve), ESC-1 (escalate);
    the model's suggestion is shown to moderators unless told otherwise."""

    automation_level = AutomationLevel.ASSIST

    @factory.post_generation
    def spam(obj, create, extracted, **fields):
        if not create:
            return
        obj.spam = PolicyCategoryFactory(policy=obj, **{"severity": 3, "sla_hours": 4, **fields})
        ReasonCodeFactory(
            policy=obj, category=obj.spam, code="SPAM-1", description="Unsolicited ads"
        )
        ReasonCodeFactory(
            policy=obj, code="OK-1", description="Within the rules", action=DecisionAction.APPROVE
        )
        ReasonCodeFactory(
            policy=obj,
            code="ESC-1",
            description="Needs a senior look",
            action=DecisionAction.ESCALATE,
        )


class IntakePolicyFactory(PolicyFactory):
    """A policy platforms send content under: category ``spam`` (severity 3, removed at 0.9 or
    above, allowed at 0.1 or below, 12-hour SLA; also on ``policy.spam``) and the reason codes
    SPAM-1 (remove) and OK-1 (approve)."""

    @factory.post_generation
    def spam(obj, create, extracted, **fields):
        if not create:
            return
        obj.spam = PolicyCategoryFactory(
            policy=obj,
            **{
                "severity": 3,
                "remove_threshold": 0.9,
                "allow_threshold": 0.1,
                "sla_hours": 12,
                **fields,
            },
        )
        ReasonCodeFactory(
            policy=obj, category=obj.spam, code="SPAM-1", description="Unsolicited advertising"
        )
        ReasonCodeFactory(
            policy=obj, code="OK-1", description="Within the rules", action=DecisionAction.APPROVE
        )


class PolicyGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyGrant
        django_get_or_create = ("policy", "platform")

    policy = factory.SubFactory(ReviewPolicyFactory)
    platform = factory.SubFactory(PlatformFactory)


class PolicyMemberFactory(UserFactory):
    """A user with ``role`` (moderator unless told) in the project of ``policy``."""

    class Params:
        policy = factory.SubFactory(ReviewPolicyFactory)
        role = Role.MODERATOR

    membership = factory.RelatedFactory(
        MembershipFactory,
        factory_related_name="user",
        project=factory.SelfAttribute("..policy.project"),
        role=factory.SelfAttribute("..role"),
    )


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    platform = factory.SubFactory(PlatformFactory)
    external_id = factory.Sequence(lambda n: f"author-{n}")


class ContentFactory(factory.django.DjangoModelFactory):
    """Content as intake stores it, waiting for review unless told: its item (numbered
    ``text``) in the policy's project, the model's spam ``score`` (None: not scored), priority
    1. The platform is granted the policy, as the grants migration did for content stored
    before grants existed."""

    class Meta:
        model = Content
        skip_postgeneration_save = True

    class Params:
        number = factory.Sequence(lambda n: n)
        text = SPAM_TEXT
        score = 0.8

    platform = factory.SubFactory(PlatformFactory)
    policy = factory.SubFactory(ReviewPolicyFactory)
    external_id = factory.LazyAttribute(lambda c: f"msg-{c.number}")
    author = None
    item = factory.SubFactory(
        ItemFactory,
        project=factory.SelfAttribute("..policy.project"),
        text=factory.LazyAttribute(
            lambda item: f"{item.factory_parent.text} (#{item.factory_parent.number})"
        ),
    )
    state = ContentState.PENDING
    tier = factory.LazyAttribute(
        lambda c: ReviewTier.SENIOR if c.state == ContentState.ESCALATED else ReviewTier.STANDARD
    )
    priority = 1.0
    model_score = factory.SelfAttribute("score")
    top_category = factory.LazyAttribute(
        lambda c: c.policy.categories.get(name="spam") if c.score is not None else None
    )
    # As intake keeps them: the probabilities per category, next to the version and the level.
    scores = factory.LazyAttribute(
        lambda c: (
            {"categories": {"spam": c.score}, "model_version": None, "level": "assist"}
            if c.score is not None
            else {}
        )
    )

    @factory.post_generation
    def granted(obj, create, extracted, **kwargs):
        if create:
            grant(obj.policy, obj.platform)

    @factory.post_generation
    def search_indexed(obj, create, extracted, **kwargs):
        """Its words in the full-text index, as intake writes them."""
        if create:
            from moderation.services.search_index import content_search_index

            content_search_index(content_ids=[obj.pk])


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    content = factory.SubFactory(ContentFactory)
    source = ReportSource.USER
    reporter = factory.Sequence(lambda n: f"reporter-{n}")
    reason = "spam"


class DecisionFactory(factory.django.DjangoModelFactory):
    """A moderator's final removal, unless told otherwise."""

    class Meta:
        model = Decision

    content = factory.SubFactory(ContentFactory, state=ContentState.REMOVED)
    action = DecisionAction.REMOVE
    is_final = True


class AppealFactory(factory.django.DjangoModelFactory):
    """An open appeal of ``decision`` (a final removal unless told)."""

    class Meta:
        model = Appeal

    decision = factory.SubFactory(DecisionFactory)
    content = factory.SelfAttribute("decision.content")
    statement = "It was a real prize draw."
    state = AppealState.OPEN


class HashEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HashEntry

    kind = HashKind.SHA256
    value = factory.Sequence(lambda n: f"{n:064x}")
    category = factory.SubFactory(PolicyCategoryFactory)


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    platform = factory.SubFactory(PlatformFactory)
    url = factory.Sequence(lambda n: f"https://hooks.example.org/tandem/{n}")
    secret = "s" * 32


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event = "content.decided"
    payload = factory.LazyAttribute(lambda d: {"event": d.event})


def review_world():
    """A review policy, a platform and a moderator of the policy."""
    policy = ReviewPolicyFactory()
    platform = PlatformFactory()
    return policy, platform, PolicyMemberFactory(policy=policy, role=Role.MODERATOR)
