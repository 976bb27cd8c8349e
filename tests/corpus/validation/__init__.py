"""The validation corpus: labelled prompts written independently of the detectors' rules,
to measure detection on data it was never tuned on (issue 11).

Rule authors must not read this package or tune rules to its items; it is the yardstick.
``generate()`` is seeded and deterministic; ``manifest.json`` beside it records the
counts and a hash of the output, and a test fails when the output changes unnoticed
(``python -m tests.corpus.validation --write-manifest`` after an intended change).
"""

from .build import SEED, digest, generate, manifest
from .model import BENIGN, CLASSES, EVASION, PII, PII_TYPES, SECRET, Item, Message, Planted, Span

__all__ = ["BENIGN", "CLASSES", "EVASION", "PII", "PII_TYPES", "SECRET", "SEED", "Item",
           "Message", "Planted", "Span", "digest", "generate", "manifest"]
