"""Gemini web app ``StreamGenerate``: the form field ``f.req`` holds the JSON
``[null, "<inner JSON>"]`` and the prompt is ``inner[0][0]``. The rest of both documents
and the other form fields are swept up by the generic walks."""

from __future__ import annotations

from .. import jsonpos
from ..collect import Collector, Unrecognized
from ..formenc import FormField
from ..layers import form_value
from . import generic


def stream_generate(fields: list[FormField], c: Collector) -> None:
    request = next((f for f in fields if f.name == "f.req"), None)
    if request is None:
        raise Unrecognized
    try:
        outer = c.open_json(c.root, request.start, request.end, request.value, form_value,
                            ("f.req",))
    except jsonpos.JsonError as exc:
        raise Unrecognized from exc
    elements = list(outer.items())
    inner = c.nested_json(elements[1]) if len(elements) > 1 else None
    if inner is None:
        raise Unrecognized
    first = next(inner.items(), None)
    prompt = next(first.items(), None) if first is not None else None
    if prompt is None or not c.text(prompt, "user"):
        raise Unrecognized
    c.residual(inner)
    c.residual(outer)
    generic.form_body([f for f in fields if f is not request], c)
