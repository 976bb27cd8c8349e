"""A seeded development corpus of evasion techniques, and of hard benign look-alikes.

Written for tuning ``aipolicy/detect/normalize.py``, ``decode.py``, ``views.py`` and
``joins.py`` (the independent validation set is elsewhere and not read here). Each item is
a request's messages with a secret or a piece of personal data hidden by one technique,
and the strings it shows in the body: the item *leaks* when the request is not blocked
and the body that would be forwarded still holds them (for a value split across
messages: all of its parts). Benign items must pass untouched.

Every technique is crossed with every target: secrets with a vendor prefix, generic
credentials (``PASSWORD=…``, tokens without a prefix, known only by their name), e-mail
addresses, SSNs, card numbers, phone numbers in several national formats and IBANs. A
technique comes in the variants an evader would use (base64 padded or not, URL-safe,
wrapped at 76 columns, of reversed text, reversed; ROT13 of the value or of the whole
sentence, ROT18, ROT47; zero-width and other invisible characters between every
character or only some; any one separator; combinations), and the control ``plain``
shows what the detectors catch with no evasion at all.

Values come from the project's generated corpora (``secrets_corpus``, ``pii_corpus``);
the wording, techniques and benign cases are this file's own.
"""

from __future__ import annotations

import base64
import codecs
import random
import textwrap
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from tests.corpus import pii_corpus, secrets_corpus


@dataclass(frozen=True)
class EvasionItem:
    id: str
    technique: str  # "benign:<kind>" for benign items
    target: str  # the value's type ("SECRET", "US_SSN", ...); "" for benign items
    messages: tuple[tuple[str, str], ...]  # (role, text); role "tool" follows a tool call
    shown: tuple[str, ...]  # what must not reach the service (all of it, for splits)

    @property
    def benign(self) -> bool:
        return not self.target


SECRET_KINDS = ("aws-access-key", "github-pat", "slack-bot", "stripe-live", "openai",
                "gitlab-pat", "sendgrid", "npm", "anthropic", "gcp-api-key", "huggingface",
                "databricks", "vault", "digitalocean", "linear")
# Targets; the three kinds of secret are reported as one target, SECRET.
TARGETS = ("SECRET", "SECRET_GENERIC", "SECRET_PASSWORD", "EMAIL_ADDRESS", "US_SSN",
           "CREDIT_CARD", "PHONE_NUMBER", "IBAN_CODE")
_LABELS = {"EMAIL_ADDRESS": ["email", "e-mail address", "contact", "mail"],
           "US_SSN": ["SSN", "social security number", "SSN#", "soc sec no"],
           "CREDIT_CARD": ["card number", "credit card", "card", "visa"],
           "PHONE_NUMBER": ["phone", "mobile", "tel.", "cell number"],
           "IBAN_CODE": ["IBAN", "bank account (IBAN)", "IBAN no.", "account"]}


@dataclass(frozen=True)
class Value:
    target: str  # one of TARGETS
    value: str
    label: str  # a word for it ("card number") or, for secrets, its variable name

    @property
    def reported(self) -> str:
        return "SECRET" if self.target.startswith("SECRET") else self.target

    @property
    def statement(self) -> str:
        """The value with its label, as one would write it in plain text."""
        if self.target.startswith("SECRET"):
            return f"{self.label}={self.value}"
        return f"{self.label}: {self.value}"


def _phone(r: random.Random) -> str:
    """Phone numbers as people in several countries write them."""
    d = lambda n: "".join(str(r.randint(0, 9)) for _ in range(n))  # noqa: E731
    a, b = r.randint(201, 989), r.randint(200, 999)
    return r.choice([
        f"({a}) {b}-{d(4)}", f"{a}-{b}-{d(4)}", f"+1 {a} {b} {d(4)}", f"{a}.{b}.{d(4)}",
        f"+1-{a}-{b}-{d(4)}",
        f"+44 20 {r.randint(7000, 8999)} {d(4)}", f"+44 7{d(3)} {d(6)}",
        f"07{d(3)} {d(6)}",
        f"+49 30 {r.randint(1000000, 9999999)}", f"+49 151 {d(8)}", f"0171 {d(7)}",
        "+33 " + " ".join([str(r.randint(1, 7))] + [d(2) for _ in range(4)]),
        "06 " + " ".join(d(2) for _ in range(4)),
        f"+34 6{d(2)} {d(3)} {d(3)}", f"+39 3{d(2)} {d(3)} {d(4)}",
        f"+31 6 {d(8)}", f"+91 9{d(4)} {d(5)}", f"+61 4{d(2)} {d(3)} {d(3)}",
    ])


def _ssn(r: random.Random) -> str:
    area = r.choice([n for n in range(1, 900) if n != 666])
    group, serial = r.randint(1, 99), r.randint(1, 9999)
    return r.choice([f"{area:03d}-{group:02d}-{serial:04d}",
                     f"{area:03d} {group:02d} {serial:04d}"])


def value_of(target: str, r: random.Random) -> Value:
    """A random value of ``target`` with a label for it."""
    if target == "SECRET":
        kind = r.choice(SECRET_KINDS)
        return Value(target, secrets_corpus.TOKENS[kind](r),
                     r.choice(secrets_corpus.NAMES[kind]))
    if target == "SECRET_GENERIC":
        return Value(target, secrets_corpus._key_value(r),
                     r.choice(secrets_corpus.KEY_NAMES))
    if target == "SECRET_PASSWORD":
        return Value(target, secrets_corpus._password_value(r),
                     r.choice(secrets_corpus.PASSWORD_NAMES))
    v = pii_corpus._Values(r)
    first, last, _ = v.name()
    value = {"EMAIL_ADDRESS": lambda: v.email(first, last), "US_SSN": lambda: _ssn(r),
             "CREDIT_CARD": v.card, "PHONE_NUMBER": lambda: _phone(r),
             "IBAN_CODE": v.iban}[target]()
    return Value(target, value, r.choice(_LABELS[target]))


# --------------------------------------------------------------------------- encodings
def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


_CYRILLIC = str.maketrans("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ")
_GREEK = str.maketrans("AEIKMNOPTXYZov", "ΑΕΙΚΜΝΟΡΤΧΥΖον")
_ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
_INVISIBLE = [*_ZERO_WIDTH, "\u00ad", "\u180e", "\u2061", "\u2062", "\u2063", "\u034f"]
_VARIATION = ["\ufe0f", "\ufe0e", "\ufe00", "\U000e0100", "\U000e0101"]
_BIDI = ["\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
         "\u2066", "\u2067", "\u2068", "\u2069"]
_HOMOGLYPH = {**{a: b for a, b in zip("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ",
                                     strict=True)},
              "i": "і", "j": "ј", "s": "ѕ", "I": "І", "J": "Ј", "S": "Ѕ", "0": "О"}


def _rot13(s: str) -> str:
    return codecs.encode(s, "rot13")


def _rot5(s: str) -> str:
    return s.translate(str.maketrans("0123456789", "5678901234"))


def _rot18(s: str) -> str:
    return _rot5(_rot13(s))


def _rot47(s: str) -> str:
    return "".join(chr(33 + (ord(c) - 33 + 47) % 94) if "!" <= c <= "~" else c for c in s)


def _b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def _between(s: str, r: random.Random, chars: list[str], share: float = 1.0,
             mixed: bool = False) -> str:
    """Characters of ``chars`` between the characters of ``s`` (each gap with
    probability ``share``; one character throughout unless ``mixed``)."""
    one = r.choice(chars)
    out = [s[0]]
    gaps = [i for i in range(1, len(s))]
    chosen = set(r.sample(gaps, max(2, int(len(gaps) * share)))) if share < 1 else set(gaps)
    for i in range(1, len(s)):
        if i in chosen:
            out.append(r.choice(chars) if mixed else one)
        out.append(s[i])
    return "".join(out)


def _some_homoglyphs(s: str, r: random.Random) -> str:
    return "".join(_HOMOGLYPH[c] if c in _HOMOGLYPH and r.random() < 0.6 else c for c in s)


_SEPARATORS = [" - ", " | ", " . ", "--", "::", " · ", "·", "•", "<>", " / ", "~", "+",
               "*", ", ", "_", "/", ";"]

# A value-level technique: (value, rng) -> the value as written.
Encode = Callable[[str, random.Random], str]
VALUE_TECHNIQUES: dict[str, Encode] = {
    "plain": lambda v, _r: v,
    "fullwidth": lambda v, _r: _fullwidth(v),
    "cyrillic": lambda v, _r: v.translate(_CYRILLIC),
    "greek": lambda v, _r: v.translate(_GREEK),
    "homoglyph-some": _some_homoglyphs,
    "zero-width": lambda v, r: _between(v, r, _ZERO_WIDTH),
    "zero-width-some": lambda v, r: _between(v, r, _ZERO_WIDTH, share=0.3),
    "zero-width-mixed": lambda v, r: _between(v, r, _INVISIBLE, mixed=True),
    "soft-hyphen": lambda v, r: _between(v, r, ["\u00ad"], share=r.choice([0.3, 1.0])),
    "variation-selector": lambda v, r: _between(v, r, _VARIATION, share=r.choice([0.5, 1.0])),
    "bidi-marks": lambda v, r: _between(v, r, _BIDI, share=r.choice([0.3, 1.0]), mixed=True),
    "spaced": lambda v, r: r.choice([" ", "  ", "\t"]).join(v),
    "dotted": lambda v, _r: ".".join(v),
    "dashed": lambda v, _r: "-".join(v),
    "underscored": lambda v, _r: "_".join(v),
    "piped": lambda v, r: r.choice(["|", " | "]).join(v),
    "comma-separated": lambda v, r: r.choice([",", ", "]).join(v),
    "separator-string": lambda v, r: r.choice(_SEPARATORS).join(v),
    "one-per-line": lambda v, r: r.choice(["\n", "\r\n", "\n "]).join(v),
    "fullwidth+zero-width": lambda v, r: _between(_fullwidth(v), r, _ZERO_WIDTH),
    "homoglyph+spaced": lambda v, r: r.choice([" ", "-", "."]).join(_some_homoglyphs(v, r)),
    "fullwidth+spaced": lambda v, r: " ".join(_fullwidth(v)),
    "zero-width+spaced": lambda v, r: " ".join(_between(v, r, _ZERO_WIDTH)),
    "url-encoded": lambda v, r: "".join(f"%{b:02{r.choice('xX')}}" for b in v.encode()),
    "url-quoted": lambda v, _r: urllib.parse.quote(v, safe=""),
    "json-escape": lambda v, _r: "".join(f"\\u{ord(c):04x}" for c in v),
    "html-entities": lambda v, r: "".join(
        r.choice([f"&#{ord(c)};", f"&#x{ord(c):x};"]) for c in v),
    "hex": lambda v, _r: v.encode().hex(),
    "hex-bytes": lambda v, r: r.choice([" ", ":"]).join(f"{b:02x}" for b in v.encode()),
    "hex-0x": lambda v, r: r.choice([",", ", ", " "]).join(f"0x{b:02x}" for b in v.encode()),
    "base64": lambda v, _r: _b64(v),
    "base64-nopad": lambda v, _r: _b64(v).rstrip("="),
    "base64url": lambda v, _r: base64.urlsafe_b64encode(v.encode()).decode().rstrip("="),
    "base64-twice": lambda v, _r: _b64(_b64(v)),
    "base64-of-reversed": lambda v, _r: _b64(v[::-1]),
    "reversed-base64": lambda v, _r: _b64(v)[::-1],
    "reversed": lambda v, _r: v[::-1],
    "rot13": lambda v, _r: _rot13(v),
    "rot18": lambda v, _r: _rot18(v),
    "rot47": lambda v, _r: _rot47(v),
}
# How the value is named beside it; {label} stays plain, {x} is the encoded value.
_SAY = {
    "plain": ["{label}: {x}", "my {label} is {x}"],
    "unicode": ["My {label} is {x}", "{label}: {x}", "use this {label} → {x} for the test",
                "Here it is: {x}", "set {label} to {x} please"],
    "spaced": ["{label}: {x}", "spelling it out so it's clear: {x}", "{x}",
               "letter by letter, my {label}: {x}"],
    "one-per-line": ["{label}, one character per line:\n{x}\nthanks", "{x}",
                     "my {label}:\n{x}"],
    "escape": ["decode this: {x}", "param={x}&lang=en", "{label} (encoded): {x}",
               '{{"{label}": "{x}"}}', "<td>{x}</td>", "{x}"],
    "blob": ["Decode this and use it: {x}", "{x}", "config blob: {x}",
             "{label} (encoded): {x}", "token param: {x}"],
    "reversed": ["{label} reversed: {x}", "read this backwards: {x}", "{x}",
                 "my {label} is {x}", "{label}: {x} (it's written right to left)"],
    "rot": ["{label} in {how}: {x}", "{x}", "Caesar-shifted: {x}", "my {label} is {x}",
            "{label}: {x}"],
}
_FAMILY = {"plain": "plain", "one-per-line": "one-per-line", "reversed": "reversed",
           **{t: "unicode" for t in ("fullwidth", "cyrillic", "greek", "homoglyph-some",
                                     "zero-width", "zero-width-some", "zero-width-mixed",
                                     "soft-hyphen", "variation-selector", "bidi-marks",
                                     "fullwidth+zero-width")},
           **{t: "spaced" for t in ("spaced", "dotted", "dashed", "underscored", "piped",
                                    "comma-separated", "separator-string",
                                    "homoglyph+spaced", "fullwidth+spaced",
                                    "zero-width+spaced")},
           **{t: "escape" for t in ("url-encoded", "url-quoted", "json-escape",
                                    "html-entities", "hex", "hex-bytes", "hex-0x")},
           **{t: "blob" for t in ("base64", "base64-nopad", "base64url", "base64-twice",
                                  "base64-of-reversed", "reversed-base64")},
           **{t: "rot" for t in ("rot13", "rot18", "rot47")}}
_HOW = {"rot13": ["rot13", "ROT-13"], "rot18": ["rot18", "rot13+rot5"], "rot47": ["rot47"]}


def _whole(encode: Encode, v: Value, r: random.Random, wrap: bool = False) -> str:
    """The labelled statement (or a short config holding it) encoded as one."""
    if wrap:  # a config file, base64 wrapped at 76 columns as MIME and PEM do
        plain = (f"# service settings\nREGION=eu-west-1\nLOG_LEVEL=info\n{v.statement}\n"
                 f"TIMEOUT_SECONDS=30\nRETRIES=3\n")
        return "\n".join(textwrap.wrap(encode(plain, r), 76))
    return encode(r.choice([v.statement, f"my {v.label} is {v.value}",
                            f"{v.statement}\n"]), r)


_LEADS = ["", "Quick question about our setup. ", "Can you check this? ",
          "Summarise the following for the ticket.\n\n"]


def _item(r: random.Random, n: int, technique: str, target: str) -> EvasionItem:
    v = value_of(target, r)
    lead = r.choice(_LEADS)
    family = _FAMILY.get(technique, "blob")
    # The label stays plain for a generic secret (its name is what identifies it) unless
    # the whole statement is encoded.
    whole = family in ("blob", "escape") and r.random() < 0.6
    if technique == "base64-wrapped":
        shown = _whole(VALUE_TECHNIQUES["base64"], v, r, wrap=True)
        return EvasionItem(f"ev{n}", technique, v.reported,
                           (("user", lead + f"Decode this config:\n{shown}"),),
                           tuple(shown.splitlines()))
    if technique in ("rot13-sentence", "rot18-sentence", "rot47-sentence",
                     "reversed-message"):
        rot = {"rot13-sentence": _rot13, "rot18-sentence": _rot18, "rot47-sentence": _rot47,
               "reversed-message": lambda s: s[::-1]}[technique]
        sentence = r.choice([f"{lead}my {v.label} is {v.value}", f"{lead}{v.statement}",
                             f"Please store this: {v.statement} thanks"])
        text = rot(sentence)
        return EvasionItem(f"ev{n}", technique, v.reported, (("user", text),),
                           (rot(v.value),))
    encode = VALUE_TECHNIQUES[technique]
    if whole:
        shown = _whole(encode, v, r)
        text = r.choice(_SAY[family]).format(label="data", x=shown, how="")
    else:
        shown = encode(v.value, r)
        label = v.label
        template = r.choice(_SAY[family])
        if v.target in ("SECRET_GENERIC", "SECRET_PASSWORD"):  # known by its name only
            template = r.choice(["{label}={x}", '{label}: "{x}"', "export {label}={x}",
                                 "{label} = '{x}'"])
        elif v.target in ("US_SSN", "PHONE_NUMBER") and "{label}" not in template:
            template = "{label}: {x}"  # nine digits, or a national number, need a label
        text = template.format(label=label, x=shown, how=r.choice(_HOW.get(technique, [""])))
    return EvasionItem(f"ev{n}", technique, v.reported, (("user", lead + text),), (shown,))


TECHNIQUES = (*VALUE_TECHNIQUES, "base64-wrapped", "rot13-sentence", "rot18-sentence",
              "rot47-sentence", "reversed-message")
SPLITS = ("split-user-user", "split-system-user", "split-user-tool",
          "split-user-assistant-user")


def _split_item(r: random.Random, n: int, technique: str, target: str) -> EvasionItem:
    v = value_of(target, r)
    value, label = v.value, v.label
    cut = r.randint(max(2, len(value) // 3), max(3, 2 * len(value) // 3))
    a, b = value[:cut], value[cut:]
    style = r.randrange(3)
    if target in ("SECRET_GENERIC", "SECRET_PASSWORD"):  # known by its name only
        first, second = r.choice([(f"{label}={a}", f"{b}\nDEBUG=false"),
                                  (f'{{"{label}": "{a}', f'{b}"}}')])
    elif style == 0:  # cut mid-sentence
        first, second = f"My {label} is {a}", f"{b} - please keep it safe."
    elif style == 1:  # labelled halves
        first = f"The {label} starts with {a}"
        second = f"and ends with {b}. Put them together."
    else:
        first, second = f"{label}, part 1: {a}", f"part 2: {b}"
    roles = {"split-user-user": ("user", "user"), "split-system-user": ("system", "user"),
             "split-user-tool": ("user", "tool"),
             "split-user-assistant-user": ("user", "user")}[technique]
    messages = [(roles[0], first)]
    if technique == "split-user-assistant-user":
        messages.append(("assistant", "Got it. What is the rest?"))
    messages.append((roles[1], second))
    return EvasionItem(f"ev{n}", technique, v.reported, tuple(messages), (a, b))


# --------------------------------------------------------------------------- benign
_WORDS = ["report", "budget", "meeting", "deadline", "invoice", "roadmap", "release",
          "stressed", "level", "drawer", "reward", "gateway", "network"]


def _minified_js(r: random.Random) -> str:
    names = "abcdefghijklmnop"
    parts = [f"function {r.choice(names)}({r.choice(names)},{r.choice(names)})"
             f"{{return {r.choice(names)}*{r.randint(2, 99)}+{r.randint(0, 9)}}}"
             for _ in range(4)]
    data = ",".join(str(r.randint(0, 255)) for _ in range(24))
    return ("!function(e,t){" + ";".join(parts) + f"}};var q=[{data}];"
            f"window.__v=\"{r.getrandbits(64):x}\";")


def _benign(r: random.Random) -> tuple[str, tuple[tuple[str, str], ...]]:
    hexd = "0123456789abcdef"
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + r.randbytes(r.randint(60, 400))).decode()
    jpeg = "\n".join(textwrap.wrap(base64.b64encode(
        b"\xff\xd8\xff\xe0\x00\x10JFIF" + r.randbytes(r.randint(200, 600))).decode(), 76))
    sha = "".join(r.choice(hexd) for _ in range(64))
    words = _WORDS
    w = r.choice(words)
    prose = r.choice(["The meeting moved to Thursday at 3pm, bring the budget notes.",
                      "Release 4.2 ships next week; QA signs off on Monday.",
                      "Lunch order: two salads, one soup and a sandwich."])
    kinds: list[tuple[str, Callable[[], tuple[tuple[str, str], ...]]]] = [
        ("image-base64", lambda: (
            ("user", f"What is in this image? data:image/png;base64,{png}"),)),
        ("image-base64-wrapped", lambda: (
            ("user", f"Attached photo (MIME part):\nContent-Type: image/jpeg\n"
                     f"Content-Transfer-Encoding: base64\n\n{jpeg}"),)),
        ("base64-prose", lambda: (("user", f"What does this say? {_b64(prose)}"),)),
        ("sha256", lambda: (("user", f"The artifact digest is sha256:{sha}, is that the "
                                     "one we shipped?"),)),
        ("fingerprint", lambda: (("user", "Host key fingerprint " + ":".join(
            f"{b:02x}" for b in r.randbytes(16)) + " - is it the right server?"),)),
        ("git-log", lambda: (("user", "\n".join(
            f"{''.join(r.choice(hexd) for _ in range(40))} fix {r.choice(words)}"
            for _ in range(5))),)),
        ("uuid-list", lambda: (("user", "ids: " + ", ".join(
            f"{r.getrandbits(128):032x}" for _ in range(4))),)),
        ("hex-binary", lambda: (("user", "memory dump: " + " ".join(
            f"{b:02x}" for b in r.randbytes(32))),)),
        ("hexdump", lambda: (("user", "xxd output:\n" + "\n".join(
            f"{i * 16:08x}: " + " ".join(f"{b:02x}{c:02x}" for b, c in zip(
                *[iter(r.randbytes(16))] * 2, strict=True))
            for i in range(4))),)),
        ("minified-js", lambda: (("user", "Why does this throw? " + _minified_js(r)),)),
        ("base64-random", lambda: (("user", "nonce: " + base64.b64encode(
            r.randbytes(24)).decode()),)),
        ("spaced-heading", lambda: (("user", f"Make the title look like this: "
                                             f"{' '.join(w.upper())} — a spaced heading."),)),
        ("spaced-digits", lambda: (("user", "Count with me: 1 2 3 4 5 6 7 8 9 10"),)),
        ("digit-list", lambda: (("user", "x = [" + ", ".join(
            str(r.randint(0, 9)) for _ in range(r.randint(8, 16))) + "]; sort it"),)),
        ("letters-list", lambda: (("user", "Options a b c d e f g are all valid."),)),
        ("letters-commas", lambda: (("user", "Pick from a, b, c, d, e, f or g."),)),
        ("dotted-version", lambda: (("user", "Upgrade from 1.2.3.4 to " + ".".join(
            str(r.randint(0, 9)) for _ in range(5))),)),
        ("acrostic", lambda: (("user", "Write a poem whose lines start with:\nS\nU\nM\nM\nE"
                                       "\nR\nso the first letters spell a season"),)),
        ("reversed-word", lambda: (("user", f"'{w}' reversed is '{w[::-1]}'. Write a "
                                            "function that reverses strings."),)),
        ("palindromes", lambda: (("user", "Is 'level' a palindrome? And 'stressed' vs "
                                          "'desserts', 'drawer' vs 'reward'?"),)),
        ("rot13-joke", lambda: (("user", "Decode this rot13 joke: Jul qvq gur puvpxra "
                                         "pebff gur ebnq? Gb trg gb gur bgure fvqr."),)),
        ("rot47-demo", lambda: (("user", "Explain ROT47: 'w6==@ (@C=5' becomes what?"),)),
        ("russian", lambda: (("user", "Привет! Пожалуйста, переведи этот текст на "
                                      "английский: отчёт о продажах за третий квартал."),)),
        ("greek", lambda: (("user", "Καλημέρα, μπορείς να μεταφράσεις αυτό το κείμενο; "
                                    "Η συνάντηση είναι την Τρίτη."),)),
        ("arabic-bidi", lambda: (("user", "Translate: \u200fمرحبا بكم في الاجتماع\u200f "
                                          "(room 4, floor 2)"),)),
        ("fullwidth-cjk", lambda: (("user", "会议在（星期二）下午３点举行，"
                                            "请准备２０２５年的预算。"),)),
        ("soft-hyphen-prose", lambda: (("user", "Hyphen\u00adation in long words like "
                                                "inter\u00adnational\u00adization breaks "
                                                "lines nicely."),)),
        ("html", lambda: (("user", "<p>Terms &amp; conditions &copy; 2025 &mdash; "
                                   "&quot;Fabrikam&quot; &lt;b&gt;bold&lt;/b&gt;</p>"),)),
        ("markdown-table", lambda: (("user", "| a | b | c | d | e | f |\n|---|---|---|---|"
                                             "---|---|\n| 1 | 2 | 3 | 4 | 5 | 6 |"),)),
        ("url-query", lambda: (("user", "Why does https://example.net/search?q=hello%20world"
                                        "&lang=en%2DGB fail?"),)),
        ("json-unicode", lambda: (("user", '{"city": "M\\u00fcnchen", "note": '
                                           '"caf\\u00e9 \\u2013 open"}'),)),
        ("printf", lambda: (("user", 'printf("%02x%02x%02x", r, g, b); why is the '
                                     'output 0a1b2c?'),)),
        ("timestamps", lambda: (("user", "events: " + ", ".join(
            str(1_700_000_000_000_000_000 + r.randint(0, 10**15)) for _ in range(3))),)),
        ("conversation", lambda: (
            ("system", "You are a helpful assistant for the finance team."),
            ("user", f"Draft an agenda for the {w} review on 2025-03-14."),
            ("assistant", "Sure: 1. Status 2. Risks 3. Next steps"),
            ("user", "Add item 4: budget for Q3, version v2.4.1"))),
        ("code-split", lambda: (
            ("user", "def checksum(data):\n    return sum(data) % 256"),
            ("user", "Now write a test for it with input [1, 2, 3]."))),
        ("zero-width-emoji", lambda: (("user", "Great job team 👍🏽👨\u200d👩\u200d👧 ❤️ "
                                               "see you Monday"),)),
    ]
    kind, make = kinds[r.randrange(len(kinds))]
    return kind, make()


def generate(seed: int = 20261201, per_technique: int = 24, benign: int = 400
             ) -> list[EvasionItem]:
    """``per_technique`` items of each technique, spread over the targets in turn."""
    r = random.Random(seed)
    items: list[EvasionItem] = []
    for technique in TECHNIQUES:
        for k in range(per_technique):
            items.append(_item(r, len(items), technique, TARGETS[k % len(TARGETS)]))
    for technique in SPLITS:
        for k in range(per_technique):
            items.append(_split_item(r, len(items), technique, TARGETS[k % len(TARGETS)]))
    for _ in range(benign):
        kind, messages = _benign(r)
        items.append(EvasionItem(f"ev{len(items)}", f"benign:{kind}", "", messages, ()))
    return items
