"""Redaction: replace each finding with a typed, numbered placeholder.

``[EMAIL_ADDRESS_1]`` stands for the same address everywhere it appears in one request
(every segment, every message of the history), so the model can still tell people and
keys apart. Only the text of extracted segments changes; ``Extraction.rewrite`` writes
them back so every other byte of the body stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .model import Extraction, Finding, Segment

_NON_WORD = re.compile(r"[^A-Z0-9]+")


def placeholder_name(finding: Finding) -> str:
    return _NON_WORD.sub("_", finding.type.upper()).strip("_") or "REDACTED"


def merge_overlaps(findings: Sequence[Finding]) -> list[Finding]:
    """Per segment, keep non-overlapping findings: the longer span wins, then the first."""
    ordered = sorted(findings, key=lambda f: (f.segment, f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for f in ordered:
        if kept and kept[-1].segment == f.segment and f.start < kept[-1].end:
            prev = kept[-1]
            if (f.end - f.start) > (prev.end - prev.start):
                kept[-1] = f
            continue
        kept.append(f)
    return kept


def redact(extraction: Extraction, findings: Sequence[Finding]) -> tuple[bytes, dict[str, int]]:
    """The rewritten body and the number of values replaced per placeholder type."""
    new_texts, counts = redacted_texts(extraction.segments, findings)
    return extraction.rewrite(new_texts), counts


def redacted_texts(segments: Sequence[Segment], findings: Sequence[Finding]
                   ) -> tuple[dict[int, str], dict[str, int]]:
    """The new text of every segment with a finding, and the number of values replaced
    per placeholder type. The same value gets the same placeholder in every segment."""
    numbers: dict[tuple[str, str], int] = {}  # (type, value) -> n; lives only in this call
    per_type: dict[str, int] = {}
    counts: dict[str, int] = {}
    by_segment: dict[int, list[Finding]] = {}
    for f in merge_overlaps(findings):
        by_segment.setdefault(f.segment, []).append(f)
    new_texts: dict[int, str] = {}
    for index in sorted(by_segment):
        text = segments[index].text
        parts: list[str] = []
        cursor = 0
        for f in by_segment[index]:
            name = placeholder_name(f)
            key = (name, text[f.start:f.end])
            if key not in numbers:
                per_type[name] = per_type.get(name, 0) + 1
                numbers[key] = per_type[name]
            parts.append(text[cursor:f.start])
            parts.append(f"[{name}_{numbers[key]}]")
            cursor = f.end
            counts[name] = counts.get(name, 0) + 1
        parts.append(text[cursor:])
        new_texts[index] = "".join(parts)
    return new_texts, counts
