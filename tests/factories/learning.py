"""Synthetic labeled texts for active-learning tests: two classes told apart by their words.

Each text mixes words of its own class with a random share (up to ``max_noise``) of the other
class's words, so some items are clear and some genuinely uncertain, as in real data.
"""

import random

from django.db.models import F
from django.utils import timezone

from labeling.choices import HUMAN_SOURCES, AnnotationSource, Split
from labeling.models import Annotation, Item, Project
from models_app.choices import Stage
from models_app.models import ModelVersion
from tests.factories import ItemFactory

SPAM_WORDS = [
    "free",
    "win",
    "prize",
    "cash",
    "call",
    "now",
    "claim",
    "urgent",
    "offer",
    "txt",
    "reply",
    "stop",
    "bonus",
    "winner",
    "guaranteed",
    "mobile",
    "award",
    "voucher",
    "ringtone",
]
HAM_WORDS = [
    "lunch",
    "tomorrow",
    "meeting",
    "home",
    "love",
    "dinner",
    "later",
    "sorry",
    "okay",
    "thanks",
    "see",
    "you",
    "soon",
    "mum",
    "work",
    "class",
    "bus",
    "night",
    "today",
]


def make_corpus(
    project: Project, n: int, *, seed: int = 0, max_noise: float = 0.45, spam_share: float = 0.4
) -> dict[int, str]:
    """Create ``n`` items in ``project``; returns item id -> true label ("ham" / "spam")."""
    rng = random.Random(seed)
    truth: dict[int, str] = {}
    for i in range(n):
        label = "spam" if rng.random() < spam_share else "ham"
        own, other = (SPAM_WORDS, HAM_WORDS) if label == "spam" else (HAM_WORDS, SPAM_WORDS)
        noise = rng.uniform(0.0, max_noise)
        words = [rng.choice(other if rng.random() < noise else own) for _ in range(8)]
        item = ItemFactory(project=project, text=" ".join(words) + f" ref{seed}x{i}")
        truth[item.pk] = label
    return truth


def ids_in_split(project: Project, truth: dict[int, str], splits: tuple[str, ...]) -> list[int]:
    in_split = set(
        Item.objects.filter(project=project, split__in=splits).values_list("id", flat=True)
    )
    return [item_id for item_id in truth if item_id in in_split]


def train_ids(project: Project, truth: dict[int, str]) -> list[int]:
    return ids_in_split(project, truth, (Split.TRAIN,))


def held_out_ids(project: Project, truth: dict[int, str]) -> list[int]:
    return ids_in_split(project, truth, (Split.DEV, Split.TEST))


def give_labels(
    item_ids: list[int],
    labels: dict[int, str] | str,
    *,
    source: str = AnnotationSource.HUMAN,
    annotator=None,
) -> list[Annotation]:
    """Annotations in bulk (no retraining trigger): ``labels`` per item, or one for all.

    People's labels count towards the queue's annotations per item, as the queue counts them.
    """
    now = timezone.now()
    if source in HUMAN_SOURCES:
        Item.objects.filter(id__in=item_ids).update(queue_annotations=F("queue_annotations") + 1)
        Item.objects.filter(
            id__in=item_ids, queue_annotations__gte=F("project__annotations_per_item")
        ).update(queue_done=True)
    return Annotation.objects.bulk_create(
        [
            Annotation(
                item_id=item_id,
                labels=[labels if isinstance(labels, str) else labels[item_id]],
                source=source,
                annotator=annotator,
                created_at=now,
                updated_at=now,
            )
            for item_id in item_ids
        ]
    )


def production_model_version(project: Project, version: int = 1, **fields) -> ModelVersion:
    """A production model version of ``project`` with placeholder training facts (no artefact
    is read): for tests about what the API shows of a version, not what it predicts."""
    defaults = {
        "algorithm": "logistic_regression",
        "embedder": "hashing",
        "snapshot_id": "s",
        "snapshot_hash": "h" * 64,
        "artifact": "models/none.npz",
        "stage": Stage.PRODUCTION,
    }
    return ModelVersion.objects.create(
        owner=project.owner_key, version=version, **{**defaults, **fields}
    )


def describe_classes_as_the_demo(project: Project) -> None:
    """Give the project's ``ham`` and ``spam`` classes the SMS demo's descriptions."""
    from labeling.models import LabelClass
    from labeling.services.demo import DEMO_HAM_DESCRIPTION, DEMO_SPAM_DESCRIPTION

    LabelClass.objects.filter(project=project, name="ham").update(description=DEMO_HAM_DESCRIPTION)
    LabelClass.objects.filter(project=project, name="spam").update(
        description=DEMO_SPAM_DESCRIPTION
    )
