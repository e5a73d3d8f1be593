"""The OpenAPI schema generates cleanly, covers only /api/v1/, and the frontend's copy is current.

The frontend's TypeScript types are generated from ``frontend/openapi.yml``. When the API
changes, regenerate that file with ``DJANGO_SETTINGS_MODULE=config.settings.local
.venv/bin/python manage.py spectacular --file frontend/openapi.yml`` and commit it with the
change.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
COMMITTED_SCHEMA = REPO_ROOT / "frontend" / "openapi.yml"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[subprocess.CompletedProcess, str]:
    """Run the real management command once, the way CI and developers run it."""
    out = tmp_path_factory.mktemp("schema") / "openapi.yml"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(out),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result, out.read_text() if out.exists() else ""


def test_schema_generates_and_validates_without_warnings_or_errors(generated):
    result, schema = generated

    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr
    assert "Error" not in result.stderr, result.stderr
    assert schema.startswith("openapi: 3.")


def test_every_path_is_under_api_v1(generated):
    _, schema = generated

    paths = list(yaml.safe_load(schema)["paths"])

    assert paths
    assert [p for p in paths if not p.startswith("/api/v1/")] == []


def test_every_operation_has_a_unique_operation_id(generated):
    _, schema = generated
    operations = [
        operation["operationId"]
        for item in yaml.safe_load(schema)["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]

    assert len(operations) == len(set(operations))


def test_committed_frontend_schema_matches_the_backend(generated):
    _, schema = generated

    assert COMMITTED_SCHEMA.is_file(), "frontend/openapi.yml is missing"
    assert COMMITTED_SCHEMA.read_text() == schema, (
        "frontend/openapi.yml is out of date: run "
        "`.venv/bin/python manage.py spectacular --file frontend/openapi.yml` and commit it"
    )


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("AnnotationOutput", "annotator"),  # imported and automatic labels have no annotator
        ("ModelVersionOutput", "created_by"),  # versions trained by the scheduler
        ("TrainingJobOutput", "requested_by"),  # jobs requested by an import or the beat
        ("ImportJobOutput", "created_by"),  # the uploader's account was deleted
    ],
)
def test_people_who_may_be_absent_are_nullable_in_the_schema(generated, component, field):
    """Found by the schema fuzzer: these answered null while the schema promised a string,
    so the generated TypeScript types lied to the SPA."""
    _, schema = generated

    properties = yaml.safe_load(schema)["components"]["schemas"][component]["properties"]

    assert properties[field].get("nullable") is True
