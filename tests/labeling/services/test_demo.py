"""The demo's mails as annotators read them: no answer in the id or the metadata, no markup.

The mails are crafted after records of the SpamAssassin corpus package (the same JSON shape:
``id``, ``group``, ``checksum``, ``text`` holding the raw message), including its known faults:
HTML parts full of ``&nbsp;``, text/plain parts that are HTML, numeric entities in mailed
feeds, and U+FFFD where the package could not decode a byte (easy-ham-1/01306, "Mich\ufffdl").
"""

import csv
import json

import pytest

from labeling.choices import Role
from labeling.models import Item
from labeling.services import demo
from labeling.services.demo import corpus_rows, demo_project_create, mail_text
from labeling.services.imports.run import import_job_run
from tests.factories import MembershipFactory, UserFactory

HTML_SPAM = """From: "Deals" <deals@example.com>
Subject: =?iso-8859-1?Q?Save=A0big=A0today?=
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="XX"

--XX
Content-Type: text/html; charset=iso-8859-1

<html><head><style>p {color: red}</style></head><body>
<p>LOWEST&nbsp;RATES&nbsp;EVER &amp; no fees!</p><br><br><br><br>
<p>Click&nbsp;<a href="http://example.com">here</a> &#8220;now&#8221;</p>
</body></html>
--XX--
"""

HAM_WITH_REPLACEMENT = """From: Michel <michel@example.org>
Subject: Re: dvd::rip needs PERLIO=stdio
Content-Type: text/plain; charset=UTF-8

Not too sure what the cleanest way to fix this is - anyone working on this? Caf\u00e9.

--\x20
Mich\ufffdl Alexandre Salim
"""

QUOTED_PRINTABLE = """From: a@example.org
Subject: Latin
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Caf=E9 cr=E8me, =
soft break.
"""

PLAIN_BUT_HTML = """From: x@example.com
Subject: FREE!!!
Content-Type: text/plain

<HTML><BODY><FONT size=3D4>Make&nbsp;$$$ at home</FONT></BODY></HTML>
"""

FEED_AS_TEXT = """From: feeds@example.org
Subject: Channels
Content-Type: text/plain

Finding More Channels. &#8220;In simple terms&#8221; AT&T &amp; friends
"""


def test_html_mail_reads_as_text_with_entities_decoded():
    subject, body = mail_text(HTML_SPAM)

    assert subject == "Save big today"
    assert body == "LOWEST RATES EVER & no fees!\nClick here \u201cnow\u201d"


def test_replacement_characters_are_dropped():
    _subject, body = mail_text(HAM_WITH_REPLACEMENT)

    assert "\ufffd" not in body
    assert "\\u" not in body  # no escapes written out as text either
    assert "Caf\u00e9." in body
    assert body.endswith("Michl Alexandre Salim")


def test_quoted_printable_is_decoded_with_the_parts_charset():
    _subject, body = mail_text(QUOTED_PRINTABLE)

    assert body == "Caf\u00e9 cr\u00e8me, soft break."


def test_a_plain_part_that_is_html_loses_its_markup():
    _subject, body = mail_text(PLAIN_BUT_HTML)

    assert body == "Make $$$ at home"


def test_plain_text_keeps_its_ampersands_but_decodes_numeric_references():
    _subject, body = mail_text(FEED_AS_TEXT)

    assert body == "Finding More Channels. \u201cIn simple terms\u201d AT&T &amp; friends"


def write_corpus(data_dir):
    mails = {
        ("spam-2", "00531"): HTML_SPAM,
        ("easy-ham-1", "01306"): HAM_WITH_REPLACEMENT,
        ("spam-1", "00007"): PLAIN_BUT_HTML,
    }
    for (group, number), raw in mails.items():
        folder = data_dir / group
        folder.mkdir(parents=True, exist_ok=True)
        record = {
            "id": number,
            "group": group,
            "checksum": {"type": "MD5", "value": "0" * 32},
            "text": raw,
        }
        (folder / f"{number}.{'0' * 32}.json").write_text(json.dumps(record), encoding="utf-8")


def test_corpus_rows_name_items_without_their_class(tmp_path):
    write_corpus(tmp_path)

    rows = list(corpus_rows(tmp_path))

    assert {row.source for row in rows} == {"spam-2/00531", "easy-ham-1/01306", "spam-1/00007"}
    for row in rows:
        assert row.external_id.startswith("mail-")
        for revealing in ("spam", "ham", "00531", "01306", "00007"):
            assert revealing not in row.external_id
    assert len({row.external_id for row in rows}) == 3
    # The same mail gets the same id on every run (re-importing the demo skips it).
    assert [row.external_id for row in corpus_rows(tmp_path)] == [row.external_id for row in rows]


@pytest.mark.django_db
def test_demo_items_show_annotators_no_answer(tmp_path, monkeypatch, api):
    data_dir = tmp_path / "corpus"
    write_corpus(data_dir)
    monkeypatch.setattr(demo, "corpus_fetch", lambda *, dest: data_dir)
    admin = UserFactory(is_staff=True, is_superuser=True)

    project, job = demo_project_create(admin=admin, work_dir=tmp_path / "demo")
    import_job_run(job_id=job.pk)

    annotator = UserFactory()
    MembershipFactory(project=project, user=annotator, role=Role.ANNOTATOR)
    client = api.as_user(annotator)
    served = []
    for _ in range(3):
        body = client.post(f"/api/v1/projects/{project.pk}/queue/next/", {}, format="json").json()
        served.append(body["assignment"]["item"])
    assert len(served) == Item.objects.filter(project=project).count() == 3
    for item in served:
        shown = json.dumps({"external_id": item["external_id"], "metadata": item["metadata"]})
        for revealing in ("spam", "ham", "group", "00531", "01306", "00007"):
            assert revealing not in shown.lower()
        assert "&nbsp;" not in item["text"]
        assert "\ufffd" not in item["text"]
    # The answer key stays beside the import file, for checking labels afterwards.
    with (tmp_path / "demo" / demo.ANSWER_KEY).open(newline="") as fh:
        key = {row["external_id"]: (row["source"], row["label"]) for row in csv.DictReader(fh)}
    assert sorted(key.values()) == [
        ("easy-ham-1/01306", "ham"),
        ("spam-1/00007", "spam"),
        ("spam-2/00531", "spam"),
    ]
    assert set(key) == {item["external_id"] for item in served}
