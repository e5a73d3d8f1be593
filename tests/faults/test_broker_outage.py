"""Redis (the broker) stopped while moderators decide: the decisions are people's work and the
database has them, so every request succeeds; their webhooks go out once Redis is back."""

import threading

import pytest

from benchmarks.stack import Stack, WebhookReceiver, expect, moderation_create, people
from tests.faults.helpers import message, poll

pytestmark = [pytest.mark.faults, pytest.mark.worker]

SECRET = "whsec-faults-broker"
CONTENTS_PER_MODERATOR = 3


def test_decisions_while_redis_is_down_succeed_and_their_webhooks_follow(stack: Stack):
    with WebhookReceiver(SECRET) as receiver:
        stack.start_web_and_worker(beat=True)
        admin = stack.admin()
        setup = moderation_create(
            stack, admin, name="Market", webhook_url=receiver.url, webhook_secret=SECRET
        )
        moderators = people(
            stack,
            admin,
            project_id=setup.project_id,
            role="moderator",
            names=["mod-ana", "mod-ben"],
        )
        for n in range(len(moderators) * CONTENTS_PER_MODERATOR):
            expect(
                setup.platform.post(
                    "/api/v1/platform/intake/",
                    {"policy": setup.policy_id, "external_id": f"listing-{n}",
                     "author_id": f"seller-{n % 4}", "text": message(n)},
                ),
                201,
            )  # fmt: skip
        total = len(moderators) * CONTENTS_PER_MODERATOR

        stack.redis.stop()
        answers: list[object] = []
        handed: list[int] = []

        def work(moderator) -> None:
            """Take the next content and decide it, as a moderator does, several times."""
            moderator.timeout = 60
            for n in range(CONTENTS_PER_MODERATOR):
                action, code = ("remove", "SPAM-1") if n % 2 == 0 else ("approve", "OK-1")
                try:
                    content = expect(
                        moderator.post("/api/v1/moderation/queue/next/", {"tier": "standard"}),
                        200,
                    )["content"]
                    handed.append(content["id"])
                    answers.append(
                        moderator.post(
                            f"/api/v1/moderation/contents/{content['id']}/decide/",
                            {"action": action, "reason_code": code},
                        )
                    )
                except (OSError, AssertionError) as exc:
                    answers.append(exc)

        threads = [threading.Thread(target=work, args=(m,)) for m in moderators]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        failed = [answer for answer in answers if not 200 <= getattr(answer, "status", 0) < 300]
        assert not failed, f"requests failed while the broker was down: {failed}"
        assert len(answers) == total
        assert all(answer.is_json for answer in answers)
        contents = sorted(handed)
        assert len(set(contents)) == total, "a content was handed out twice"
        decisions = stack.query(
            "SELECT id, content_id FROM moderation_decision ORDER BY content_id"
        )
        assert [content_id for _, content_id in decisions] == contents, "one decision each"
        stack.redis.start()

        deliveries = poll(
            lambda: stack.query(
                "SELECT id, status, payload FROM moderation_webhookdelivery WHERE endpoint_id = %s",
                [setup.endpoint_id],
            ),
            until=lambda rows: (
                len(rows) >= total and all(status == "delivered" for _, status, _ in rows)
            ),
            timeout=120,
            what="every decision's webhook to be delivered after Redis came back",
        )
        received = receiver.delivery_ids_by_decision()
        seen = receiver.snapshot()

    # Nothing decided twice after the broker came back either.
    assert stack.query("SELECT id, content_id FROM moderation_decision ORDER BY content_id") == (
        decisions
    )
    assert len(deliveries) == len(contents), "one delivery per decision and endpoint"
    assert sorted(d[2]["decision"]["id"] for d in deliveries) == sorted(i for i, _ in decisions)
    assert all(request["signature_ok"] for request in seen)
    assert set(received) == {decision_id for decision_id, _ in decisions}
    assert all(len(ids) == 1 for ids in received.values()), (
        f"a decision arrived under two different delivery ids: {received}"
    )
