"""The embedding job asks for the similar-item index of the vectors it made: at the end, and
each time a long job has doubled its vectors since the last request."""

import pytest

from labeling.services import embedding
from labeling.services.embedding import _IndexRefresh, embedding_job_run
from labeling.services.learning_jobs import project_embedding_request
from models_app.choices import JobTrigger
from models_app.ml.ann import ANN_MIN_ROWS
from models_app.ml.embedders.registry import get_embedder
from tests.factories import ItemFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests(monkeypatch):
    asked: list[tuple[str, str]] = []
    monkeypatch.setattr(
        embedding,
        "neighbour_index_request",
        lambda *, owner, embedder: asked.append((owner, embedder)),
    )
    return asked


def test_a_finished_job_asks_for_the_index_of_its_vectors(requests):
    project = ProjectFactory(embedder="hashing")
    ItemFactory.create_batch(3, project=project)
    job = project_embedding_request(project=project, trigger=JobTrigger.MANUAL)

    embedding_job_run(job_id=job.pk)

    assert requests == [(project.owner_key, get_embedder("hashing").key)]


def test_a_long_job_asks_again_each_time_its_vectors_double(requests):
    refresh = _IndexRefresh(owner="o", embedder_key="e@1")

    for done in (100, ANN_MIN_ROWS - 1, ANN_MIN_ROWS, ANN_MIN_ROWS + 5, 2 * ANN_MIN_ROWS):
        refresh(done)
    refresh(4 * ANN_MIN_ROWS + 1)

    assert requests == [("o", "e@1")] * 3
