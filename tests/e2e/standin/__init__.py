"""A local stand-in for the AI services, for end-to-end tests over real TLS on loopback."""

from .pki import AI_HOSTNAMES, PLAIN_HOSTNAME, IssuedCert, StandinPKI, make_pki
from .server import ConnectionInfo, RecordedRequest, RequestLog, StandIn

__all__ = [
    "AI_HOSTNAMES",
    "PLAIN_HOSTNAME",
    "ConnectionInfo",
    "IssuedCert",
    "RecordedRequest",
    "RequestLog",
    "StandIn",
    "StandinPKI",
    "make_pki",
]
