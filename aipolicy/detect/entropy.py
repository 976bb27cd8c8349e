"""Shannon entropy of a string, in bits per character.

Random tokens score high (a 40-character base64 key is around 4.5-5.2), words, repeated
characters and placeholders score low ("xxxxxxxx" is 0, "password" is 2.75). Secret rules
use it as a threshold so that ``api_key = "your-key-here"`` is not reported.
"""

from __future__ import annotations

import math
from collections import Counter


def shannon_entropy(value: str) -> float:
    """Average information per character of ``value`` (0.0 for an empty string)."""
    length = len(value)
    if length == 0:
        return 0.0
    total = 0.0
    for count in Counter(value).values():
        p = count / length
        total -= p * math.log2(p)
    return total
