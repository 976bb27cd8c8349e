"""Pattern recognizers for structured personal data, built from ``rulesets/pii.yaml``.

One ``PatternRecognizer`` per recognizer spec: a keyword prefilter, its compiled
patterns, a validator, context scoring (Presidio-style boost / penalty from nearby
words) and, for street addresses, extension over the following address lines. No NLP
here: one Hyperscan pass over the text (``prefilter``) tells which patterns can match
where, and Python's ``re`` runs only there.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .pii_rules import AddressLines, RecognizerSpec
from .pii_validators import VALIDATORS, Validator
from .prefilter import LiteralFinder, LiteralSet, Prefilter, Window

_WORD_CHAR = re.compile(r"\w")

# Where each context word starts in a text (from one LiteralFinder pass), or None when
# the text must be searched with the context regexes.
WordStarts = Mapping[str, list[int]] | None


@dataclass(frozen=True)
class Candidate:
    """A recognizer hit before policy and overlap resolution."""

    entity: str
    start: int
    end: int
    score: float
    detector: str


class AddressExtender:
    """Extends a street match over the rest of its line and the following address lines."""

    def __init__(self, cfg: AddressLines) -> None:
        part = cfg.part.pattern
        self._lead = re.compile(r"[ \t>?*,-]*")  # quote and list markers before a line
        # parts of one line are separated by blanks and commas, not tabs (a TSV cell ends)
        self._line = re.compile(r"(?:" + part + r")(?:[ ]*,?[ ]*(?:" + part + r"))*")
        self._forbid = cfg.forbid
        self._max_lines = cfg.max_lines
        self._max_chars = cfg.max_line_chars

    def _prefix(self, line: str, *, whole: bool) -> int | None:
        """Length of the address-like start of ``line``; ``whole`` demands nothing else
        but closing punctuation after it."""
        lead = self._lead.match(line).end()
        m = self._line.match(line, lead)
        if not m or m.end() - lead > self._max_chars or self._forbid.search(line, lead, m.end()):
            return None
        tail = line[m.end():]
        if not tail.strip(" \t.,"):
            return m.end()
        # A line may go on in prose after a place ("Netherlands 62971 in case of ..."),
        # but digits followed by a word are a phone or a count ("416 60 039 office").
        prose_after_place = tail.lstrip()[:1].islower() and any(
            ch.isalpha() for ch in line[lead:m.end()])
        # (a sentence may end after it, but "399.433.1818" is a phone number, not "399")
        if whole and (tail[0] not in "?!.;" or tail[1:2].isalnum()) and not prose_after_place:
            return None
        return m.end()

    def extend(self, text: str, end: int) -> int:
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        rest = text[end:line_end]
        if rest.strip():
            # Same line: only a structured continuation (", City" or " Apt. 5").
            n = self._prefix(rest, whole=False)
            if n is None or not (rest.lstrip(" \t").startswith(",") or "," in rest[:n]
                                 or any(ch.isdigit() for ch in rest[:n])):
                return end
            if rest[n:].strip(" \t.,"):
                return end + n
            end += n  # the line ended with it ("Rd #34"): the next lines may go on
        pos = line_end
        for _ in range(self._max_lines):
            if pos >= len(text):
                break
            nxt = text.find("\n", pos + 1)
            nxt = len(text) if nxt < 0 else nxt
            line = text[pos + 1:nxt]
            if not line.strip():
                break
            n = self._prefix(line, whole=True)
            if n is None:
                break
            end = pos + 1 + n
            if n < len(line.rstrip(" \t.,")):
                break  # the address ended inside this line
            pos = nxt
        return end


class PatternRecognizer:
    """Finds, validates and scores one entity type's candidates."""

    def __init__(self, spec: RecognizerSpec, extender: AddressExtender | None) -> None:
        self.spec = spec
        self.id = spec.id
        self.entity = spec.entity
        self._keywords = frozenset(spec.keywords)
        self._validate: Validator | None = None
        trims = False
        if spec.validator:
            self._validate = VALIDATORS[spec.validator].build(spec.validator_options)
            trims = VALIDATORS[spec.validator].trims
        # Where context is required and validation cannot move the end, the (cheap)
        # context check comes first: most candidates then never reach the validator.
        self._context_first = spec.context_required and not trims
        self._extender = extender if spec.extend == "address_lines" else None
        self._context_words = frozenset(spec.context_words)
        # A required context is located for the whole text at once (RecognizerSet)
        self._findable = spec.context_required

    @property
    def validate(self) -> Validator | None:
        """The validator, built once (the field shapes of pii_fields reuse it)."""
        return self._validate

    def context_starts(self, found: WordStarts) -> list[int] | None:
        """Sorted starts of this recognizer's required-context words in a text, given
        ``found`` (the few context words present, by word); None when not known."""
        if found is None or not self._findable:
            return None
        hits = [starts for word, starts in found.items() if word in self._context_words]
        if not hits:
            return []
        return sorted(hits[0]) if len(hits) == 1 else sorted(s for h in hits for s in h)

    def context_windows(self, windows: list[Window], starts: list[int] | None
                        ) -> list[Window]:
        """``windows`` without those where no match could have its required context
        (``starts``: from :meth:`context_starts`).

        A window goes only when its matches could not change where a later search
        starts (it ends before the next window begins), so the rest keep exactly the
        matches a whole-text scan gives."""
        spec = self.spec
        if starts is None:
            return windows
        kept: list[Window] = []
        for k, w in enumerate(windows):
            # a match starts in [w.start, w.last] and ends by w.end; its context word
            # starts within context_before before it or context_after after it
            i = bisect.bisect_left(starts, w.start - spec.context_before)
            if (i < len(starts) and starts[i] < w.end + spec.context_after) or (
                    k + 1 < len(windows) and w.end > windows[k + 1].start):
                kept.append(w)
        return kept

    def _near(self, rx: re.Pattern[str] | None, starts: list[int] | None, text: str,
              start: int, end: int, line: bool = False) -> bool:
        """Whether ``rx`` matches within the context span before or after a finding;
        ``starts`` (where its words start, if known) skips searches that cannot match.
        ``line``: only on the finding's own line."""
        if rx is None:
            return False
        spec = self.spec
        lo = max(0, start - spec.context_before)
        hi = min(len(text), end + spec.context_after)
        if line:
            lo = text.rfind("\n", lo, start) + 1 or lo
            newline = text.find("\n", end, hi)
            hi = hi if newline < 0 else newline
        before = after = True
        if starts is not None:
            i = bisect.bisect_left(starts, lo)
            before = i < len(starts) and starts[i] < start
            j = bisect.bisect_left(starts, end, i)
            after = j < len(starts) and starts[j] < hi
        if before and rx.search(text, lo, start):
            return True
        return after and rx.search(text, end, hi) is not None

    def context_within(self, text: str, start: int, end: int) -> bool:
        """Whether a context word of this recognizer occurs in ``text[start:end]``."""
        rx = self.spec.context
        return rx is not None and start < end and rx.search(text, start, end) is not None

    @property
    def context_before(self) -> int:
        return self.spec.context_before

    @property
    def context_after(self) -> int:
        return self.spec.context_after

    def needs(self, present: set[str]) -> bool:
        """Whether the text can hold a finding, given the keywords ``present`` in it."""
        return not self._keywords or not self._keywords.isdisjoint(present)

    def analyze(self, text: str,
                matches: Callable[[int], Iterable[re.Match[str]]] | None = None,
                context: list[int] | None = None) -> list[Candidate]:
        """Candidates in ``text`` (whose keywords the caller has checked). ``matches(i)``
        gives pattern i's matches (from the shared prefilter); without it each pattern
        scans the whole text. ``context``: where required-context words start, if known
        (:meth:`context_starts`)."""
        spec = self.spec
        out: list[Candidate] = []
        for index, pattern in enumerate(spec.patterns):
            # A group named "value" marks the finding inside a longer match
            # ("lives at <value>"); otherwise the whole match is the finding.
            group = "value" if "value" in pattern.regex.groupindex else 0
            found = matches(index) if matches else pattern.regex.finditer(text)
            for m in found:
                start, end = m.span(group)
                if start < 0:
                    continue
                score = pattern.score
                if self._context_first and not self._near(spec.context, context, text,
                                                          start, end):
                    continue
                if self._validate is not None:
                    verdict = self._validate(m.group(group))
                    if verdict is None:
                        continue
                    if verdict.length is not None:
                        end = start + verdict.length
                    if verdict.score is not None:
                        score = verdict.score
                has_context = self._context_first or self._near(spec.context, context, text,
                                                                start, end)
                if spec.context_required and not has_context:
                    continue
                if has_context:
                    score += spec.context_boost
                # what else a number is ("order 4111...") is said on its line; a CSV
                # header's "id" names another column
                if self._near(spec.negative_context, None, text, start, end, line=True):
                    score -= spec.negative_penalty
                if self._extender is not None:
                    extended = self._extender.extend(text, end)
                    if extended > end:
                        score += spec.extend_boost
                        end = extended
                out.append(Candidate(self.entity, start, end, min(score, 1.0), self.id))
        return out


class _Accented:
    """The words of a list that hold a non-ASCII letter, looked for in a text (lower
    case, only the start bounded, as ``LiteralFinder`` does for ASCII words) only when
    the text holds one of their non-ASCII letters: most texts are then not lowered."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words = tuple(sorted({w for w in words if not w.isascii()}))
        letters = {ch for w in self._words for ch in w if not ch.isascii()}
        self._letters = tuple(sorted(letters | {ch.upper() for ch in letters}))

    def starts(self, text: str) -> dict[str, list[int]] | None:
        """Each found word's starts; None when lower-casing moves offsets."""
        if not self._words or text.isascii() or not any(c in text for c in self._letters):
            return {}
        lowered = text.lower()
        if len(lowered) != len(text):  # a character whose lower case is longer
            return None
        out: dict[str, list[int]] = {}
        for word in self._words:
            pos = lowered.find(word)
            while pos >= 0:
                if not (pos and _WORD_CHAR.match(lowered, pos - 1)):
                    out.setdefault(word, []).append(pos)
                pos = lowered.find(word, pos + 1)
        return out

    def present(self, text: str) -> set[str]:
        """The words in ``text.lower()`` (substrings, as ``LiteralSet.present``)."""
        if not self._words or text.isascii() or not any(c in text for c in self._letters):
            return set()
        lowered = text.lower()
        return {w for w in self._words if w in lowered}


class RecognizerSet:
    """All pattern recognizers of a ruleset, run in file order."""

    def __init__(self, specs: Sequence[RecognizerSpec], address_lines: AddressLines) -> None:
        extender = AddressExtender(address_lines)
        self.recognizers = tuple(PatternRecognizer(s, extender) for s in specs)
        # Keyword gates ("@" for e-mail, "passport" for passports) in one pass
        self._keywords = LiteralSet(k for s in specs for k in s.keywords if k.isascii())
        # Keywords with accented letters ("né le", "nació") are looked for only in texts
        # holding one of those letters: lower-casing every text for them costs more than
        # the whole pattern pass.
        self._accented_keywords = _Accented(k for s in specs for k in s.keywords)
        # Where the words of required contexts occur, in one more pass: most candidates
        # of those recognizers have none near them, and are then dropped without a regex
        # search. (Boosts and penalties are checked only for validated candidates, a
        # few per text; their lists hold common words such as "to" and "from".)
        required = {w for s in specs if s.context_required for w in s.context_words}
        self._context = LiteralFinder(required)
        # The few that are not ASCII ("né le", "nació"), which a LiteralFinder never
        # reports: one regex search, and only in texts that are not ASCII. Like the
        # LiteralFinder's, its starts are a superset: only the start is bounded.
        self._other_context = _Accented(required)
        # One Hyperscan pass finds where each pattern can match; Python's re then runs
        # only in those windows, with exactly the matches a whole-text scan would give.
        self._prefilter = Prefilter(
            ((r, p), pattern.regex)
            for r, rec in enumerate(self.recognizers)
            for p, pattern in enumerate(rec.spec.patterns)
        )

    def example_failures(self, threshold: Callable[[str], float]) -> list[tuple[RecognizerSpec,
                                                                                  str]]:
        """Examples that misbehave, each recognizer alone: a ``match`` value not found
        exactly at or above its entity's ``threshold``, a ``no_match`` text with a finding.
        Messages name the example by number, never its text."""
        out: list[tuple[RecognizerSpec, str]] = []
        for rec in self.recognizers:
            spec = rec.spec
            limit = threshold(spec.entity)
            for i, example in enumerate(spec.examples_match):
                hits = self.analyze(example.text, only=[spec.id])
                if example.value not in {example.text[c.start:c.end] for c in hits
                                         if c.score >= limit}:
                    out.append((spec, f"match example {i + 1}: value not found"))
            for i, text in enumerate(spec.examples_no_match):
                if any(c.score >= limit for c in self.analyze(text, only=[spec.id])):
                    out.append((spec, f"no_match example {i + 1}: found"))
        return out

    def analyze(self, text: str, only: Iterable[str] | None = None,
                data: bytes | None = None) -> list[Candidate]:
        """Candidates of every recognizer (or of those with an id in ``only``); ``data``:
        ``prefilter.scan_bytes(text)``, if the caller has it."""
        present = self._keywords.present(text, data) | self._accented_keywords.present(text)
        ids = None if only is None else set(only)
        wanted = {r for r, rec in enumerate(self.recognizers)
                  if (ids is None or rec.id in ids) and rec.needs(present)}
        words = self._context_starts(text, data) if wanted else None
        starts = {r: self.recognizers[r].context_starts(words) for r in wanted}
        # A required context none of whose words starts anywhere: nothing to find
        wanted = {r for r in wanted if starts[r] != []}
        found = self._matches(text, wanted, data, starts)
        out: list[Candidate] = []
        for r in sorted({r for r, _ in found}):  # a recognizer without matches finds nothing
            out.extend(self.recognizers[r].analyze(
                text, lambda p, r=r: found.get((r, p), ()), starts[r]))
        return out

    def _context_starts(self, text: str, data: bytes | None) -> dict[str, list[int]] | None:
        """Where each required-context word starts (None: search with the regexes)."""
        words = self._context.starts(text, data)
        if words is None:
            return None
        found = self._other_context.starts(text)
        if found is None:
            return None
        for word, starts in found.items():
            words.setdefault(word, []).extend(starts)
        return words

    def _matches(self, text: str, wanted: set[int], data: bytes | None,
                 starts: Mapping[int, list[int] | None]
                 ) -> dict[tuple[int, int], list[re.Match[str]]]:
        """The matches of the ``wanted`` recognizers' patterns; patterns the prefilter
        rules out are never run, nor windows too far from the required context words
        (``starts``, per recognizer).

        Where a pattern's candidate windows cover much of the text (an unbounded pattern
        such as the e-mail one), one ordinary scan is cheaper than many windowed ones.
        """
        prefilter = self._prefilter
        out: dict[tuple[int, int], list[re.Match[str]]] = {}
        limit = len(text) // 4
        keys = {key for key in prefilter.keys if key[0] in wanted}
        for key, windows in prefilter.candidates(text, data, keys).items():
            r, p = key
            if not windows:
                continue
            windows = self.recognizers[r].context_windows(windows, starts[r])
            if not windows:
                continue
            regex = self.recognizers[r].spec.patterns[p].regex
            if sum(w.end - w.start for w in windows) > limit:
                hits = list(regex.finditer(text))
            else:
                hits = list(prefilter.finditer(key, text, windows))
            if hits:
                out[key] = hits
        return out
