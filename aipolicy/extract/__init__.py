"""User-supplied content of AI request bodies, with exact write-back.

``decode_body`` undoes Content-Encoding (capped, zip-bomb safe); ``extract`` picks a
provider adapter by host/path and returns an ``Extraction``: the segments (prompt texts,
file texts, tool arguments...) and a ``rewrite`` that changes only the bytes of the
segments it is given new texts for.
"""

from .codecs import decode_body
from .errors import BodyError, ExtractionError, InspectionError
from .extractor import BodyInput, extract
from .registry import ROUTES, Route, find_route

__all__ = [
    "ROUTES",
    "BodyError",
    "BodyInput",
    "ExtractionError",
    "InspectionError",
    "Route",
    "decode_body",
    "extract",
    "find_route",
]
