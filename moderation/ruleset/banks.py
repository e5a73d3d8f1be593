"""Text banks: named lists of terms and RE2 patterns, all matched in one pass over a text.

A bank's terms are matched as whole words on the text's skeleton (``normalise``), so the usual
obfuscations still hit; its patterns are case-insensitive RE2 searches on the ``plain`` view
(look-alikes, zero-width characters and accents undone, digits and punctuation kept). RE2
matches in time linear in the text whatever the pattern, so no bank can stall intake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from moderation.ruleset.normalise import (
    MappedViews,
    Views,
    mapped_views,
    skeleton,
    term_regex,
    term_screen_regex,
    views,
)

MAX_TERMS = 10_000
MAX_TERM_CHARS = 200
MAX_PATTERNS = 500
MAX_PATTERN_CHARS = 1_000


class BankError(ValueError):
    """A bank that cannot be compiled; ``field`` names the entry (``terms[3]``,
    ``patterns[0]``)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class TextBank:
    name: str
    terms: Sequence[str] = ()
    patterns: Sequence[str] = ()


def _options() -> Any:
    import re2

    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    return options


def _re2_error(pattern: str) -> str | None:
    import re2

    try:
        re2.compile(pattern, _options())
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        return str(detail) or "RE2 cannot compile it"
    return None


def bank_check(bank: TextBank) -> list[str]:
    """The skeletons of ``bank``'s terms, in order; raises ``BankError`` naming the first
    entry that cannot be used (empty after normalising, too long, too many, not RE2)."""
    if len(bank.terms) > MAX_TERMS:
        raise BankError("terms", f"at most {MAX_TERMS:,} terms per bank")
    if len(bank.patterns) > MAX_PATTERNS:
        raise BankError("patterns", f"at most {MAX_PATTERNS:,} patterns per bank")
    skeletons = []
    for index, term in enumerate(bank.terms):
        if not isinstance(term, str) or len(term) > MAX_TERM_CHARS:
            raise BankError(f"terms[{index}]", f"a text of at most {MAX_TERM_CHARS} characters")
        shape = skeleton(term)
        if not shape:
            raise BankError(f"terms[{index}]", "has no letters or digits to match")
        skeletons.append(shape)
    for index, pattern in enumerate(bank.patterns):
        if not isinstance(pattern, str) or not pattern or len(pattern) > MAX_PATTERN_CHARS:
            raise BankError(
                f"patterns[{index}]", f"a pattern of 1 to {MAX_PATTERN_CHARS} characters"
            )
        problem = _re2_error(pattern)
        if problem:
            raise BankError(f"patterns[{index}]", f"not a valid RE2 pattern: {problem}")
    return skeletons


@dataclass(frozen=True)
class BankSpan:
    """Where a bank matched in the text as posted: ``text[start:end]`` (code points), by a
    term or a pattern."""

    bank: str
    start: int
    end: int
    kind: str  # "term" | "pattern"


@dataclass
class BankMatcher:
    """Every bank compiled into two RE2 sets: one of whole-word terms over skeletons, one of
    patterns over plain text (and a third screening texts before their skeleton is made).
    ``match`` says which banks a text hits."""

    term_owner: list[str] = field(default_factory=list)  # set index -> bank name
    pattern_owner: list[str] = field(default_factory=list)
    terms: Any = None
    patterns: Any = None
    term_regexes: list[str] = field(default_factory=list)
    pattern_regexes: list[str] = field(default_factory=list)
    # Per term, a looser regex over the plain view (``term_screen_regex``): a text none of
    # them match hits no term, and its skeleton is never made.
    screen_regexes: list[str] = field(default_factory=list)
    screen: Any = None
    # One compiled regex per set entry, made the first time ``spans`` needs it.
    _compiled: dict[tuple[str, int], Any] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, banks: Iterable[TextBank]) -> BankMatcher:
        matcher = cls()
        term_regexes: list[str] = []
        pattern_regexes: list[str] = []
        for bank in banks:
            for shape in dict.fromkeys(bank_check(bank)):
                term_regexes.append(term_regex(shape))
                matcher.screen_regexes.append(term_screen_regex(shape))
                matcher.term_owner.append(bank.name)
            for pattern in bank.patterns:
                pattern_regexes.append(pattern)
                matcher.pattern_owner.append(bank.name)
        matcher.terms = _search_set(term_regexes)
        matcher.patterns = _search_set(pattern_regexes)
        matcher.screen = _search_set(matcher.screen_regexes)
        matcher.term_regexes = term_regexes
        matcher.pattern_regexes = pattern_regexes
        return matcher

    def only(self, names: Iterable[str]) -> BankMatcher:
        """The same entries of the banks ``names`` alone: ``match`` says of those banks what
        this matcher says, with less to match (a backtest of a rule reading one bank)."""
        wanted = set(names)
        matcher = BankMatcher()
        for index, owner in enumerate(self.term_owner):
            if owner in wanted:
                matcher.term_owner.append(owner)
                matcher.term_regexes.append(self.term_regexes[index])
                matcher.screen_regexes.append(self.screen_regexes[index])
        for index, owner in enumerate(self.pattern_owner):
            if owner in wanted:
                matcher.pattern_owner.append(owner)
                matcher.pattern_regexes.append(self.pattern_regexes[index])
        matcher.terms = _search_set(matcher.term_regexes)
        matcher.patterns = _search_set(matcher.pattern_regexes)
        matcher.screen = _search_set(matcher.screen_regexes)
        return matcher

    def can_hit(self, seen: Views) -> bool:
        """False when ``match`` would find no bank, told without making the skeleton: no
        pattern matches and the screen rules out every term."""
        flat = seen.plain.encode("utf-8")
        if self.terms is not None and self.screen.Match(flat):
            return True
        return self.patterns is not None and bool(self.patterns.Match(flat))

    def match(self, text: str | Views) -> frozenset[str]:
        """Names of the banks ``text`` (a text, or its ``views``) hits."""
        if not self.term_owner and not self.pattern_owner:
            return frozenset()
        seen = text if isinstance(text, Views) else views(text)
        hits: set[str] = set()
        flat = seen.plain.encode("utf-8")
        # Most texts hold no term's letters in order: the screen says so from the plain view.
        if self.terms is not None and self.screen.Match(flat):
            found = self.terms.Match(seen.skeleton.encode("utf-8")) or []
            hits.update(self.term_owner[index] for index in found)
        if self.patterns is not None:
            found = self.patterns.Match(flat) or []
            hits.update(self.pattern_owner[index] for index in found)
        return frozenset(hits)

    def spans(self, text: str) -> list[BankSpan]:
        """Every place a bank matches ``text``, as ranges of ``text`` itself (not of its
        normalised views), in order: a term hit covers the obfuscated original (``fr33``,
        ``f r e e``, a zero-width joiner inside, Cyrillic look-alikes), a pattern hit what it
        matched. The sets say which entries match; only those are searched again for their
        places."""
        if not text or (not self.term_owner and not self.pattern_owner):
            return []
        seen = mapped_views(text)
        found: list[BankSpan] = []
        if self.terms is not None:
            for index in self.terms.Match(seen.skeleton.encode("utf-8")) or []:
                regex = self._regex("term", index)
                for start, end in _places(regex, seen.skeleton, trim_spaces=True):
                    found.append(self._span(seen, seen.skeleton_ranges, index, start, end, "term"))
        if self.patterns is not None:
            for index in self.patterns.Match(seen.plain.encode("utf-8")) or []:
                regex = self._regex("pattern", index)
                for start, end in _places(regex, seen.plain, trim_spaces=False):
                    found.append(self._span(seen, seen.plain_ranges, index, start, end, "pattern"))
        return sorted(set(found), key=lambda span: (span.start, span.end, span.bank))

    def _regex(self, kind: str, index: int) -> Any:
        import re2

        key = (kind, index)
        if key not in self._compiled:
            source = self.term_regexes if kind == "term" else self.pattern_regexes
            self._compiled[key] = re2.compile(source[index], _options())
        return self._compiled[key]

    def _span(
        self,
        seen: MappedViews,
        ranges: tuple[tuple[int, int], ...],
        index: int,
        start: int,
        end: int,
        kind: str,
    ) -> BankSpan:
        owner = self.term_owner if kind == "term" else self.pattern_owner
        first, last = seen.original_span(ranges, start, end)
        return BankSpan(bank=owner[index], start=first, end=last, kind=kind)


# Places looked for per entry: a text full of one term is masked whole past this.
MAX_PLACES = 1_000


def _places(regex: Any, view: str, *, trim_spaces: bool) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-empty match of ``regex`` in ``view``. Term regexes take
    the space on each side of a word: it is left out of the place, and the next search starts
    at the space ending this one (``free free`` is two places)."""
    places: list[tuple[int, int]] = []
    position = 0
    while position <= len(view) and len(places) < MAX_PLACES:
        match = regex.search(view, position)
        if match is None:
            break
        start, end = match.span()
        if trim_spaces:
            if start < end and view[start] == " ":
                start += 1
            if start < end and view[end - 1] == " ":
                end -= 1
        if end > start:
            places.append((start, end))
        position = max(end, match.span()[0] + 1)
    return places


def _search_set(regexes: list[str]) -> Any:
    import re2

    if not regexes:
        return None
    search = re2.Set.SearchSet(_options())
    for regex in regexes:
        search.Add(regex)
    search.Compile()
    return search
