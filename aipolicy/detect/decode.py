"""Decoders: encoded runs in a text turned back into what they encode.

Each works on runs a cheap trigger pass found (``views.Triggers``) and returns the
changes ``(start, end, decoded)`` it would make, or a view:

* exact (each escape stands for its own characters; a finding is redacted on the
  encoded run): percent-encoding (``%41``), JSON/C escapes (``\\u0041``, ``\\x41``),
  HTML entities (``&#65;``, ``&commat;``);
* inexact (the run stands for the value but is not it: block, never redact): base64
  (standard and URL-safe) and hex blobs, decoded only when the result is text (UTF-8,
  printable, with letters or digits: images, hashes and keys stay undecoded); reversed
  and ROT13 lines, read next to the line as written (its labels).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
from collections.abc import Iterable

from .pii_validators import iban_checksum_ok, luhn_ok
from .textmap import ALIGNED, MIRROR, Builder, View

PERCENT, ESCAPE, ENTITY = "percent", "escape", "entity"
BASE64, HEX, REVERSED, ROT13 = "base64", "hex", "reversed", "rot13"
ROT18, ROT47 = "rot18", "rot47"

_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_ESCAPE_RUN = re.compile(r"(?:\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}|\\x[0-9A-Fa-f]{2})+")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|x([0-9A-Fa-f]{2}))")
_ENTITY = re.compile(
    r"(?:&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)+")
_HEX_CHARS = frozenset("0123456789abcdefABCDEF")
_HEX_SEPARATORS = re.compile(r"0[xX]|[\s:,]")
_WHITESPACE_OK = str.maketrans("", "", "\t\n\r")
# Bytes text can hold (printable ASCII, tab, line breaks, UTF-8 sequences): a decoded
# probe with any other byte is binary, refused without decoding it as UTF-8.
_TEXT_BYTES = bytes([9, 10, 13, *range(0x20, 0x7F), *range(0x80, 0x100)])
_WORD = re.compile(r"[^\W_]")
_PROBE = 64  # characters of a blob decoded first, to refuse binary cheaply
_LINE_REACH = 300  # characters of a very long line read around a reversed/rotated word
_LABEL_REACH = 40  # characters before a number looked at for a label
_TOKEN_REACH = 64  # characters a value is stretched by to whole tokens
_CARD_FIRST = "23456"  # first digits of card numbers (Mastercard 2-series to Discover)
_IBAN_REACH = 42  # an IBAN of 34 characters in groups of four


def _visible(text: str) -> bool:
    """Printable text or whitespace (no control characters: ``%02x`` in a format string
    is not an escape)."""
    return bool(text) and text.translate(_WHITESPACE_OK).isprintable()


def _utf8(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


# ------------------------------------------------------------------ exact: escapes
def percent(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _PERCENT_RUN.finditer(text):
        decoded = _utf8(bytes.fromhex(m.group().replace("%", "")))
        if decoded is not None and _visible(decoded):
            out.append((m.start(), m.end(), decoded))
    return out


def escapes(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _ESCAPE_RUN.finditer(text):
        decoded = _unescape(m.group())
        if decoded is not None and _visible(decoded):
            out.append((m.start(), m.end(), decoded))
    return out


def _unescape(run: str) -> str | None:
    """A run of ``\\u``, ``\\U`` and ``\\x`` escapes: UTF-16 code units (surrogate pairs
    joined), code points, and bytes (UTF-8, else Latin-1)."""
    parts: list[str] = []
    units: list[int] = []
    raw = bytearray()

    def flush() -> None:
        if units:
            data = b"".join(u.to_bytes(2, "little") for u in units)
            parts.append(data.decode("utf-16-le", "replace"))
            units.clear()
        if raw:
            parts.append(_utf8(bytes(raw)) or bytes(raw).decode("latin-1"))
            raw.clear()

    for m in _ESCAPE.finditer(run):
        u, big, x = m.groups()
        if u is not None:
            if raw:
                flush()
            units.append(int(u, 16))
        elif x is not None:
            if units:
                flush()
            raw.append(int(x, 16))
        else:
            flush()
            cp = int(big, 16)
            if cp > 0x10FFFF:
                return None
            parts.append(chr(cp))
    flush()
    return "".join(parts)


def entities(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _ENTITY.finditer(text):
        decoded = html.unescape(m.group())
        if decoded != m.group() and _visible(decoded):
            out.append((m.start(), m.end(), decoded))
    return out


# ------------------------------------------------------------------ inexact: blobs
class BlobDecoder:
    """Base64 and hex runs that decode to text."""

    def __init__(self, base64_min: int, hex_min: int, min_printable: float) -> None:
        self.base64_min = base64_min
        self.hex_min = hex_min
        self.min_printable = min_printable

    def decode_runs(self, text: str, spans: Iterable[tuple[int, int]]
                    ) -> list[tuple[int, int, str, str]]:
        """``(start, end, decoded, technique)`` for each run that decodes to text."""
        out = []
        for s, e in spans:
            prefix = 2 if text.startswith(("0x", "0X"), s) else 0
            run = "".join(text[s + prefix:e].split())  # base64 wrapped over lines
            if len(run) >= self.hex_min and not len(run) % 2 and _HEX_CHARS.issuperset(run):
                decoded = self._text(lambda r=run: bytes.fromhex(r), len(run) // 2)
                if decoded is not None:
                    out.append((s, e, decoded, HEX))
                continue
            if prefix:
                continue
            body = run.rstrip("=")
            if len(body) < self.base64_min:
                continue
            urlsafe = "-" in body or "_" in body
            if urlsafe and ("+" in body or "/" in body):
                continue
            decoded = self._text(lambda b=body, u=urlsafe: _b64(b, u, None), None,
                                 probe=lambda b=body, u=urlsafe: _b64(b, u, _PROBE))
            if decoded is None:  # written backwards ("==gYy..." ends where it started)
                back = run[::-1]
                if not back.startswith("=") and _ascii_quanta(back):
                    decoded = self._text(lambda b=back, u=urlsafe: _b64(b, u, None), None,
                                         probe=lambda b=back, u=urlsafe: _b64(b, u, _PROBE))
            if decoded is not None:
                out.append((s, e, decoded, BASE64))
        return out

    def decode_hex_bytes(self, text: str, spans: Iterable[tuple[int, int]]
                         ) -> list[tuple[int, int, str, str]]:
        """Hex bytes written with separators (``41 4b``, ``41:4b``, ``0x41,0x4b``)."""
        out = []
        for s, e in spans:
            digits = _HEX_SEPARATORS.sub("", text[s:e])
            if len(digits) < self.hex_min or len(digits) % 2 or not _HEX_CHARS.issuperset(digits):
                continue
            decoded = self._text(lambda d=digits: bytes.fromhex(d), len(digits) // 2)
            if decoded is not None:
                out.append((s, e, decoded, HEX))
        return out

    def _text(self, decode, size: int | None, probe=None) -> str | None:
        """The decoded text, or None when it is not text (binary, or not decodable)."""
        try:
            if probe is not None:
                head = probe()
                if head is None or head.translate(None, _TEXT_BYTES) or \
                        not self._looks_like_text(head, partial=True):
                    return None
            raw = decode()
        except (ValueError, binascii.Error):
            return None
        if raw is None or not self._looks_like_text(raw, partial=False):
            return None
        return raw.decode("utf-8")

    def _looks_like_text(self, raw: bytes, *, partial: bool) -> bool:
        if partial:  # a multi-byte character may be cut at the end of the probe
            text = codecs.getincrementaldecoder("utf-8")("strict").decode(raw, False) \
                if _valid_prefix(raw) else None
        else:
            text = _utf8(raw)
        if not text or not _WORD.search(text):
            return False
        cleaned = text.translate(_WHITESPACE_OK)
        if cleaned.isprintable():
            return True
        sample = cleaned[:4096]
        printable = sum(ch.isprintable() for ch in sample)
        return printable >= self.min_printable * len(sample)


# Base64 of ASCII text: each quantum's first character encodes the top six bits of a
# printable byte (0x20-0x7E): one of these. A run mostly without them is not worth a try.
_TEXT_QUANTUM = frozenset("IJKLMNOPQRSTUVWXYZabcdef")


def _ascii_quanta(run: str) -> bool:
    firsts = run[:_PROBE:4]
    return sum(c in _TEXT_QUANTUM for c in firsts) >= 0.8 * len(firsts)


def _valid_prefix(raw: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(raw, False)
    except UnicodeDecodeError:
        return False
    return True


def _b64(body: str, urlsafe: bool, limit: int | None) -> bytes | None:
    """Decode base64 (``limit``: only the first that many characters, whole quanta)."""
    if limit is not None:
        body = body[:min(len(body), limit) // 4 * 4]
        if not body:
            return None
    else:
        if len(body) % 4 == 1:
            body = body[:-1]
        body += "=" * (-len(body) % 4)
    if urlsafe:
        return base64.urlsafe_b64decode(body)
    return base64.b64decode(body, validate=True)


# ------------------------------------------------------------------ inexact: lines
_ROT13 = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm")


_ROT18 = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm5678901234")
_ROT47 = str.maketrans({c: 33 + (c - 33 + 47) % 94 for c in range(33, 127)})


def rot13(text: str) -> str:
    return text.translate(_ROT13)


def rot18(text: str) -> str:
    """ROT13 on letters and ROT5 on digits."""
    return text.translate(_ROT18)


def rot47(text: str) -> str:
    """Every printable ASCII character but the space rotated by 47."""
    return text.translate(_ROT47)


def reverse(text: str) -> str:
    return text[::-1]


def card_checksums(text: str, cards: Iterable[tuple[int, int]], labels: Iterable[str],
                   transform) -> list[tuple[int, int]]:
    """Where a digit run (``cards``) is a card number (Luhn) once ``transform``ed
    (reversed, ROT5), grouped by separators or bare after one of ``labels``, and does
    not look like one as written."""
    out = []
    labels = tuple(labels)
    for s, e in cards:
        run = text[s:e]
        digits = run.replace(" ", "").replace("-", "")
        if not 13 <= len(digits) <= 19 or not luhn_ok(transform(digits)) or (
                digits[0] in _CARD_FIRST and luhn_ok(digits)):  # a card as written
            continue
        before = text[max(0, s - _LABEL_REACH):s].lower()
        if len(digits) < len(run) or any(word in before for word in labels):
            out.append((s, e))
    return out


def rotated_ibans(text: str, starts: Iterable[int]) -> list[tuple[int, int]]:
    """Where an IBAN-like run (``starts``: two capitals and two digits begin it) is not
    an IBAN as written but is one in ROT13 or ROT18."""
    out = []
    for s in starts:
        e = s
        while e < min(len(text), s + _IBAN_REACH) and (
                text[e] == " " or text[e].isdigit() or "A" <= text[e] <= "Z"):
            e += 1
        while e > s and text[e - 1] == " ":
            e -= 1
        compact = text[s:e].replace(" ", "")
        if not 15 <= len(compact) <= 34 or iban_checksum_ok(compact):
            continue
        for size in range(len(compact), 14, -1):  # the run may go on after it
            if iban_checksum_ok(rot13(compact[:size])) or iban_checksum_ok(
                    rot18(compact[:size])):
                out.append((s, e))
                break
    return out


def reversed_checksums(text: str, cards: Iterable[tuple[int, int]], ibans: Iterable[int],
                       labels: Iterable[str]) -> list[tuple[int, int]]:
    """Where a number is valid read backwards: a card number (Luhn; ``cards``: digit
    runs) grouped by separators, or bare after one of ``labels`` ("card", "visa"); an
    IBAN (mod 97; ``ibans``: where two digits and two capitals end a run)."""
    out = card_checksums(text, cards, labels, reverse)
    for e in ibans:
        s = e
        while s > max(0, e - _IBAN_REACH) and (text[s - 1] == " " or text[s - 1].isdigit()
                                                or "A" <= text[s - 1] <= "Z"):
            s -= 1
        while text[s] == " ":
            s += 1
        compact = text[s:e].replace(" ", "")
        back = compact[::-1]
        for size in range(min(34, len(back)), 14, -1):  # the run may start before it
            cut = back[:size]
            if cut[:2].isalpha() and cut[2:4].isdigit() and iban_checksum_ok(cut):
                out.append((s, e))
                break
    return out


def line_regions(text: str, hits: Iterable[int], following_lines: int = 0
                 ) -> list[tuple[int, int]]:
    """The lines holding each hit offset (cut to a reach around the hit on very long
    lines), plus ``following_lines`` lines after each; merged, in order."""
    regions: list[tuple[int, int]] = []
    size = len(text)
    for hit in sorted(set(hits)):
        a = text.rfind("\n", max(0, hit - _LINE_REACH), hit) + 1 or max(0, hit - _LINE_REACH)
        z = hit
        for _ in range(following_lines + 1):
            nl = text.find("\n", z, min(size, z + _LINE_REACH))
            z = nl + 1 if nl >= 0 else min(size, z + _LINE_REACH)
        z = z - 1 if z > a and text[z - 1] == "\n" else z
        if regions and a <= regions[-1][1]:
            regions[-1] = (regions[-1][0], max(regions[-1][1], z))
        else:
            regions.append((a, z))
    return regions


def line_view(text: str, regions: Iterable[tuple[int, int]], transform, mirrored: bool,
              technique: str, parent: View | None,
              values: Iterable[tuple[int, int]] = ()) -> View | None:
    """Each region as written, then transformed (inexact: a finding there blocks; its
    place is known character for character, so what the text as written already showed
    is not counted twice). Each of ``values`` (a value written that way among plain
    words: "card: 861513764734943") is read with its line as written, then the line up
    to it again with the value transformed, so that its label stays just before it."""
    b = Builder(text)
    n = 0
    for a, z in regions:
        if n:
            b.glue("\n\n", a)
        n += 1
        b.copy(a, z)
        b.glue("\n", z)
        b.change(a, z, transform(text[a:z]), MIRROR if mirrored else ALIGNED)
    for s, e in values:
        a, z = _line(text, s, e)
        if n:
            b.glue("\n\n", a)
        n += 1
        b.copy(a, z)
        b.glue("\n", z)
        b.copy(a, s)
        b.change(s, e, transform(text[s:e]), MIRROR if mirrored else ALIGNED)
    if not b.pieces:
        return None
    return b.build(technique, False, parent)


def whole_tokens(text: str, s: int, e: int) -> tuple[int, int]:
    """``[s, e)`` stretched to whole tokens (to blanks, at most a reach each side), and
    cut to end on a non-blank."""
    a = s
    while a > max(0, s - _TOKEN_REACH) and not text[a - 1].isspace():
        a -= 1
    z = e
    while z < min(len(text), e + _TOKEN_REACH) and not text[z].isspace():
        z += 1
    while z > a + 1 and text[z - 1].isspace():
        z -= 1
    return a, z


def _line(text: str, s: int, e: int) -> tuple[int, int]:
    """The line around ``[s, e)`` (cut to a reach on very long lines)."""
    a = text.rfind("\n", max(0, s - _LINE_REACH), s) + 1 or max(0, s - _LINE_REACH)
    z = text.find("\n", e, min(len(text), e + _LINE_REACH))
    return a, (z if z >= 0 else min(len(text), e + _LINE_REACH))
