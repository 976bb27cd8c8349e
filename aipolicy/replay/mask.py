"""How a finding is shown: where it is and what kind it is, never any of its characters.

A replay's output is made to be pasted into tickets and chats, so it follows the rule of
notices and the audit log: the finding's type, its place (the segment's description and
character offsets in that segment's text) and its length. Not a first or last
character either: the last digits of an SSN or a card number, the domain of an
e-mail address or the initial of a name are what identifies someone. Whoever holds the
capture finds the value from the place; whoever reads the output learns nothing more.

Upload file names are part of a segment's description (``file:<name>``) and are
content too: only their extension is shown.
"""

from __future__ import annotations

import re

from ..model import Finding

_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def masked(finding: Finding) -> str:
    """``[EMAIL_ADDRESS 17 chars]``."""
    return f"[{finding.type} {finding.end - finding.start} chars]"


def safe_where(where: str) -> str:
    """A segment description with an upload's file name reduced to its extension:
    ``file:payroll-dana.csv`` -> ``file:*.csv`` (uploads are described by their file
    name alone, ``extract.collect.file_label``)."""
    if not where.startswith("file:"):
        return where
    extension = _EXTENSION.search(where)
    return "file:*" + (extension.group(0) if extension else "")
