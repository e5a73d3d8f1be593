"""Text as a text bank reads it: obfuscation undone the same way in a term and in the text.

Two views of a text:

- ``plain``: Unicode compatibility forms folded (NFKC: fullwidth and mathematical letters become
  plain ones), case folded, format characters removed (zero-width spaces and joiners, soft
  hyphens, bidi controls), accents dropped, and look-alike letters of other scripts replaced by
  the Latin letter they imitate (Unicode's confusables, TR39, from ``confusable_homoglyphs``):
  a word all in Cyrillic stays Cyrillic, but ``fr`` followed by two Cyrillic ``ie`` letters
  (U+0435) reads ``free``. A bank's RE2
  patterns are matched against this view, so a pattern's digits and punctuation keep their
  meaning.
- ``skeleton``: ``plain``, then characters people swap for letters folded into one class each
  (``0``/``o``; ``1``/``!``/``|``/``l``/``i``; ``3``/``e``; ``4``/``@``/``a``; ``5``/``$``/``s``;
  ``7``/``+``/``t``; ``8``/``b``) inside words (``!``, ``|``, ``+`` and ``@`` at a word's edge
  are punctuation and mentions, and are dropped), runs of four or more of one character cut to
  three (``freeeee`` → ``freee``; ``term_regex`` lets a term's letters stretch), words split on
  anything else that is not a letter or digit, and runs of three or more one-character words
  with the same gap between them joined (``f r e e``, ``f.r.e.e m.o.n.e.y``, ``f-r-e-e`` →
  ``free``). The words are joined by single spaces. A bank's terms are turned into skeletons the
  same way and matched as whole words, so ``fr33``, ``FREEEE!!``, ``f r e e``,
  ``fr\u200bee`` (a zero-width space inside) and ``fr\u0435\u0435`` (Cyrillic) all hit the term
  ``free``; ``carefree`` does not.

Folding both sides into one class is what makes ``l1ke`` and ``like`` meet without guessing
which letter a ``1`` stood for; the price is that two different words can share a skeleton
(``hello`` and ``he11o`` by design, but also ``lot`` and ``iot``), which is why a bank hit is a
signal for rules to weigh, never a decision on its own.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

# Characters people put in place of letters, each mapped to the class it folds into.
_SUBSTITUTIONS = {
    "0": "o",
    "1": "i",
    "!": "i",
    "|": "i",
    "l": "i",
    "3": "e",
    "4": "a",
    "@": "a",
    "5": "s",
    "$": "s",
    "7": "t",
    "+": "t",
    "8": "b",
}
_SKELETON_TABLE = str.maketrans(_SUBSTITUTIONS)
# Separators inside a word that a substitution may stand in for: kept until after folding.
_WORDS_AND_GAPS = re.compile(r"((?:[^\W_]|[!|@$+])+)")
_EDGE_PUNCTUATION = "!|+@"
_LONG_RUNS = re.compile(r"(.)\1{3,}")
_SPACED_LETTERS_MIN = 3


@functools.cache
def _confusables() -> dict[str, str]:
    """Every non-ASCII character Unicode lists as confusable with one ASCII letter or digit,
    mapped to it (lower case)."""
    data = json.loads(
        resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    )
    table: dict[str, str] = {}
    for character, homoglyphs in data.items():
        if len(character) != 1 or character.isascii():
            continue
        latin = [
            glyph["c"]
            for glyph in homoglyphs
            if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isalnum()
        ]
        if latin:
            table[character] = latin[0].lower()
    return table


@functools.cache
def _confusables_table() -> dict[int, str]:
    return str.maketrans(_confusables())


def plain(text: str) -> str:
    """The ``plain`` view (see the module's docstring)."""
    text = unicodedata.normalize("NFKC", text)
    # Before case folding: some look-alikes are capitals (Cyrillic capital A, U+0410) and
    # fold differently.
    text = text.translate(_confusables_table())
    text = text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    kept = [
        ch
        for ch in decomposed
        # Cf: zero-width space/joiners, soft hyphen, bidi marks; Mn: accents after NFKD.
        if unicodedata.category(ch) not in ("Cf", "Mn")
    ]
    # Look-alikes may hide behind accents (a Cyrillic ie with an acute accent): one more pass
    # after they are dropped.
    return unicodedata.normalize("NFC", "".join(kept)).translate(_confusables_table())


def skeleton(text: str) -> str:
    """The ``skeleton`` view (see the module's docstring)."""
    return skeleton_of_plain(plain(text))


def skeleton_of_plain(text: str) -> str:
    # Alternating gaps and words: ["", "f", ".", "r", ...]; a gap is what separates two words.
    parts = _WORDS_AND_GAPS.split(text)
    words: list[tuple[str, str]] = []  # (the gap before it, the folded word)
    for index in range(1, len(parts), 2):
        word = parts[index].strip(_EDGE_PUNCTUATION)
        if word:
            gap = parts[index - 1] or " "
            words.append((gap, _LONG_RUNS.sub(r"\1\1\1", word.translate(_SKELETON_TABLE))))
    joined: list[str] = []
    run: list[str] = []
    run_gap = ""

    def end_run() -> None:
        if len(run) >= _SPACED_LETTERS_MIN:
            joined.append(_LONG_RUNS.sub(r"\1\1\1", "".join(run)))
        else:
            joined.extend(run)
        run.clear()

    for gap, word in words:
        if len(word) > 1:
            end_run()
            joined.append(word)
            continue
        # A run of one-letter words is one word spelled out with one kind of gap between its
        # letters: "f.r.e.e m.o.n.e.y" is two words, "f r e e" one.
        if len(run) == 1:
            run_gap = gap
        elif run and gap != run_gap:
            end_run()
        run.append(word)
    end_run()
    return " ".join(joined)


def term_regex(shape: str) -> str:
    """An RE2 regex matching the skeleton ``shape`` (of a term) as whole words of a text's
    skeleton, where letters may be stretched: skeletons cut runs of four or more of a letter
    to three, so a single letter of the term also matches three of it, and a double one two or
    three (``money`` hits ``moneyyyy``; ``god`` never hits ``good``, nor ``ass`` ``as``)."""
    import re2

    pieces = []
    for match in re.finditer(r"(.)\1*", shape):
        letter = re2.escape(match.group(1))
        count = len(match.group(0))
        if count == 1:
            pieces.append(f"{letter}(?:{letter}{letter})?")
        elif count == 2:
            pieces.append(f"{letter}{letter}{letter}?")
        else:
            pieces.append(letter * count)
    return f"(?:^| ){''.join(pieces)}(?: |$)"


@dataclass(frozen=True)
class Views:
    """Both views of one text, computed once for every bank that reads it."""

    plain: str
    skeleton: str


def views(text: str) -> Views:
    flat = plain(text)
    return Views(plain=flat, skeleton=skeleton_of_plain(flat))
