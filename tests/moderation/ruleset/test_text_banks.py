"""Text banks against the obfuscations people use to slip past word lists."""

import pytest

from moderation.ruleset.banks import BankError, BankMatcher, TextBank, bank_check
from moderation.ruleset.normalise import plain, skeleton

ZWJ, ZWSP, SOFT_HYPHEN = "\u200d", "\u200b", "\u00ad"
CYRILLIC_E, CYRILLIC_A, CYRILLIC_O = "\u0435", "\u0430", "\u043e"


@pytest.fixture(scope="module")
def matcher():
    return BankMatcher.build(
        [
            TextBank("scam", terms=["free money", "crypto giveaway"]),
            TextBank("drugs", terms=["viagra"]),
            TextBank("links", patterns=[r"https?://[^\s]+\.(xyz|top)\b"]),
        ]
    )


@pytest.mark.parametrize(
    "text",
    [
        "FREE MONEY for you",
        "fr33 m0n3y for you",
        "f r e e money",
        "f.r.e.e m.o.n.e.y",
        "f-r-e-e money",
        f"fr{ZWSP}ee mo{ZWJ}ney",
        f"fr{SOFT_HYPHEN}ee money",
        f"fr{CYRILLIC_E}{CYRILLIC_E} m{CYRILLIC_O}ney",
        "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in "FREE money"),  # fullwidth
        "".join(chr(0x1D41A + ord(c) - 97) if c != " " else c for c in "free money"),  # math bold
        "frée mónéy",
        "FREEEEE MONEYYYY!!!",
        "get your free, money!",
    ],
)
def test_obfuscated_terms_still_hit_their_bank(matcher, text):
    assert matcher.match(text) == {"scam"}, skeleton(text)


@pytest.mark.parametrize(
    "text", ["v1agra", "V!AGRA", "v i a g r a", f"vi{ZWJ}agra", f"vi{CYRILLIC_A}gr{CYRILLIC_A}"]
)
def test_a_single_word_term_hits_through_substitutions(matcher, text):
    assert matcher.match(text) == {"drugs"}


@pytest.mark.parametrize(
    "text",
    [
        "carefree moneylender",  # the term's words inside other words
        "free of money",  # not the phrase
        "money free",
        "the god of money",  # "good" stretches "god", not the other way round
        "a fine day",
        "",
    ],
)
def test_terms_match_whole_words_only(matcher, text):
    assert matcher.match(text) == frozenset()


def test_patterns_read_the_plain_text_with_digits_kept(matcher):
    assert matcher.match("see https://win.xyz now") == {"links"}
    # Look-alikes and zero-width characters are undone before patterns run too.
    assert matcher.match(f"see https://win.x{ZWSP}yz now") == {"links"}
    assert matcher.match("see https://win.example now") == frozenset()


def test_one_text_can_hit_several_banks(matcher):
    assert matcher.match("fr33 money: v1agra at http://a.top") == {"scam", "drugs", "links"}


def test_views_keep_what_patterns_need():
    assert plain("HeLLo 42") == "hello 42"
    assert skeleton("HeLLo 42") == "heiio a2"
    assert skeleton("@bob said: what?!") == "bob said what"


@pytest.mark.parametrize(
    ("bank", "field"),
    [
        (TextBank("b", terms=["ok", "!!!"]), "terms[1]"),
        (TextBank("b", terms=["x" * 201]), "terms[0]"),
        (TextBank("b", patterns=["(a)\\1"]), "patterns[0]"),
        (TextBank("b", patterns=["ok", ""]), "patterns[1]"),
        (TextBank("b", terms=["a"] * 10_001), "terms"),
    ],
)
def test_unusable_entries_are_refused_by_position(bank, field):
    with pytest.raises(BankError) as caught:
        bank_check(bank)
    assert caught.value.field == field


def test_a_script_in_a_term_is_only_text(matcher):
    built = BankMatcher.build([TextBank("xss", terms=["<script>alert(1)</script>"])])
    assert built.match("<SCRIPT>alert(1)</SCRIPT>") == {"xss"}
    assert built.match("script") == frozenset()


def test_ascii_text_reads_the_same_through_the_short_path():
    """ASCII takes a short path to the plain view; it must give what the full Unicode passes
    give, for every ASCII character and for texts mixing them."""
    from moderation.ruleset.normalise import _plain_unicode

    every = "".join(chr(code) for code in range(128))
    samples = [every, "FREE MONEY!!", "fr33 m0n3y @ http://x.XYZ", "F.R.E.E\tM-O-N-E-Y\r\n", ""]
    samples += [every[start:] + every[:start] for start in range(0, 128, 7)]
    for text in samples:
        assert text.isascii()
        assert plain(text) == _plain_unicode(text)
