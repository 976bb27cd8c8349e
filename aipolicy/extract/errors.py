"""Typed errors of body inspection.

``reason`` is a short fixed text chosen here, never a piece of the body: these errors are
logged and may reach notices.
"""

from __future__ import annotations


class InspectionError(Exception):
    """A request body could not be inspected."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BodyError(InspectionError):
    """The body's Content-Encoding is unknown, corrupt, or decodes past the size limit."""


class ExtractionError(InspectionError):
    """The (decoded) body cannot be parsed, or is larger than the inspection limit."""
