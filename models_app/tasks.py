"""Celery tasks of the generic ML app: thin wrappers that take keys and call one service.

Routing (config/celery.py): ``ann_*`` go to the ``embeddings`` queue.
"""

from celery import shared_task


@shared_task(name="models_app.tasks.ann_index_build_task", acks_late=True)
def ann_index_build_task(owner: str, embedder: str) -> dict[str, int | str | None]:
    """Build the next generation of the nearest-neighbour index of an owner's vectors from one
    embedder. Safe to run twice: each build reads every vector afresh and replaces the last."""
    from models_app.services.neighbours import neighbour_index_build

    info = neighbour_index_build(owner=owner, embedder=embedder)
    return {
        "owner": owner,
        "embedder": embedder,
        "generation": info.generation if info else None,
        "size": info.size if info else 0,
    }
