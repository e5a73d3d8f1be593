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
_WORDS = re.compile(r"(?:[^\W_]|[!|@$+])+")
_LONG_RUNS = re.compile(r"(.)\1{3,}")
# A run of four in words joined by single spaces (cheaper to look for than ``_LONG_RUNS``).
_WORD_RUNS = re.compile(r"([^ ])\1\1\1")
# ASCII characters that are not in ``_WORDS``' words, each turned into a space.
_ASCII_GAPS = str.maketrans({code: " " for code in range(128) if not _WORDS.fullmatch(chr(code))})
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
    if text.isascii():
        # The same answer, without the passes below: NFKC, NFKD and NFC leave ASCII as it is,
        # it holds no format characters or accents, no look-alike is ASCII, and ASCII case
        # folds as it lowers.
        return text.lower()
    return _plain_unicode(text)


def _plain_unicode(text: str) -> str:
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
    """``skeleton`` from the ``plain`` view (see the module's docstring)."""
    # ASCII: the same words as ``_WORDS`` finds, by C-speed passes (every other character is
    # a gap).
    words = text.translate(_ASCII_GAPS).split() if text.isascii() else _WORDS.findall(text)
    if any(mark in text for mark in _EDGE_PUNCTUATION):
        words = [word for word in map(_strip_edges, words) if word]
    if _spells_out(words):
        return _skeleton_spelled_out(text)
    # No three one-character words in a row, so no run is joined and every word stands as it
    # is: folding, then cutting long runs, over the joined words gives what folding and
    # cutting each word does (one character folds to one, and no run crosses a space).
    folded = " ".join(words).translate(_SKELETON_TABLE)
    return _LONG_RUNS.sub(r"\1\1\1", folded) if _WORD_RUNS.search(folded) else folded


def _strip_edges(word: str) -> str:
    return word.strip(_EDGE_PUNCTUATION)


def _spells_out(words: list[str]) -> bool:
    """Whether three one-character words come in a row (perhaps a word spelled out)."""
    in_row = 0
    for word in words:
        if len(word) == 1:
            in_row += 1
            if in_row == _SPACED_LETTERS_MIN:
                return True
        else:
            in_row = 0
    return False


def _skeleton_spelled_out(text: str) -> str:
    """``skeleton_of_plain`` for a text that may spell a word out one letter at a time."""
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


def term_screen_regex(shape: str) -> str:
    """An RE2 regex over a text's ``plain`` view that matches wherever its skeleton could hold
    the skeleton ``shape`` (of a term): each of the shape's letters as one or more of the
    characters that fold into it, with anything but ASCII letters and digits between them. A
    text it does not match cannot hit the term, so its skeleton need not be made.

    Why nothing is missed: every letter of a skeleton comes from a character of the plain
    view that folds into it (``_SUBSTITUTIONS``), in order; what lies between two letters of
    a skeleton in the plain view is only more of the same letter (runs cut to three),
    separators (not letters or digits: gaps between words and between spelled-out letters),
    and the ``!|+@`` dropped at a word's edge; a plain ASCII letter or digit is never dropped.
    The screen asks for no word boundaries and lets any letter repeat, so it matches more
    than the term does, never less."""
    import re2

    classes: dict[str, set[str]] = {}
    for character, folded in _SUBSTITUTIONS.items():
        classes.setdefault(folded, {folded}).add(character)
    pieces = []
    for letter in shape.replace(" ", ""):
        members = sorted(classes.get(letter, {letter}))
        pieces.append("[" + "".join(re2.escape(member) for member in members) + "]+")
    return "[^a-z0-9]*".join(pieces)


class Views:
    """Both views of one text, computed once for every bank that reads it; the skeleton (the
    costlier one) the first time it is read."""

    __slots__ = ("_skeleton", "plain")

    def __init__(self, plain: str, skeleton: str | None = None):
        self.plain = plain
        self._skeleton = skeleton

    @property
    def skeleton(self) -> str:
        if self._skeleton is None:
            self._skeleton = skeleton_of_plain(self.plain)
        return self._skeleton


def views(text: str) -> Views:
    return Views(plain(text))


# --- where each view's characters came from -------------------------------------------------
#
# Matching reads the views above; the review panel needs the matches in the text as posted
# (to mask them), which the views cannot say: NFKC, case folding and the dropped format
# characters change lengths, and skeletons drop and join characters. ``mapped_views`` builds
# the same two views one character of the text at a time and keeps, for each character of a
# view, the range of the original text it came from. It is slower than ``views`` (a Python
# loop), so it runs only when a text is shown, never at intake.


@functools.lru_cache(maxsize=65_536)
def _plain_char(character: str) -> str:
    return plain(character)


@dataclass(frozen=True)
class MappedViews:
    """``plain`` and ``skeleton`` as ``views`` gives them (built a character at a time), and
    for each of their characters the ``[start, end)`` range of the original text it came
    from."""

    plain: str
    plain_ranges: tuple[tuple[int, int], ...]
    skeleton: str
    skeleton_ranges: tuple[tuple[int, int], ...]

    def original_span(self, ranges: tuple[tuple[int, int], ...], start: int, end: int):
        """The original text's ``(start, end)`` covering view characters ``start..end-1``."""
        return ranges[start][0], ranges[end - 1][1]


def _collapse_runs(
    letters: list[str], ranges: list[tuple[int, int]]
) -> tuple[list[str], list[tuple[int, int]]]:
    """``_LONG_RUNS.sub(r"\\1\\1\\1", word)`` with ranges: a run of four or more of one
    character keeps three, the third covering the rest of the run."""
    kept: list[str] = []
    kept_ranges: list[tuple[int, int]] = []
    index = 0
    while index < len(letters):
        end = index
        while end < len(letters) and letters[end] == letters[index]:
            end += 1
        if end - index >= 4:
            kept.extend(letters[index : index + 3])
            kept_ranges.extend(ranges[index : index + 2])
            kept_ranges.append((ranges[index + 2][0], ranges[end - 1][1]))
        else:
            kept.extend(letters[index:end])
            kept_ranges.extend(ranges[index:end])
        index = end
    return kept, kept_ranges


def mapped_views(text: str) -> MappedViews:
    """Both views of ``text`` with the original range of each of their characters (see
    above)."""
    flat_letters: list[str] = []
    flat_origin: list[int] = []
    for position, character in enumerate(text):
        piece = _plain_char(character) if not character.isascii() else character.lower()
        flat_letters.extend(piece)
        flat_origin.extend([position] * len(piece))
    flat = "".join(flat_letters)
    # A character's range runs to the next character that shows in the view: what the view
    # dropped after it (an accent, a zero-width joiner) goes with it.
    ends: list[int] = []
    following = len(text)
    for origin in reversed(flat_origin):
        ends.append(following if following > origin else origin + 1)
        following = origin
    ends.reverse()
    flat_ranges = tuple(zip(flat_origin, ends, strict=True))

    # skeleton_of_plain, step by step, with each letter's range.
    words: list[tuple[str, list[str], list[tuple[int, int]]]] = []
    previous_end = 0
    for match in _WORDS_AND_GAPS.finditer(flat):
        gap = flat[previous_end : match.start()] or " "
        previous_end = match.end()
        raw = match.group(0)
        start = match.start() + (len(raw) - len(raw.lstrip(_EDGE_PUNCTUATION)))
        word = raw.strip(_EDGE_PUNCTUATION)
        if not word:
            continue
        letters = list(word.translate(_SKELETON_TABLE))
        ranges = [flat_ranges[start + offset] for offset in range(len(word))]
        letters, ranges = _collapse_runs(letters, ranges)
        words.append((gap, letters, ranges))
    joined: list[tuple[list[str], list[tuple[int, int]]]] = []
    run: list[tuple[list[str], list[tuple[int, int]]]] = []
    run_gap = ""

    def end_run() -> None:
        if len(run) >= _SPACED_LETTERS_MIN:
            letters = [letter for word in run for letter in word[0]]
            ranges = [span for word in run for span in word[1]]
            joined.append(_collapse_runs(letters, ranges))
        else:
            joined.extend(run)
        run.clear()

    for gap, letters, ranges in words:
        if len(letters) > 1:
            end_run()
            joined.append((letters, ranges))
            continue
        if len(run) == 1:
            run_gap = gap
        elif run and gap != run_gap:
            end_run()
        run.append((letters, ranges))
    end_run()
    skeleton_letters: list[str] = []
    skeleton_ranges: list[tuple[int, int]] = []
    for index, (letters, ranges) in enumerate(joined):
        if index:
            # The space between two words covers what lies between them.
            skeleton_letters.append(" ")
            skeleton_ranges.append((skeleton_ranges[-1][1], ranges[0][0]))
        skeleton_letters.extend(letters)
        skeleton_ranges.extend(ranges)
    return MappedViews(
        plain=flat,
        plain_ranges=flat_ranges,
        skeleton="".join(skeleton_letters),
        skeleton_ranges=tuple(skeleton_ranges),
    )
