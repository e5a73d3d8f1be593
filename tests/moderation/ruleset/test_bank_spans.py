"""Where a bank matched, in the text as posted: the span covers the obfuscated original
characters (what the review panel masks), not a position in the normalised views."""

import pytest

from moderation.ruleset.banks import BankMatcher, TextBank
from moderation.ruleset.normalise import mapped_views, views

ZWJ, ZWSP, SOFT_HYPHEN = "\u200d", "\u200b", "\u00ad"
CYRILLIC_E, CYRILLIC_Y, CYRILLIC_O = "\u0435", "\u0443", "\u043e"
COMBINING_ACUTE = "\u0301"
FULLWIDTH_FREE = "\uff26\uff32\uff25\uff25"


@pytest.fixture(scope="module")
def matcher():
    return BankMatcher.build(
        [
            TextBank("scam", terms=["free", "crypto giveaway"]),
            TextBank("drugs", terms=["viagra"]),
            TextBank("links", patterns=[r"https?://[^\s]+\.(xyz|top)\b"]),
        ]
    )


def _covered(matcher, text):
    return [(span.bank, text[span.start : span.end]) for span in matcher.spans(text)]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("get it free now", "free"),
        ("get it fr33 now", "fr33"),
        ("get it FR33!! now", "FR33"),
        ("get it f r e e now", "f r e e"),
        ("get it f.r.e.e now", "f.r.e.e"),
        (f"get it fr{ZWJ}ee now", f"fr{ZWJ}ee"),
        (f"get it f{ZWSP}r{SOFT_HYPHEN}ee now", f"f{ZWSP}r{SOFT_HYPHEN}ee"),
        (f"get it fr{CYRILLIC_E}{CYRILLIC_E} now", f"fr{CYRILLIC_E}{CYRILLIC_E}"),
        (f"get it {FULLWIDTH_FREE} now", FULLWIDTH_FREE),
        ("get it FREEEEEE now", "FREEEEEE"),
        (f"get it fre{COMBINING_ACUTE}e now", f"fre{COMBINING_ACUTE}e"),
    ],
    ids=[
        "plain", "digits", "shouted", "spaced", "dotted", "zwj", "zwsp-soft-hyphen",
        "cyrillic", "fullwidth", "stretched", "accent",
    ],
)  # fmt: skip
def test_a_term_span_covers_the_obfuscated_original(matcher, text, masked):
    assert _covered(matcher, text) == [("scam", masked)]
    assert not _covered(matcher, text.replace(masked, "care" + masked))  # not a whole word


def test_a_two_word_term_spans_both_words_and_what_lies_between(matcher):
    text = f"Join the cr{CYRILLIC_Y}pt{CYRILLIC_O}  g1veaway!! today"

    assert _covered(matcher, text) == [("scam", f"cr{CYRILLIC_Y}pt{CYRILLIC_O}  g1veaway")]


def test_every_place_of_a_term_is_found_and_patterns_keep_their_own_span(matcher):
    text = "free, FREE and fr33 at https://pr1ze.xyz/win — v1agra"

    assert _covered(matcher, text) == [
        ("scam", "free"),
        ("scam", "FREE"),
        ("scam", "fr33"),
        ("links", "https://pr1ze.xyz"),
        ("drugs", "v1agra"),
    ]


def test_a_text_without_bank_terms_has_no_spans(matcher):
    assert matcher.spans("a carefree afternoon") == []
    assert matcher.spans("") == []
    assert BankMatcher().spans("free") == []


@pytest.mark.parametrize(
    "text",
    [
        "Get FR33 m0ney now!",
        f"f r e e money and fr{ZWJ}ee",
        f"fr{CYRILLIC_E}{CYRILLIC_E} stuff FREEEEE!!",
        f"straße ß {FULLWIDTH_FREE} @free +free+ f.r.e.e m.o.n.e.y a b",
        f"e{COMBINING_ACUTE}t{ZWSP}e 1|!l",
    ],
)
def test_the_mapped_views_are_the_views_used_for_matching(text):
    mapped, plain = mapped_views(text), views(text)

    assert (mapped.plain, mapped.skeleton) == (plain.plain, plain.skeleton)
    assert len(mapped.skeleton_ranges) == len(mapped.skeleton)
    assert all(0 <= start < end <= len(text) for start, end in mapped.skeleton_ranges)


def test_the_mapped_views_agree_with_matching_on_real_texts(dataset_path):
    import csv

    texts = []
    with open(dataset_path("sms_spam_collection.tsv"), encoding="utf-8") as handle:
        texts += [row["SMS"] for row in csv.DictReader(handle, delimiter="\t")][:2_000]
    with open(dataset_path("davidson_hate_offensive.csv"), encoding="utf-8") as handle:
        texts += [row["tweet"] for row in csv.DictReader(handle)][:2_000]
    differing = [t for t in texts if mapped_views(t).skeleton != views(t).skeleton]

    assert differing == []
