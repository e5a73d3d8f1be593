"""The short cuts text banks take (skeletons made by C-speed passes when no word is spelled
out; a screen on the plain view before a skeleton is made at all) never change a view or a
match: each is compared with the full, letter-by-letter way on the obfuscations people use,
on real texts and on seeded random texts made of terms, look-alikes and separators."""

import csv
import random

import pytest

from moderation.ruleset.banks import BankMatcher, TextBank
from moderation.ruleset.normalise import _skeleton_spelled_out, plain, skeleton_of_plain, views

ZWJ, ZWSP, SOFT_HYPHEN = "\u200d", "\u200b", "\u00ad"
CYRILLIC_E, CYRILLIC_A, CYRILLIC_O = "\u0435", "\u0430", "\u043e"
OBFUSCATED = [
    "FREE MONEY for you", "fr33 m0n3y for you", "f r e e money", "f.r.e.e m.o.n.e.y",
    "f-r-e-e money", f"fr{ZWSP}ee mo{ZWJ}ney", f"fr{SOFT_HYPHEN}ee money",
    f"fr{CYRILLIC_E}{CYRILLIC_E} m{CYRILLIC_O}ney", "\uff26\uff32\uff25\uff25 money",
    "frée mónéy", "FREEEEE MONEYYYY!!!", "get your free, money!", "v1agra", "V!AGRA",
    "v i a g r a", f"vi{ZWJ}agra", f"vi{CYRILLIC_A}gr{CYRILLIC_A}", "p!lls and p1llz", "w33d",
    "@weed +weed+ |weed| !!!", "carefree moneylender", "free of money", "the god of money",
    "a b c free", "x . y . z", "a  b  c d", "$$$ 5ale", "hello he11o heiio", "1|!l", "",
    "see https://win.xyz now", f"see https://win.x{ZWSP}yz now", "call 0800 123 4567",
    "\t\n\r mixed\twhite\nspace ", "ß straße", "κακό café",
]  # fmt: skip
TERMS = ["free money", "viagra", "pills", "weed", "oxy", "call now", "24/7", "l1ke", "ass", "god"]
SEPARATORS = [" ", ".", "-", "!", "|", "@", "+", "$", "_", ZWSP, "\n", "  ", "", "'", ","]


@pytest.fixture(scope="module")
def matcher():
    return BankMatcher.build(
        [
            TextBank("scam", terms=["free money", "crypto giveaway", "winner"]),
            TextBank("drugs", terms=["viagra", "pills", "weed", "oxy"]),
            TextBank("other", terms=["24/7", "l1ke", "ass", "god", "x.y.z", "café", "κακό"]),
            TextBank("links", terms=["call now"], patterns=[r"https?://\S+\.(xyz|top)\b"]),
        ]
    )


def _unscreened(matcher, text):
    """What the banks hit matching every term on the skeleton, without the screen."""
    seen = views(text)
    hits = {matcher.term_owner[i] for i in matcher.terms.Match(seen.skeleton.encode()) or []}
    hits |= {matcher.pattern_owner[i] for i in matcher.patterns.Match(seen.plain.encode()) or []}
    return frozenset(hits)


def _random_texts(count, seed=11):
    rng = random.Random(seed)
    look_alikes = str.maketrans("oeiaslt", "031@5|7")
    pieces = [*TERMS, "a", "i", "u", "x", "money", "free", "hello", CYRILLIC_E, "é", "ß"]
    texts = []
    for _ in range(count):
        words = []
        for _ in range(rng.randint(1, 6)):
            word = rng.choice(pieces)
            if rng.random() < 0.3:  # spelled out
                word = rng.choice(SEPARATORS).join(word)
            if rng.random() < 0.3:  # stretched
                word = "".join(letter * rng.randint(1, 5) for letter in word)
            if rng.random() < 0.2:
                word = word.translate(look_alikes)
            if rng.random() < 0.2:
                word = word.upper()
            words.append(word + rng.choice(SEPARATORS))
        texts.append("".join(words))
    every_ascii = "".join(chr(code) for code in range(128))
    for _ in range(count):
        texts.append("".join(rng.choice(every_ascii) for _ in range(rng.randint(0, 40))))
    return texts


def _real_texts(dataset_path):
    with open(dataset_path("sms_spam_collection.tsv"), encoding="utf-8") as handle:
        texts = [row["SMS"] for row in csv.DictReader(handle, delimiter="\t")]
    with open(dataset_path("davidson_hate_offensive.csv"), encoding="utf-8") as handle:
        texts += [row["tweet"] for row in csv.DictReader(handle)][:5_000]
    return texts


def test_the_skeleton_is_the_same_whichever_way_it_is_made(dataset_path):
    texts = OBFUSCATED + _random_texts(3_000) + _real_texts(dataset_path)
    for text in texts:
        for view in (text, plain(text)):
            assert skeleton_of_plain(view) == _skeleton_spelled_out(view), repr(view)


@pytest.mark.parametrize("text", OBFUSCATED)
def test_the_screen_never_changes_what_an_obfuscated_text_hits(matcher, text):
    assert matcher.match(text) == _unscreened(matcher, text)


def test_the_screen_never_changes_what_real_or_random_texts_hit(matcher, dataset_path):
    texts = _real_texts(dataset_path) + _random_texts(3_000)
    differing = [text for text in texts if matcher.match(text) != _unscreened(matcher, text)]

    assert differing == []
    # Not vacuous: these texts hit every bank between them, and many hit none.
    hit = [matcher.match(text) for text in texts]
    assert set().union(*hit) == {"scam", "drugs", "other", "links"}
    assert sum(1 for banks in hit if not banks) > len(texts) // 4


def test_a_matcher_for_some_banks_says_of_them_what_the_whole_one_says(matcher, dataset_path):
    drugs = matcher.only(["drugs"])
    for text in OBFUSCATED + _random_texts(500, seed=3) + _real_texts(dataset_path)[:3_000]:
        assert drugs.match(text) == matcher.match(text) & {"drugs"}, repr(text)
        if not drugs.can_hit(views(text)):
            assert "drugs" not in matcher.match(text)
