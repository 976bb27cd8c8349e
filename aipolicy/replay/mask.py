"""How a finding is shown: where it is and what kind it is, never any of its characters.

A replay's output is made to be pasted into tickets and chats, so it follows the rule of
notices and the audit log: the finding's type, its place (the segment's description and
character offsets in that segment's text) and its length. Not a first or last
character either: the last digits of an SSN or a card number, the domain of an
e-mail address or the initial of a name are what identifies someone. Whoever holds the
capture finds the value from the place; whoever reads the output learns nothing more.

A segment's description can carry content too: an upload's file name
(``file:<name>``, anywhere in the description) is reduced to its extension, and a key
or header name with an ``@`` (an e-mail address used as a JSON key) to ``?``
(``extract.collect.render_path`` lets such keys through: they look like identifiers).
"""

from __future__ import annotations

import re

from ..model import Finding

_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
# a file name runs to the end of the description, less the labels that follow it
_FILE = re.compile(r"file:(?P<name>.*?)(?P<labels>(?:\.\([a-z ]+\))*)$")
_ADDRESS = re.compile(r"[^\[\].]*(?:\.[^\[\].()]*)*@[^\[\]()]*?(?=\.\(|\[|$)")


def masked(finding: Finding) -> str:
    """``[EMAIL_ADDRESS 17 chars]``."""
    return f"[{finding.type} {finding.end - finding.start} chars]"


def safe_where(where: str) -> str:
    """A segment description without names that may be content:
    ``file:payroll-dana.csv`` -> ``file:*.csv``; a dotted run holding an ``@``
    (``metadata.dana@x.org.(key)`` -> ``?.(key)``: the key's dots cannot be told from
    its parents')."""
    where = _FILE.sub(_file, where, count=1)
    return _ADDRESS.sub("?", where) if "@" in where else where


def _file(m: re.Match[str]) -> str:
    extension = _EXTENSION.search(m["name"])
    return "file:*" + (extension.group(0) if extension else "") + m["labels"]
