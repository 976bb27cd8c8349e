"""Names the NER model misses: a given-name / surname lexicon with capitalisation rules.

The small spaCy model knows English names well and others poorly ("Krisztián
Szöllösy", "Szabina J Gelencsér"). ``NameFinder`` adds a cheap second signal over the
same text the model reads (so in `contextual` mode only inside record windows):

* a capitalised run of 1-4 words starting with a known given name ("Krisztián ..."),
  or with an ambiguous one followed by a known surname ("Grace Hopper"), or a word, a
  middle initial and a word ("Ravil G Yefimov");
* capitalised, uncommon words in a name slot ("my son Tadzio", "said Maslin") and the
  words of an enumeration made mostly of given names ("Efimiya, Mary and Jodi");
* never an organisation, building or street ("Maria Hospital", "Victoria Station",
  "Joaquin Suarez 2906", "Santa Barbara"), a title-case heading, or -- for weak evidence
  such as a lone given name -- words the model calls a place or an organisation.

It also vets the model's own PERSON spans ("Guilty Pleasures", "Salesperson" are common
words, "Davis Orchestra" an ensemble), re-cases all-lower-case text so the model sees
"eva kleist" as "Eva Kleist", and gives the short forms of a name found once ("Jouni
Hahli" -> "Jouni", "Hahli").

The lexicon (``rulesets/person_names.txt``, built by ``bench/build_name_lexicon.py``
from permissively licensed lists) is read once per detector into frozensets of
lower-case tokens: about 0.1 s and some 15 MB.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, ConfigProblem
from ..sources import FileReader, Sources

SECTIONS = ("given", "surname", "word")
# A word as the finder sees it: letters with inner ' ’ or -.
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W\d_])?")
_GAP = re.compile(r"[ \t]{1,2}")
_LEXICON_LINE = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W\d_])?(?: [^\W\d_](?:[\w'’-]*[^\W\d_])?)*")
# A house number right before or after the words: a street named after someone
# ("Joaquin Suarez 2906", "214 Pavlou Drandaki").
# (blanks, not tabs: a tab ends a TSV cell, and the next cell may be any number)
_NUMBER_BEFORE = re.compile(r"(?<![\w.,/-])\d{1,6}[A-Za-z]? {1,2}$")
_NUMBER_AFTER = re.compile(r" {1,2}\d{1,5}[A-Za-z]?(?![\w/:-]|[.,]\d)")
# a UK postcode after the words: a town ("York YO1 7HH"), not a person
_POSTCODE_AFTER = re.compile(r",? {1,2}[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b")
_LIST_GAP = re.compile(r"[ \t]*,[ \t]*|[ \t]*,?[ \t]+(?:and|&|or|und|et|y|e)[ \t]+")
_SLOT_REACH = 40  # characters before a word searched for a slot phrase
_LOOKBEHIND = 12  # characters before a span checked for a house number or street word
_PARTICLES = frozenset(
    ("de", "da", "do", "dos", "das", "del", "della", "di", "du", "des", "la", "le", "van",
     "von", "der", "den", "ter", "ten", "bin", "binti", "al", "el", "ibn", "af", "zu")
)
_MAX_TOKENS = 4
# the word before a name in code: a declaration or an expression keyword
_PREVIOUS_WORD = re.compile(r"\b([a-z]+)[ \t]+\Z")
# (only keywords prose does not put before a name: "verses from Faina D. Yefremova")
_DECLARATIONS = frozenset((
    "class", "def", "function", "import", "extends", "implements", "interface", "struct",
    "enum", "const", "let", "var", "typeof", "instanceof", "fn", "impl", "trait"))
# "OpenAI" -> "Open", "UserService" -> "User": the first hump of a camel-case word
_CAMEL_HUMP = re.compile(r"([A-Z][a-z]+)[A-Z]")

# token kinds
GIVEN = "G"  # a given name that is not a common word
GIVEN_WORD = "g"  # a given name that is also a common word (Will, Grace, May)
SURNAME = "S"
SURNAME_WORD = "s"  # Brown, King, Young
WORD = "W"
UNKNOWN = "U"
STOP = "X"  # never part of a name: titles, labels, suffixes, months...
# cues that overrule the model's place / organisation labels
STRONG_CUES = frozenset(("full", "initial", "slot", "list"))


@dataclass(frozen=True)
class NameLexicon:
    """Lower-case token sets read from the lexicon file."""

    given: frozenset[str]
    surnames: frozenset[str]
    words: frozenset[str]

    def kind(self, low: str) -> str:
        if "-" in low and low not in self.given and low not in self.surnames:
            return self._hyphenated(low)
        word = low in self.words
        if low in self.given:
            return GIVEN_WORD if word else GIVEN
        if low in self.surnames:
            return SURNAME_WORD if word else SURNAME
        return WORD if word else UNKNOWN

    def _hyphenated(self, low: str) -> str:
        """'Jean-Pierre' -> given, 'Ramsey-Johnson' -> surname, 'ex-Zombie' -> word."""
        kinds = [self.kind(p) for p in low.split("-") if p]
        if not kinds:
            return UNKNOWN
        if all(k in (GIVEN, GIVEN_WORD, SURNAME, SURNAME_WORD) for k in kinds):
            if kinds[0] in (GIVEN, GIVEN_WORD):
                return GIVEN
            return SURNAME
        if any(k == WORD for k in kinds):
            return WORD
        return UNKNOWN


def load_name_lexicon(path: str | Path, sources: Sources | None = None) -> NameLexicon:
    """Read the lexicon file (through ``sources``, by default from disk); a malformed
    line is reported as ``file:line``."""
    path = Path(path)
    try:
        text = (sources or FileReader()).read_text(path)
    except OSError as exc:
        raise ConfigError.single(str(path), None, "person_lexicon.file",
                                 f"cannot read the name lexicon: {exc.strerror}") from None
    sets: dict[str, set[str]] = {name: set() for name in SECTIONS}
    problems: list[ConfigProblem] = []
    current: set[str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            name = line.strip()[1:-1]
            if not line.strip().endswith("]") or name not in SECTIONS:
                problems.append(ConfigProblem(str(path), number, "section",
                                              f"unknown section (expected one of "
                                              f"{', '.join(SECTIONS)})"))
                current = None
                continue
            current = sets[name]
            continue
        if current is None:
            problems.append(ConfigProblem(str(path), number, "tokens",
                                          "tokens before the first [section] line"))
            continue
        # one regex per line, not per token: the file holds ~140 000 tokens
        if line != line.lower() or not _LEXICON_LINE.fullmatch(line):
            problems.append(ConfigProblem(str(path), number, "tokens",
                                          "lower-case words (letters, ' or -) separated by "
                                          "single spaces"))
        else:
            current.update(line.split(" "))
        if len(problems) > 20:
            break
    for name in SECTIONS:
        if not sets[name] and not problems:
            problems.append(ConfigProblem(str(path), None, name, "section missing or empty"))
    if problems:
        raise ConfigError(problems)
    return NameLexicon(frozenset(sets["given"]), frozenset(sets["surname"]),
                       frozenset(sets["word"]))


@dataclass(frozen=True)
class FoundName:
    """A PERSON span found by the lexicon rules."""

    start: int
    end: int
    score: float
    cue: str  # full | initial (X J. Y) | given | surname (X + surname) | slot | list

    @property
    def overrides_model(self) -> bool:
        """Strong enough to overrule the model calling the words a place/organisation."""
        return self.cue in STRONG_CUES


class _Token:
    """One word of a run (a plain slotted class: thousands are made per long prompt)."""

    __slots__ = ("start", "end", "low", "kind", "cap", "initial", "particle")

    def __init__(self, start: int, end: int, low: str, kind: str, cap: bool, initial: bool,
                 particle: bool) -> None:
        self.start = start
        self.end = end
        self.low = low
        self.kind = kind
        self.cap = cap  # capitalised (or, in lower-case text, a known name)
        self.initial = initial  # "J" or "J."
        self.particle = particle  # "van", "de" inside a name


class NameFinder:
    """Lexicon rules over text spans; vetoes from the model's non-person labels."""

    def __init__(self, lexicon: NameLexicon, *, stop_words: frozenset[str],
                 lone_stop_words: frozenset[str], organisation_words: frozenset[str],
                 street_words: frozenset[str],
                 street_prefix_words: frozenset[str], heading_words: frozenset[str],
                 slot_before: Sequence[str] = (), slot_after: Sequence[str] = (),
                 score: float, single_score: float, slot_score: float) -> None:
        self.lexicon = lexicon
        self._stop = (stop_words | street_prefix_words) - lone_stop_words
        self._lone_stop = lone_stop_words
        self._org = organisation_words
        self._suffix = organisation_words | street_words
        self._street_prefix = street_prefix_words
        self._slot = slot_score
        self._before = _phrases(slot_before, before=True)
        self._after = _phrases(slot_after, before=False)
        self._score = score
        self._single = single_score
        heading = "|".join(sorted((re.escape(w.capitalize()) for w in heading_words),
                                  key=len, reverse=True))
        # "Guilty Pleasures: 5 Musicians Of The 70s": a function word capitalised in the
        # middle of a line, between capitalised words or numbers, marks title case.
        self._heading = re.compile(r"(?<=[^\W\d_][ \t])(?:" + heading
                                   + r")(?=[ \t]+[^\W_a-z])")

    # -- tokens -------------------------------------------------------------------------
    def _kind(self, low: str) -> str:
        if low in self._stop or low in self._suffix:
            return STOP
        return self.lexicon.kind(low)

    def _runs(self, text: str, start: int, end: int, lower: bool) -> list[list[_Token]]:
        """Runs of name-shaped words (capitalised words, initials, particles inside)
        separated by one or two blanks. In lower-case text, known names take the place of
        capitalised words. Only the words of runs are looked up: this is the hot loop."""
        runs: list[list[_Token]] = []
        run: list[_Token] = []
        open_end = -1  # where the last word of ``run`` ends, if the run may go on
        for m in _WORD.finditer(text, start, end):
            s, e = m.span()
            raw = m.group()
            head = raw[0]
            if not lower and not head.isupper() and not (run and raw in _PARTICLES):
                if run:
                    runs.append(run)
                    run = []
                continue
            if run and not (open_end >= 0 and _GAP.fullmatch(text, open_end, s)):
                runs.append(run)
                run = []
            possessive = len(raw) > 3 and raw.endswith(("'s", "’s"))
            if possessive:
                e -= 2
                raw = raw[:-2]
            low = fold(raw)
            kind = self._kind(low)
            single = len(raw) == 1
            dot = e < end and text[e] == "."
            if lower:
                initial = single and bool(run)
                cap = kind in (GIVEN, SURNAME)
                particle = bool(run) and low in _PARTICLES
                if not (cap or initial or particle):
                    if run:
                        runs.append(run)
                        run = []
                    continue
            else:
                initial = single and head.isupper()
                # "CAs", "IDs", "URLs": an acronym, not a name ("McDonald" is fine)
                cap = head.isupper() and not raw[1:2].isupper()
                particle = not head.isupper()
                if not (cap or initial or particle):
                    if run:
                        runs.append(run)
                        run = []
                    continue
            if initial and dot:
                e += 1
            run.append(_Token(s, e, low, kind, cap, initial, particle))
            # a possessive or a sentence end ("Smith.") closes the run
            open_end = -1 if possessive or (dot and not initial) else e
        if run:
            runs.append(run)
        return runs

    # -- rules --------------------------------------------------------------------------
    def find(self, text: str, start: int, end: int,
             vetoes: Sequence[tuple[int, int]] = ()) -> list[FoundName]:
        """Names in ``text[start:end]``. ``vetoes``: spans the model calls a place or an
        organisation; they overrule weak evidence (a lone given name, an unknown word
        before a surname, a name slot) but not a given name with a surname: the small
        model often calls "Sofia Lima" or "Tünde Hoffmann" a place."""
        lower = not any(ch.isupper() for ch in text[start:end])
        skip = [] if lower else _line_ranges(text, self._heading.finditer(text, start, end))
        runs = self._runs(text, start, end, lower)
        found: list[tuple[int, int, float, str]] = []
        for run in runs:
            if skip and any(s <= run[0].start < e for s, e in skip):
                continue
            i = 0
            while i < len(run):
                name = self._name_at(run, i, lower)
                if name is None:
                    i += 1
                    continue
                j, score, cue = name
                found.append((run[i].start, run[j].end, score, cue))
                i = j + 1
        found += self._list_names(text, runs)
        if not lower:
            found += self._slot_names(text, runs)
        out: dict[tuple[int, int], FoundName] = {}
        for s, e, score, cue in found:
            vetoed = cue not in STRONG_CUES and any(vs < e and s < ve for vs, ve in vetoes)
            if not vetoed and (s, e) not in out and not self.street_like(text, s, e):
                out[(s, e)] = FoundName(s, e, score, cue)
        return sorted(out.values(), key=lambda n: n.start)

    def _list_names(self, text: str, runs: list[list[_Token]]
                    ) -> list[tuple[int, int, float, str]]:
        """Single words in an enumeration ("Efimiya, Mary, Ariana and Jodi") that is
        mostly made of known given names are all names."""
        out: list[tuple[int, int, float, str]] = []
        group: list[_Token] = []
        for run in runs + [[]]:
            tok = run[0] if len(run) == 1 else None
            if tok is not None and group and _LIST_GAP.fullmatch(text, group[-1].end,
                                                                 tok.start):
                group.append(tok)
                continue
            if len(group) >= 3:
                # given names that are not also surnames: "Owens, Duran and Oneal" is a firm
                given = sum(t.kind == GIVEN and t.low not in self.lexicon.surnames
                            for t in group)
                if given >= 2 and 2 * given >= len(group):
                    out += [(t.start, t.end, self._slot, "list") for t in group
                            if t.kind not in (WORD, STOP) and not t.initial]
            group = [tok] if tok is not None else []
        return out

    def _slot_names(self, text: str, runs: list[list[_Token]]
                    ) -> list[tuple[int, int, float, str]]:
        """Capitalised words in a name slot: "my son Tadzio", "said Maslin", "Enrico
        shouted", "was called Djevad Šušulić"."""
        out: list[tuple[int, int, float, str]] = []
        for run in runs:
            for k, tok in enumerate(run):
                if not _slot_ok(tok):
                    continue
                lo = max(0, tok.start - _SLOT_REACH)
                if self._before is not None and (k == 0 or not run[k - 1].cap) and \
                        self._before.search(text, lo, tok.start):
                    j = k
                    while j + 1 < len(run) and j + 1 - k < _MAX_TOKENS and _slot_ok(run[j + 1]):
                        j += 1
                    span = _trim_slot(run, k, j)
                    if span:
                        out.append((span[0], span[1], self._slot, "slot"))
                nxt = run[k + 1] if k + 1 < len(run) else None
                if self._after is not None and (nxt is None or not nxt.cap) and \
                        self._after.match(text, tok.end):
                    i = k
                    while i - 1 >= 0 and k - i + 1 < _MAX_TOKENS and _slot_ok(run[i - 1]):
                        i -= 1
                    span = _trim_slot(run, i, k)
                    if span:
                        out.append((span[0], span[1], self._slot, "slot"))
        return out

    def _name_at(self, run: list[_Token], i: int, lower: bool) -> tuple[int, float, str] | None:
        """The name starting at token ``i``: (index of its last token, score, cue)."""
        first = run[i]
        if first.particle or first.initial or first.kind == STOP:
            return None
        # the tokens after the first: initials, particles, name-like words
        j = i
        names = 0
        while j + 1 < len(run) and j + 1 - i < _MAX_TOKENS + 1:
            nxt = run[j + 1]
            if nxt.kind in (STOP, WORD) and not nxt.initial:
                break
            j += 1
            if not (nxt.initial or nxt.particle):
                names += 1
        while j > i and (run[j].initial or run[j].particle):
            j -= 1  # a name ends on a word
        after = run[j + 1] if j + 1 < len(run) else None
        if after is not None and after.kind == STOP and after.low in self._suffix:
            return None  # "Maria Hospital", "Victoria Street"
        tail = {run[k].kind for k in range(i + 1, j + 1)
                if not (run[k].initial or run[k].particle)}
        if j > i:
            if first.kind == GIVEN:
                if lower and not tail & {GIVEN, SURNAME}:
                    return None
                return j, self._score, "full"
            if first.kind == GIVEN_WORD and tail & {GIVEN, SURNAME}:
                return j, self._score, "full"
            if first.kind == UNKNOWN and not lower and run[j].kind == SURNAME and names == 1:
                return j, self._score - 0.1, "surname"
            if not lower and names == 1 and run[i + 1].initial and first.kind != WORD \
                    and run[j].kind in (UNKNOWN, SURNAME, SURNAME_WORD, GIVEN):
                return j, self._score, "initial"  # "Ravil G Yefimov", "Sari J. Paavolainen"
            return None
        if first.kind != GIVEN or lower or first.low in self._lone_stop or len(first.low) < 3:
            return None
        if after is not None and after.kind == WORD and after.cap:
            return None  # "Jordan River", "Florence Nightingale Way"
        return i, self._single, "given"

    def street_like(self, text: str, start: int, end: int) -> bool:
        """Whether the words are a street named after a person: a house number right
        before or after them, or a street word before them ("Rua", "ul.", "Via")."""
        before = text[max(0, start - _LOOKBEHIND):start]
        if _NUMBER_BEFORE.search(before) or _NUMBER_AFTER.match(text, end) or \
                _POSTCODE_AFTER.match(text, end):
            return True
        words = before.replace(".", " ").split()
        return bool(words) and before[-1:] in " \t" and fold(words[-1]) in self._street_prefix

    # -- the model's and the records' spans -----------------------------------------------
    def plausible_person(self, text: str, start: int, end: int, *,
                         record: bool = False) -> bool:
        """Whether a PERSON span from the model or a ``record`` cue can be a name: not
        only common words ("Guilty Pleasures", "Salesperson"), not ending on an
        organisation word ("Davis Orchestra", "Rand Corporation") or, unless the record
        structure says it is a name ("Fletcher Hill" heading a contact card), a street
        word ("Glyn St"); not a street with a house number."""
        words = [fold(m.group()) for m in _WORD.finditer(text, start, end)]
        if not words:
            return False
        if words[-1] in (self._org if record else self._suffix):
            return False
        if self.street_like(text, start, end):
            return False
        kinds = [self.lexicon.kind(w) for w in words]
        return not all(k == WORD or w in self._stop for k, w in zip(kinds, words, strict=True))

    def looks_like_code(self, text: str, start: int, end: int) -> bool:
        """Whether a PERSON span is an identifier in code: a call or attribute access
        ("OpenAI(", "Anthropic.", "client.Messages"), a declaration ("class UserProfile",
        "new GoogleGenerativeAI"), or a camel-case word whose first hump is a common word
        ("OpenAI", "ChatGPT", "UserService"; "McDonald", "DeShawn", "MaryAnn" are names)."""
        after = text[end:end + 2]
        if after[:1] in ("(", "[", "{", "<", "$") or after == "::" or (
                after[:1] in "._" and after[1:2].isalpha()):
            return True
        before = text[max(0, start - 2):start]
        if before[-1:] in ("_", "$", "#") or before == "::" or (
                before[-1:] == "." and start >= 2 and text[start - 2].isalnum()):
            return True
        word = _PREVIOUS_WORD.search(text, max(0, start - 16), start)
        if word and word.group(1) in _DECLARATIONS:
            return True
        for m in _WORD.finditer(text, start, end):
            hump = _CAMEL_HUMP.match(m.group())
            if hump and self.lexicon.kind(fold(hump.group(1))) == WORD \
                    and len(hump.group(1)) >= 3:
                return True
        return False

    def common_word(self, low: str) -> bool:
        """A common English word that is not also a name ("the", "explain", "station")."""
        return self.lexicon.kind(fold(low)) == WORD

    def lower_case_names(self, text: str, start: int, end: int) -> bool:
        """Whether an all-lower-case ``text[start:end]`` holds a known, uncommon given
        name or surname: worth a model run even without capitalised words."""
        if any(ch.isupper() for ch in text[start:end]):
            return False
        return any(self._kind(fold(m.group())) in (GIVEN, SURNAME)
                   for m in _WORD.finditer(text, start, end))

    def recase(self, snippet: str) -> str:
        """An all-lower-case snippet with known names capitalised for the model ("eva
        kleist" -> "Eva Kleist": a given name, and an uncommon word or initial right after
        one). The same length, so offsets still hold."""
        parts: list[str] = []
        pos = 0
        previous_end, previous_name = -1, False
        for m in _WORD.finditer(snippet):
            kind = self._kind(fold(m.group()))
            after_name = previous_name and _GAP.fullmatch(snippet, previous_end, m.start())
            name = kind in (GIVEN, SURNAME) or bool(after_name and kind == UNKNOWN)
            head = m.group()[0].upper()
            if name and len(head) == 1:
                parts.append(snippet[pos:m.start()])
                parts.append(head)
                pos = m.start() + 1
            previous_end, previous_name = m.end(), name or (after_name and len(m.group()) == 1)
        parts.append(snippet[pos:])
        return "".join(parts)

    def short_forms(self, value: str) -> list[str]:
        """The given name and surname of a multi-word name, when they are distinctive
        alone (known, not common words, 3+ letters)."""
        words = [m.group() for m in _WORD.finditer(value)]
        words = [w[:-2] if w.endswith(("'s", "’s")) else w for w in words]
        if len(words) < 2:
            return []
        out = []
        for word, allowed in ((words[0], (GIVEN,)), (words[-1], (SURNAME, UNKNOWN))):
            if len(word) >= 3 and word[0].isupper() and self._kind(fold(word)) in allowed:
                out.append(word)
        return out


def _slot_ok(tok: _Token) -> bool:
    """A word that can be part of a name in a slot: capitalised, not a common word."""
    return tok.initial or tok.particle or (tok.cap and tok.kind not in (WORD, STOP))


def _trim_slot(run: list[_Token], k: int, j: int) -> tuple[int, int] | None:
    while k <= j and (run[k].initial or run[k].particle):
        k += 1
    while j >= k and (run[j].initial or run[j].particle):
        j -= 1
    if k > j or not all(_slot_ok(run[x]) for x in range(k, j + 1)):
        return None
    return run[k].start, run[j].end


def _phrases(words: Sequence[str], *, before: bool) -> re.Pattern[str] | None:
    """A regex for slot phrases: searched for right before a name (``before``, anchored
    at the end of the searched range), or matched right after it."""
    if not words:
        return None
    alternation = "|".join(re.escape(w).replace(r"\ ", r"[ \t]+")
                           for w in sorted(set(words), key=len, reverse=True))
    if before:
        return re.compile(r"(?i)(?<![\w'’])(?:" + alternation + r")[ \t]+\Z")
    return re.compile(r"(?i)[ \t]+(?:" + alternation + r")(?![\w'’])")


def fold(word: str) -> str:
    """The lexicon's form of a word: lower case ("İbrahim" -> "ibrahim", no combining dot)."""
    return word.lower().replace("i\u0307", "i")


def _line_ranges(text: str, matches) -> list[tuple[int, int]]:
    out = []
    for m in matches:
        s = text.rfind("\n", 0, m.start()) + 1
        e = text.find("\n", m.end())
        out.append((s, len(text) if e < 0 else e))
    return out
