"""Redaction: replace each finding with a typed, numbered placeholder.

``[EMAIL_ADDRESS_1]`` stands for the same address everywhere it appears in one request
(every segment, every message of the history), so the model can still tell people and
keys apart. Only the text of extracted segments changes; ``Extraction.rewrite`` writes
them back so every other byte of the body stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .model import Finding, Segment

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


@dataclass(frozen=True)
class Redaction:
    texts: Mapping[int, str]  # the new text of every segment with a finding
    replaced: Mapping[str, int]  # placeholder type -> places replaced
    distinct: Mapping[str, int]  # placeholder type -> different values replaced
    labels: Mapping[str, str]  # placeholder type -> what notices call it

    def described(self) -> tuple[tuple[str, int], ...]:
        """(label, different values) per type, for the note people see."""
        return tuple((self.labels[name], n) for name, n in sorted(self.distinct.items()))


def redact(segments: Sequence[Segment], findings: Sequence[Finding]) -> Redaction:
    """Replace every finding in the texts of ``segments``; counts per placeholder type,
    never values. The same value gets the same placeholder in every segment; the caller
    writes the texts back (``Extraction.rewrite``, ``Inspection.rewrite``)."""
    numbers: dict[tuple[str, str], int] = {}  # (type, value) -> n; lives only in this call
    per_type: dict[str, int] = {}
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
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
            labels.setdefault(name, f.label)
        parts.append(text[cursor:])
        new_texts[index] = "".join(parts)
    return Redaction(new_texts, counts, per_type, labels)
