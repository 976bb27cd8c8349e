"""A seeded development corpus of evasion techniques, and of hard benign look-alikes.

Written for tuning ``aipolicy/detect/normalize.py``, ``decode.py``, ``views.py`` and
``joins.py`` (the independent validation set is elsewhere and not read here). Each item is
a request's messages with a secret or a piece of personal data hidden by one technique,
and the strings it shows in the body: the item *leaks* when the request is not blocked
and the body that would be forwarded still holds them (for a value split across
messages: all of its parts). Benign items must pass untouched.

Values come from the project's generated corpora (``secrets_corpus.TOKENS``,
``pii_corpus._Values``); the wording, techniques and benign cases are this file's own.
"""

from __future__ import annotations

import base64
import codecs
import random
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
PII_KINDS = ("EMAIL_ADDRESS", "US_SSN", "CREDIT_CARD", "PHONE_NUMBER", "IBAN_CODE")
_LABELS = {"EMAIL_ADDRESS": ["email", "e-mail address", "contact"],
           "US_SSN": ["SSN", "social security number", "SSN#"],
           "CREDIT_CARD": ["card number", "credit card", "card"],
           "PHONE_NUMBER": ["phone", "mobile", "tel."],
           "IBAN_CODE": ["IBAN", "bank account (IBAN)", "IBAN no."]}


def _value(r: random.Random) -> tuple[str, str, str]:
    """(type, value, label) of a random secret or personal value."""
    if r.random() < 0.5:
        kind = r.choice(SECRET_KINDS)
        value = secrets_corpus.TOKENS[kind](r)
        return "SECRET", value, r.choice(secrets_corpus.NAMES[kind])
    v = pii_corpus._Values(r)
    kind = r.choice(PII_KINDS)
    first, last, _ = v.name()
    value = {"EMAIL_ADDRESS": lambda: v.email(first, last), "US_SSN": v.ssn,
             "CREDIT_CARD": v.card, "PHONE_NUMBER": v.phone, "IBAN_CODE": v.iban}[kind]()
    return kind, value, r.choice(_LABELS[kind])


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


_CYRILLIC = str.maketrans("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ")
_GREEK = str.maketrans("AEIKMNOPTXYZov", "ΑΕΙΚΜΝΟΡΤΧΥΖον")
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]


def _rot13(s: str) -> str:
    return codecs.encode(s, "rot13")


# Each technique: (value, label, rng) -> the encoded form shown in the text.
Technique = Callable[[str, str, random.Random], str]
TECHNIQUES: dict[str, Technique] = {
    "fullwidth": lambda v, _l, _r: _fullwidth(v),
    "zero-width": lambda v, _l, r: r.choice(_INVISIBLE).join(v),
    "cyrillic": lambda v, _l, _r: v.translate(_CYRILLIC),
    "greek": lambda v, _l, _r: v.translate(_GREEK),
    "spaced": lambda v, _l, r: r.choice([" ", "  ", " "]).join(v),
    "dashed": lambda v, _l, r: r.choice(["-", ".", "|"]).join(v),
    "one-per-line": lambda v, _l, _r: "\n".join(v),
    "url-encoded": lambda v, _l, r: "".join(f"%{b:02{r.choice('xX')}}" for b in v.encode()),
    "url-quoted": lambda v, _l, _r: urllib.parse.quote(v, safe=""),
    "json-escape": lambda v, _l, _r: "".join(f"\\u{ord(c):04x}" for c in v),
    "html-entities": lambda v, _l, r: "".join(
        r.choice([f"&#{ord(c)};", f"&#x{ord(c):x};"]) for c in v),
    "base64": lambda v, label, r: base64.b64encode(
        r.choice([v, f"{label}: {v}", f"{label}={v}\n"]).encode()).decode(),
    "base64url": lambda v, label, _r: base64.urlsafe_b64encode(
        f"{label}={v}".encode()).decode().rstrip("="),
    "base64-twice": lambda v, _l, _r: base64.b64encode(
        base64.b64encode(v.encode())).decode(),
    "hex": lambda v, label, r: r.choice([v, f"{label}: {v}"]).encode().hex(),
    "hex-bytes": lambda v, _l, r: r.choice([" ", ":"]).join(f"{b:02x}" for b in v.encode()),
    "reversed": lambda v, _l, _r: v[::-1],
    "rot13": lambda v, _l, _r: _rot13(v),
}
_SAY = {
    "fullwidth": ["My {label} is {x}", "{label}: {x}", "use this {label} → {x} for the test"],
    "zero-width": ["{label}: {x}", "Here it is: {x}", "set {label} to {x} please"],
    "cyrillic": ["{label}: {x}", "the {label} we use is {x}"],
    "greek": ["{label}: {x}", "the {label} we use is {x}"],
    "spaced": ["{label}: {x}", "spelling it out so it's clear: {x}", "{x}"],
    "dashed": ["{label}: {x}", "letter by letter: {x}"],
    "one-per-line": ["{label}, one character per line:\n{x}\nthanks", "{x}"],
    "url-encoded": ["decode this: {x}", "param={x}&lang=en", "{label} (url-encoded): {x}"],
    "url-quoted": ["https://intranet.example.net/lookup?q={x}", "value={x}"],
    "json-escape": ['{{"{label}": "{x}"}}', "escaped: {x}"],
    "html-entities": ["<td>{x}</td>", "<p>{label}: {x}</p>"],
    "base64": ["Decode this and use it: {x}", "{x}", "config blob (base64): {x}"],
    "base64url": ["token param: {x}", "{x}"],
    "base64-twice": ["double-encoded, decode twice: {x}", "{x}"],
    "hex": ["hex: {x}", "0x{x}", "Here is the hex dump: {x}"],
    "hex-bytes": ["bytes: {x}", "{x}"],
    "reversed": ["{label} reversed: {x}", "read this backwards: {x}", "{x}"],
    "rot13": ["{label} in rot13: {x}", "{x}", "Caesar-shifted by 13: {x}"],
}
SPLITS = ("split-user-user", "split-system-user", "split-user-tool",
          "split-user-assistant-user")


def _split_item(r: random.Random, n: int, technique: str) -> EvasionItem:
    target, value, label = _value(r)
    cut = r.randint(max(2, len(value) // 3), max(3, 2 * len(value) // 3))
    a, b = value[:cut], value[cut:]
    style = r.randrange(3)
    if style == 0:  # cut mid-sentence
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
    return EvasionItem(f"ev{n}", technique, target, tuple(messages), (a, b))


def _item(r: random.Random, n: int, technique: str) -> EvasionItem:
    target, value, label = _value(r)
    shown = TECHNIQUES[technique](value, label, r)
    text = r.choice(_SAY[technique]).format(label=label, x=shown)
    lead = r.choice(["", "Quick question about our setup. ", "Can you check this? ",
                     "Summarise the following for the ticket.\n\n"])
    messages = [("user", lead + text)]
    if technique == "reversed" and r.random() < 0.3:  # the whole message reversed
        messages = [("user", (lead + f"{label}: {value}")[::-1])]
        shown = value[::-1]
    if technique == "rot13" and r.random() < 0.3:
        messages = [("user", _rot13(lead + f"my {label} is {value}"))]
        shown = _rot13(value)
    return EvasionItem(f"ev{n}", technique, target, tuple(messages), (shown,))


# --------------------------------------------------------------------------- benign
def _benign(r: random.Random) -> tuple[str, tuple[tuple[str, str], ...]]:
    hexd = "0123456789abcdef"
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + r.randbytes(r.randint(60, 400))).decode()
    sha = "".join(r.choice(hexd) for _ in range(64))
    words = ["report", "budget", "meeting", "deadline", "invoice", "roadmap", "release"]
    w = r.choice(words)
    kinds: list[tuple[str, Callable[[], tuple[tuple[str, str], ...]]]] = [
        ("image-base64", lambda: (
            ("user", f"What is in this image? data:image/png;base64,{png}"),)),
        ("sha256", lambda: (("user", f"The artifact digest is sha256:{sha}, is that the "
                                     "one we shipped?"),)),
        ("git-log", lambda: (("user", "\n".join(
            f"{''.join(r.choice(hexd) for _ in range(40))} fix {r.choice(words)}"
            for _ in range(5))),)),
        ("uuid-list", lambda: (("user", "ids: " + ", ".join(
            f"{r.getrandbits(128):032x}" for _ in range(4))),)),
        ("hex-binary", lambda: (("user", "memory dump: " + " ".join(
            f"{b:02x}" for b in r.randbytes(32))),)),
        ("base64-random", lambda: (("user", "nonce: " + base64.b64encode(
            r.randbytes(24)).decode()),)),
        ("spaced-heading", lambda: (("user", f"Make the title look like this: "
                                             f"{' '.join(w.upper())} — a spaced heading."),)),
        ("spaced-digits", lambda: (("user", "Count with me: 1 2 3 4 5 6 7 8 9 10"),)),
        ("letters-list", lambda: (("user", "Options a b c d e f g are all valid."),)),
        ("reversed-word", lambda: (("user", f"'{w}' reversed is '{w[::-1]}'. Write a "
                                            "function that reverses strings."),)),
        ("rot13-joke", lambda: (("user", "Decode this rot13 joke: Jul qvq gur puvpxra "
                                         "pebff gur ebnq? Gb trg gb gur bgure fvqr."),)),
        ("russian", lambda: (("user", "Привет! Пожалуйста, переведи этот текст на "
                                      "английский: отчёт о продажах за третий квартал."),)),
        ("greek", lambda: (("user", "Καλημέρα, μπορείς να μεταφράσεις αυτό το κείμενο; "
                                    "Η συνάντηση είναι την Τρίτη."),)),
        ("fullwidth-cjk", lambda: (("user", "会议在（星期二）下午３点举行，"
                                            "请准备２０２５年的预算。"),)),
        ("html", lambda: (("user", "<p>Terms &amp; conditions &copy; 2025 &mdash; "
                                   "&quot;Fabrikam&quot; &lt;b&gt;bold&lt;/b&gt;</p>"),)),
        ("url-query", lambda: (("user", "Why does https://example.net/search?q=hello%20world"
                                        "&lang=en%2DGB fail?"),)),
        ("json-unicode", lambda: (("user", '{"city": "M\\u00fcnchen", "note": '
                                           '"caf\\u00e9 \\u2013 open"}'),)),
        ("printf", lambda: (("user", 'printf("%02x%02x%02x", r, g, b); why is the '
                                     'output 0a1b2c?'),)),
        ("conversation", lambda: (
            ("system", "You are a helpful assistant for the finance team."),
            ("user", f"Draft an agenda for the {w} review on 2025-03-14."),
            ("assistant", "Sure: 1. Status 2. Risks 3. Next steps"),
            ("user", "Add item 4: budget for Q3, version v2.4.1"))),
        ("code-split", lambda: (
            ("user", "def checksum(data):\n    return sum(data) % 256"),
            ("user", "Now write a test for it with input [1, 2, 3]."))),
        ("zero-width-emoji", lambda: (("user", "Great job team 👍🏽👨\u200d👩\u200d👧 "
                                               "see you Monday"),)),
    ]
    kind, make = kinds[r.randrange(len(kinds))]
    return kind, make()


def generate(seed: int = 20261201, per_technique: int = 24, benign: int = 300
             ) -> list[EvasionItem]:
    r = random.Random(seed)
    items: list[EvasionItem] = []
    for technique in TECHNIQUES:
        for _ in range(per_technique):
            items.append(_item(r, len(items), technique))
    for technique in SPLITS:
        for _ in range(per_technique):
            items.append(_split_item(r, len(items), technique))
    for _ in range(benign):
        kind, messages = _benign(r)
        items.append(EvasionItem(f"ev{len(items)}", f"benign:{kind}", "", messages, ()))
    return items
