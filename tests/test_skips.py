"""The skips CI turns into failures: without its switch a test that lacks something is skipped
with the reason; with ``TANDEM_REQUIRE_DATASETS=1`` (set by ``.ci/run``) a missing dataset or
model fails it instead, naming the switch."""

import pytest

from tests import skips


@pytest.fixture
def no_datasets(monkeypatch, tmp_path):
    """A checkout whose shared datasets folder is absent."""
    monkeypatch.setattr(skips, "DATASETS", tmp_path / "shared" / "datasets")


@pytest.mark.parametrize("switch", [None, "0", ""])
def test_a_missing_dataset_is_skipped_without_the_switch(no_datasets, monkeypatch, switch):
    if switch is None:
        monkeypatch.delenv("TANDEM_REQUIRE_DATASETS", raising=False)
    else:
        monkeypatch.setenv("TANDEM_REQUIRE_DATASETS", switch)

    with pytest.raises(pytest.skip.Exception, match=r"dataset sms_spam_collection\.tsv not found"):
        skips.dataset("sms_spam_collection.tsv")


def test_a_missing_dataset_fails_under_the_switch(no_datasets, monkeypatch):
    monkeypatch.setenv("TANDEM_REQUIRE_DATASETS", "1")

    with pytest.raises(pytest.fail.Exception) as failed:
        skips.dataset("sms_spam_collection.tsv")

    assert "dataset sms_spam_collection.tsv not found" in str(failed.value)
    assert str(failed.value).endswith("(TANDEM_REQUIRE_DATASETS=1)")


def test_a_missing_model_fails_under_the_switch(monkeypatch):
    monkeypatch.setenv("TANDEM_REQUIRE_DATASETS", "1")

    with pytest.raises(pytest.fail.Exception, match=r"MiniLM .*\(TANDEM_REQUIRE_DATASETS=1\)"):
        skips.require_data(False, "MiniLM is not installed here")


def test_a_present_dataset_is_found_with_or_without_the_switch(monkeypatch, tmp_path):
    monkeypatch.setattr(skips, "DATASETS", tmp_path)
    (tmp_path / "tiny.tsv").write_text("Label\tSMS\nham\tsee you soon\n", encoding="utf-8")

    monkeypatch.delenv("TANDEM_REQUIRE_DATASETS", raising=False)
    found = skips.dataset("tiny.tsv")
    monkeypatch.setenv("TANDEM_REQUIRE_DATASETS", "1")

    assert found == skips.dataset("tiny.tsv") == tmp_path / "tiny.tsv"


def test_each_switch_governs_only_its_own_need(monkeypatch):
    monkeypatch.setenv("TANDEM_REQUIRE_BROWSER", "1")
    monkeypatch.delenv("TANDEM_REQUIRE_DATASETS", raising=False)

    with pytest.raises(pytest.skip.Exception):
        skips.require_data(False, "no datasets here")
    with pytest.raises(pytest.fail.Exception, match=r"\(TANDEM_REQUIRE_BROWSER=1\)"):
        skips.require(False, "no browser here", switch="TANDEM_REQUIRE_BROWSER")
