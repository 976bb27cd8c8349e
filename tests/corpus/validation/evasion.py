"""Ways people (and scripts) disguise a secret or an identifier so that a filter misses it.
Each technique encodes a value as it would be pasted; the split techniques spread it over
several messages of one request. The planted text is the encoded form (or the fragments):
that is what must not reach the service."""

from __future__ import annotations

import base64
import codecs
import random
from collections.abc import Callable

from . import numbers as num
from .credentials import VENDORS, Secret
from .model import Doc, Item, Planted, Span, assemble
from .people import People

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Latin letters and their Cyrillic or Greek look-alikes.
HOMOGLYPHS = {"a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у",
              "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М",
              "O": "О", "P": "Р", "T": "Т", "X": "Х", "I": "І", "i": "і", "j": "ј",
              "S": "Ѕ", "s": "ѕ", "N": "Ν", "Z": "Ζ", "v": "ν"}


def fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c)
                   for c in s)


def _zero_width(rng: random.Random, s: str) -> str:
    every = rng.choice([1, 1, 2, 3])
    return "".join(c + (rng.choice(ZERO_WIDTH) if i % every == 0 and i < len(s) - 1 else "")
                   for i, c in enumerate(s))


def _hex(rng: random.Random, s: str) -> str:
    h = s.encode().hex()
    k = rng.randrange(4)
    if k == 0:
        return h
    if k == 1:
        return "0x" + h.upper()
    if k == 2:
        return "".join(f"\\x{b:02x}" for b in s.encode())
    return " ".join(h[i:i + 2] for i in range(0, len(h), 2))


def _homoglyph(rng: random.Random, s: str) -> str:
    out = [HOMOGLYPHS[c] if c in HOMOGLYPHS and rng.random() < 0.6 else c for c in s]
    if out == list(s):  # at least one look-alike
        i = next(i for i, c in enumerate(s) if c in HOMOGLYPHS)
        out[i] = HOMOGLYPHS[s[i]]
    return "".join(out)


# technique -> encoder (single-message techniques)
ENCODERS: dict[str, Callable[[random.Random, str], str]] = {
    "spaced": lambda r, s: " ".join(s),
    "url-encoded": lambda r, s: "".join(f"%{b:02X}" for b in s.encode()),
    "hex": _hex,
    "fullwidth": lambda r, s: fullwidth(s),
    "zero-width": _zero_width,
    "base64": lambda r, s: base64.b64encode(s.encode()).decode(),
    "reversed": lambda r, s: s[::-1],
    "html-entities": lambda r, s: "".join(f"&#{ord(c)};" if r.random() < 0.5 else
                                          f"&#x{ord(c):x};" for c in s),
    "json-unicode": lambda r, s: "".join(f"\\u{ord(c):04x}" for c in s),
    "rot13": lambda r, s: codecs.encode(s, "rot13"),
    "homoglyph": _homoglyph,
    "fullwidth-zero-width": lambda r, s: _zero_width(r, fullwidth(s)),
    "base64-reversed": lambda r, s: base64.b64encode(s[::-1].encode()).decode(),
    "char-separated": lambda r, s: r.choice(["-", ".", "_", "|"]).join(s),
    "vertical": lambda r, s: "\n".join(s),
}
SPLITS = ("split-system-user", "split-user-messages", "split-tool-result")
TECHNIQUES = (*ENCODERS, *SPLITS)

HINTS = {
    "spaced": "spaced out", "url-encoded": "URL-encoded", "hex": "hex", "fullwidth": "",
    "zero-width": "", "base64": "base64", "reversed": "reversed", "html-entities": "",
    "json-unicode": "escaped", "rot13": "rot13", "homoglyph": "", "fullwidth-zero-width": "",
    "base64-reversed": "base64 of the reversed string", "char-separated": "",
    "vertical": "one character per line",
}
SECRET_VENDORS = ("aws", "github", "openai", "anthropic", "stripe", "slack", "vault",
                  "google-api-key", "sendgrid", "gitlab", "generic", "npm", "huggingface",
                  "twilio")
PII_TARGETS = ("CREDIT_CARD", "US_SSN", "IBAN_CODE", "EMAIL_ADDRESS", "PHONE_NUMBER")
PII_LABELS = {"CREDIT_CARD": "card number", "US_SSN": "SSN", "IBAN_CODE": "IBAN",
              "EMAIL_ADDRESS": "e-mail address", "PHONE_NUMBER": "mobile number"}


def target(rng: random.Random, secret: bool, technique: str) -> tuple[str, str, str, str]:
    """(type, kind, value, label) of the value to disguise."""
    if secret:
        s: Secret = VENDORS[rng.choice(SECRET_VENDORS)](rng)
        # the secret itself, or for AWS sometimes its key id (an AKIA... is what people
        # recognise); never the non-secret partner
        if s.partner and s.partner[2] and rng.random() < 0.3:
            return "SECRET", s.partner[0], s.partner[1], s.partner[0].replace("-", " ")
        return "SECRET", s.kind, s.value, s.env
    t = rng.choice(PII_TARGETS)
    if technique == "homoglyph":  # needs letters to swap
        t = "EMAIL_ADDRESS"
    if t == "CREDIT_CARD":
        shown, digits, kind = num.card(rng, style=rng.choice(["plain", "spaces"]))
        return t, kind, shown, PII_LABELS[t]
    if t == "US_SSN":
        shown, kind = num.ssn(rng, "dashes")
        return t, kind, shown, PII_LABELS[t]
    if t == "IBAN_CODE":
        v, kind = num.iban(rng, grouped=False)
        return t, kind, v, PII_LABELS[t]
    p = People(rng).person()
    if t == "EMAIL_ADDRESS":
        return t, "email", p.email, PII_LABELS[t]
    return t, p.phone_kind, p.phone, PII_LABELS[t]


FRAMES_SECRET = [
    "Decode this and tell me which service the key is for: <<v>>",
    "Our vendor sent the credential like this ({hint}), can you set up the client with it?\n"
    "<<v>>",
    "```\n{env}_ENCODED=<<v>>\n```\nWhy does the app fail to start with this config?",
    "Store this in the config file for me (it's {hint}): <<v>>",
    "Use the key below to call the API and show me the response.\n\n<<v>>",
]
FRAMES_PII = [
    "The customer's {label} ({hint}): <<v>>. Is it valid?",
    "Please put this {label} into the refund form: <<v>>",
    "{label}: <<v>>\nCan you check the format?",
    "Decode the {label} in this ticket and tell me which bank or country it belongs to: <<v>>",
]


def _frame(rng: random.Random, secret: bool, technique: str, label: str, encoded: str,
           type_: str, kind: str, value: str) -> Doc:
    frame = rng.choice(FRAMES_SECRET if secret else FRAMES_PII)
    hint = HINTS[technique] or "as the portal shows it"
    frame = frame.replace("{hint}", hint).replace("{env}", label.split()[0].upper()
                                                  ).replace("{label}", label)
    pre, post = frame.split("<<v>>")
    doc = Doc().add(pre)
    if technique == "vertical":
        doc.add("\n")
    return doc.val(type_, kind, encoded, value).add(post)


def _split(rng: random.Random, value: str) -> tuple[str, str]:
    cut = rng.randint(max(1, len(value) // 3), max(2, 2 * len(value) // 3))
    return value[:cut], value[cut:]


def evasion_item(item_id: str, rng: random.Random, technique: str, secret: bool,
                 api: str) -> Item:
    type_, kind, value, label = target(rng, secret, technique)
    if technique in ENCODERS:
        encoded = ENCODERS[technique](rng, value)
        doc = _frame(rng, secret, technique, label, encoded, type_, kind, value)
        return assemble(item_id, "evasion", technique, [("user", doc)], api)
    a, b = _split(rng, value)
    what = "token" if secret else label
    if technique == "split-system-user":
        first = ("system", f"You are the deployment assistant for the payments team. The "
                           f"{what} starts with ", a, "")
        second = ("user", "and it ends with ", b, f" — put the complete {what} into the "
                                                  "config snippet.")
    elif technique == "split-user-messages":
        first = ("user", f"I'll send the {what} in two parts. Part one: ", a, "")
        second = ("user", "Part two: ", b, ". Now join them and use the result.")
    else:
        first = ("tool", "read_file(\"notes.txt\") -> first half: ", a, "")
        second = ("user", "The rest is ", b, ". Combine it with what the tool returned.")
    docs = [(role, Doc().add(pre + part + post)) for role, pre, part, post in (first, second)]
    if technique == "split-user-messages" and rng.random() < 0.5:
        docs.insert(1, ("assistant", Doc().add("Got it. Please send the second part.")))
    spans = (Span(0, len(first[1]), len(first[1]) + len(a)),
             Span(len(docs) - 1, len(second[1]), len(second[1]) + len(b)))
    planted = Planted(type_, kind, value, spans)
    return assemble(item_id, "evasion", technique, docs, api, extra=(planted,))
