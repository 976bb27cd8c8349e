"""Is a byte string text, and in which encoding?

Text is recognised by decoding, never by the first bytes alone: a magic number in front
of text (``BM``, ``MZ``, ``%PDF-``) does not make it binary. Every candidate must pass a
control-character check (binary data is full of C0 controls, text has at most a
handful); decodings that random bytes can pass must also look like writing (almost all
characters from the scripts people write in). Tried in order:

1. a byte order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. with few control bytes: UTF-8 (ASCII included), the charset the sender declared,
   then, for text that is mostly bytes above 0x7F (Chinese, Japanese, Korean, Russian
   in a legacy encoding), the encoding ``charset-normalizer`` picks from a 16 KB sample,
   then Windows-1252 (any 8-bit text keeps its ASCII parts readable);
3. UTF-32 and UTF-16 without a BOM, LE and BE. Latin text in UTF-16 has a NUL in every
   other byte, but Chinese or Russian text has none, so each byte order is decoded
   strictly and judged.

Every step is a C-speed decode or count over the data (``charset-normalizer`` only on
its sample), so a megabyte of binary is refused in a few milliseconds. ASCII text is
never taken for UTF-16 ("Bush hid the facts"): 8-bit readings come first.

``charset-normalizer`` alone was measured for this job and not used for the UTF cases:
it does not recognise Chinese UTF-16 without a BOM, and takes 100-190 ms per MB on
Russian UTF-16, UTF-32 or Latin-1 text; on a 16 KB sample it costs 2-20 ms.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer import from_bytes

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Text with more bytes above 0x7F than this is in a legacy non-Latin encoding, or binary.
_HIGH_SHARE = 0.3
_LEGACY_SAMPLE = 16 * 1024
# C0 controls other than tab, line feed, vertical tab, form feed, carriage return and
# escape; DEL. Binary data is full of them, text almost never has any.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_HIGH_BYTES = bytes(range(0x80, 0x100))
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
# Characters decoded UTF-16/32 or a legacy multi-byte encoding should be made of: every
# script block people write in, punctuation, symbols, CJK, Hangul, fullwidth forms. Random
# bytes decoded as UTF-16 land outside these (private use, surrogates, unassigned, rare
# blocks) often enough that a real text and a binary are easy to tell apart.
_WRITTEN = re.compile(
    "[\t\n\r\x0b\x0c\x20-\x7e\xa0-\u052f\u0530-\u058f\u0590-\u05ff\u0600-\u06ff"
    "\u0900-\u0dff\u0e00-\u0eff\u10a0-\u10ff\u1100-\u11ff\u1e00-\u1fff\u2000-\u206f"
    "\u2070-\u218f\u2190-\u23ff\u2460-\u27bf\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff"
    "\u3200-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
    "\uff00-\uffef]+"
)
# How much of a decoded text must be written characters (the rest: emoji, rare scripts).
_WRITTEN_SHARE = 0.95
# Decisions about the whole are made on a sample this large (the whole is still decoded).
_SAMPLE = 64 * 1024


@dataclass(frozen=True)
class DecodedText:
    text: str
    codec: str  # a Python codec name; ``text.encode(codec)`` gives the bytes back
    bom: bytes = b""

    def __repr__(self) -> str:  # never the text
        return f"DecodedText({len(self.text)} chars {self.codec})"


def control_budget(length: int) -> int:
    """How many control characters a text of ``length`` characters may hold: a few
    stray ones (a magic number in front, an EOF mark), not the one in eight of binary."""
    return 4 + length // 200


def control_bytes(data: bytes) -> int:
    """The number of C0 control bytes (and DEL) in ``data``, counted at C speed."""
    return len(data) - len(data.translate(None, _CONTROL_BYTES))


def _few_controls(text: str) -> bool:
    budget = control_budget(len(text))
    return all(count <= budget for count, _ in enumerate(_CONTROL.finditer(text), 1))


def _written_share(text: str) -> float:
    """The share of ``text`` (a sample of it) that is written characters."""
    sample = text[:_SAMPLE]
    if not sample:
        return 1.0
    written = sum(m.end() - m.start() for m in _WRITTEN.finditer(sample))
    share = written / len(sample)
    if _WRITTEN_SHARE / 2 < share < 1.0:
        # Letters and marks of scripts outside the list above still count (Ethiopic,
        # Tibetan, Mongolian...): only look at the rest, character by character.
        rest = _WRITTEN.sub("", sample)
        written += sum(1 for ch in rest if unicodedata.category(ch)[0] in "LMNPSZ"
                       and unicodedata.category(ch) not in ("Co", "Cn", "Cs"))
        share = written / len(sample)
    return share


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _as_text(data: bytes, codec: str, *, judge_script: bool) -> str | None:
    """``data`` decoded with ``codec`` if the result is text. ``judge_script`` for
    decodings that random bytes can pass (UTF-16/32 without BOM, legacy multi-byte)."""
    text = _strict(data, codec)
    if text is None or not _few_controls(text):
        return None
    if judge_script and _written_share(text) < _WRITTEN_SHARE:
        return None
    return text


def _utf32_orders(data: bytes) -> list[str]:
    """Byte orders under which ``data`` can be UTF-32 (code points up to U+10FFFF)."""
    if len(data) % 4 or not data:
        return []
    sample = data[:_SAMPLE - _SAMPLE % 4]
    orders = []
    if not any(sample[3::4]) and max(sample[2::4]) <= 0x10:
        orders.append("utf-32-le")
    if not any(sample[0::4]) and max(sample[1::4]) <= 0x10:
        orders.append("utf-32-be")
    return orders


def _utf16_orders(data: bytes) -> list[str]:
    """Byte orders worth trying for UTF-16 without a BOM, the likelier first: text in one
    script repeats its high byte (00 for Latin, 04 for Cyrillic) at odd (LE) or even (BE)
    offsets."""
    if len(data) % 2 or not data:
        return []
    sample = data[:_SAMPLE]
    odd, even = sample[1::2], sample[0::2]
    top_odd = max(odd.count(b) for b in set(odd[:256]))
    top_even = max(even.count(b) for b in set(even[:256]))
    return ["utf-16-le", "utf-16-be"] if top_odd >= top_even else ["utf-16-be", "utf-16-le"]


def decode_text(data: bytes, declared_charset: str | None = None) -> DecodedText | None:
    """``data`` as text, or None when it is not text in any encoding tried."""
    if not data:
        return DecodedText("", "utf-8")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _as_text(data[len(bom):], codec, judge_script=False)
            if text is not None:
                return DecodedText(text, codec, bom)
    sample = data[:_SAMPLE]
    if control_bytes(sample) <= control_budget(len(sample)):
        found = _eight_bit(data, declared_charset)
        if found is not None:
            return found
    for codec in (*_utf32_orders(data), *_utf16_orders(data)):
        text = _as_text(data, codec, judge_script=True)
        if text is not None:
            return DecodedText(text, codec)
    return None


def _eight_bit(data: bytes, declared_charset: str | None) -> DecodedText | None:
    """UTF-8, the declared charset, a legacy encoding, or Windows-1252."""
    candidates = ["utf-8"]
    if declared_charset and declared_charset != "utf-8":
        candidates.append(declared_charset)
    sample = data[:_LEGACY_SAMPLE]
    if len(sample) - len(sample.translate(None, _HIGH_BYTES)) > _HIGH_SHARE * len(sample):
        legacy = _legacy_codec(sample)
        if legacy is not None:
            candidates.append(legacy)
    candidates.append("cp1252")
    for codec in dict.fromkeys(candidates):
        text = _as_text(data, codec, judge_script=False)
        if text is not None:
            return DecodedText(text, codec)
    return None


def _legacy_codec(sample: bytes) -> str | None:
    """The encoding ``charset-normalizer`` finds for a sample, as a Python codec name. A
    sample cut in the middle of a multi-byte character is found nothing for: the cut is
    moved back by up to three bytes."""
    for cut in range(4 if len(sample) == _LEGACY_SAMPLE else 1):
        best = from_bytes(sample[:len(sample) - cut]).best()
        if best is not None:
            try:
                return codecs.lookup(best.encoding).name
            except LookupError:
                return None
    return None
