"""The ruleset's ``incidents`` section: where incidents are delivered, how many may wait,
and when repeated incidents escalate to a block of the person.

Parsed and validated here with file, line and field for every problem. Secrets never
sit in the YAML: a webhook's signing secret (and, for Slack, its URL) come from an
environment variable or a file; files are read through the ruleset's ``Sources`` like
every other file a ruleset names, so an edit is validated and reloaded with the rest.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..model import Action
from ..schema import Checker
from ..sources import Sources, absolute
from ..yamlsrc import LineDict, Src
from .model import Severity

SEVERITIES = tuple(s.label for s in Severity)
FACILITIES = {"kern": 0, "user": 1, "daemon": 3, "auth": 4, "syslog": 5, "authpriv": 10,
              **{f"local{i}": 16 + i for i in range(8)}}
TRANSPORTS = ("udp", "tcp", "tls")
DEFAULT_QUEUE_LIMIT = 10_000


# ----------------------------------------------------------------------------- sinks
@dataclass(frozen=True)
class WebhookConfig:
    id: str
    url: str
    secret: bytes = b""
    min_severity: Severity = Severity.LOW
    timeout: float = 5.0
    ca_pem: str | None = None  # trust these CAs instead of the system's

    def __repr__(self) -> str:  # never the secret, nor a URL that may be one (Slack)
        return f"WebhookConfig({self.id!r}, min_severity={self.min_severity.label})"


@dataclass(frozen=True)
class SyslogConfig:
    id: str
    host: str
    port: int
    transport: str = "udp"  # udp | tcp | tls
    facility: str = "local4"
    min_severity: Severity = Severity.LOW
    ca_pem: str | None = None  # tls: trust these CAs instead of the system's
    app_name: str = "aipolicy"
    timeout: float = 5.0


SinkConfig = WebhookConfig | SyslogConfig


# ----------------------------------------------------------------------------- escalation
@dataclass(frozen=True)
class Threshold:
    """``count`` incidents of ``severity`` or higher by one person within ``window``
    seconds block that person from every AI app for ``block_for`` seconds (None: until
    ``aipolicy release``)."""

    id: str
    severity: Severity
    count: int
    window: float
    block_for: float | None
    incident: Severity  # the severity of the escalation's own incident

    @property
    def counter(self) -> str:
        """The state store namespace of this threshold's event counts."""
        return f"incidents:{self.id}"


@dataclass(frozen=True)
class EscalationSettings:
    thresholds: tuple[Threshold, ...]
    contact: str | None = None  # whom the notice names; None: the policy's contact
    # When the store cannot be read: block every AI request of people not known to this
    # proxy as not escalated (fail closed), or let them through (logged and counted).
    on_store_error: Action = Action.BLOCK
    cache_seconds: float = 2.0  # how long this proxy trusts what it read for one person


@dataclass(frozen=True)
class IncidentSettings:
    sinks: tuple[SinkConfig, ...] = ()
    queue_limit: int = DEFAULT_QUEUE_LIMIT  # waiting deliveries per sink
    escalation: EscalationSettings | None = None


# ----------------------------------------------------------------------------- parsing
def parse_severity(check: Checker, value: Any, src: Src) -> Severity | None:
    label = check.choice(value, src, SEVERITIES)
    return Severity.parse(label) if label else None


def parse_incidents(check: Checker, value: Any, src: Src, base: Path,
                    sources: Sources) -> IncidentSettings | None:
    m = check.mapping(value, src, optional=("sinks", "queue_limit", "escalation"))
    if m is None:
        return None
    queue_limit = DEFAULT_QUEUE_LIMIT
    if "queue_limit" in m:
        v = check.number(m["queue_limit"], src.key(m, "queue_limit"), minimum=1,
                         maximum=10_000_000, integer=True)
        queue_limit = int(v) if v is not None else queue_limit
    sinks: list[SinkConfig] = []
    seen: set[str] = set()
    if "sinks" in m:
        ssrc = src.key(m, "sinks")
        for i, item in enumerate(check.sequence(m["sinks"], ssrc) or []):
            isrc = ssrc.item(m["sinks"], i)
            sink = _sink(check, item, isrc, base, sources)
            if sink is None:
                continue
            if sink.id in seen:
                check.fail(isrc, f"duplicate sink id {sink.id!r}")
            seen.add(sink.id)
            sinks.append(sink)
    escalation = None
    if "escalation" in m:
        escalation = _escalation(check, m["escalation"], src.key(m, "escalation"))
    return IncidentSettings(tuple(sinks), queue_limit, escalation)


_COMMON = ("id", "type", "min_severity", "ca_file", "timeout_seconds")
_WEBHOOK = ("url", "url_env", "secret_env", "secret_file")
_SYSLOG = ("host", "port", "transport", "facility", "app_name")


def _sink(check: Checker, value: Any, src: Src, base: Path,
          sources: Sources) -> SinkConfig | None:
    if not isinstance(value, dict) or value.get("type") not in ("webhook", "syslog"):
        m = check.mapping(value, src, required=("id", "type"),
                          optional=_COMMON + _WEBHOOK + _SYSLOG)
        if m is not None and "type" in m:
            check.choice(m["type"], src.key(m, "type"), ("webhook", "syslog"))
        return None
    webhook = value["type"] == "webhook"
    m = check.mapping(value, src, required=("id", "type"),
                      optional=_COMMON + (_WEBHOOK if webhook else _SYSLOG))
    if m is None:
        return None
    sink_id = check.identifier(m["id"], src.key(m, "id")) if "id" in m else None
    min_severity = Severity.LOW
    if "min_severity" in m:
        min_severity = parse_severity(check, m["min_severity"],
                                      src.key(m, "min_severity")) or min_severity
    timeout = 5.0
    if "timeout_seconds" in m:
        v = check.number(m["timeout_seconds"], src.key(m, "timeout_seconds"), minimum=0.1,
                         maximum=120)
        timeout = float(v) if v is not None else timeout
    ca_pem = None
    if "ca_file" in m and (webhook or m.get("transport") == "tls"):
        ca_pem = _ca(check, m, src, base, sources)
    elif "ca_file" in m:
        check.fail(src.key(m, "ca_file"), "only a tls transport uses a CA file")
    if webhook:
        url = _webhook_url(check, m, src)
        secret = _secret(check, m, src, base, sources)
        if sink_id is None or url is None or secret is None:
            return None
        return WebhookConfig(sink_id, url, secret, min_severity, timeout, ca_pem)
    host = check.string(m["host"], src.key(m, "host")) if "host" in m else None
    if "host" not in m:
        check.fail(src.key(m, "host"), "is required")
    transport = "udp"
    if "transport" in m:
        transport = check.choice(m["transport"], src.key(m, "transport"), TRANSPORTS) or "udp"
    port = 6514 if transport == "tls" else 514
    if "port" in m:
        v = check.number(m["port"], src.key(m, "port"), minimum=1, maximum=65535,
                         integer=True)
        port = int(v) if v is not None else port
    facility = "local4"
    if "facility" in m:
        facility = check.choice(m["facility"], src.key(m, "facility"),
                                tuple(FACILITIES)) or facility
    app_name = "aipolicy"
    if "app_name" in m:
        app_name = check.string(m["app_name"], src.key(m, "app_name")) or app_name
    if sink_id is None or host is None:
        return None
    return SyslogConfig(sink_id, host, port, transport, facility, min_severity, ca_pem,
                        app_name, timeout)


def _webhook_url(check: Checker, m: LineDict, src: Src) -> str | None:
    if ("url" in m) == ("url_env" in m):
        check.fail(src, "a webhook needs exactly one of url or url_env (for a URL that is "
                        "itself a secret, such as a Slack incoming webhook)")
        return None
    if "url" in m:
        where = src.key(m, "url")
        url = check.string(m["url"], where)
    else:
        where = src.key(m, "url_env")
        url = _from_env(check, m["url_env"], where)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # never repeat the value: from url_env it may be a secret
        check.fail(where, "is not an http(s) URL with a host")
        return None
    return url


def _secret(check: Checker, m: LineDict, src: Src, base: Path,
            sources: Sources) -> bytes | None:
    if ("secret_env" in m) == ("secret_file" in m):
        check.fail(src, "a webhook needs exactly one of secret_env or secret_file (the "
                        "HMAC signing secret; never written in the ruleset)")
        return None
    if "secret_env" in m:
        text = _from_env(check, m["secret_env"], src.key(m, "secret_env"))
        where = src.key(m, "secret_env")
    else:
        where = src.key(m, "secret_file")
        path = _file(check, m["secret_file"], where, base, sources)
        text = None
        if path is not None:
            try:
                text = sources.read_text(path).strip()
            except (OSError, UnicodeDecodeError):
                check.fail(where, "cannot read the secret file as UTF-8 text")
    if text is None:
        return None
    if len(text) < 16:
        check.fail(where, "the signing secret must be at least 16 characters long")
        return None
    return text.encode()


def _from_env(check: Checker, value: Any, src: Src) -> str | None:
    name = check.string(value, src)
    if name is None:
        return None
    text = os.environ.get(name, "").strip()
    if not text:
        check.fail(src, f"environment variable {name} is not set or empty")
        return None
    return text


def _file(check: Checker, value: Any, src: Src, base: Path, sources: Sources) -> Path | None:
    name = check.string(value, src)
    if name is None:
        return None
    path = Path(absolute(base / name))
    if not sources.include(path):
        check.fail(src, f"file {name!r} not found (relative to {base})")
        return None
    return path


def _ca(check: Checker, m: LineDict, src: Src, base: Path, sources: Sources) -> str | None:
    where = src.key(m, "ca_file")
    path = _file(check, m["ca_file"], where, base, sources)
    if path is None:
        return None
    try:
        pem = sources.read_text(path)
        ssl.create_default_context(cadata=pem)
    except (OSError, UnicodeDecodeError, ssl.SSLError, ValueError):
        check.fail(where, f"{path.name} holds no readable PEM CA certificate")
        return None
    return pem


def _escalation(check: Checker, value: Any, src: Src) -> EscalationSettings | None:
    m = check.mapping(value, src, required=("thresholds",),
                      optional=("contact", "on_store_error", "cache_seconds"))
    if m is None:
        return None
    contact = check.string(m["contact"], src.key(m, "contact")) if "contact" in m else None
    on_store_error = Action.BLOCK
    if "on_store_error" in m:
        v = check.choice(m["on_store_error"], src.key(m, "on_store_error"), ("block", "allow"))
        on_store_error = Action(v) if v else on_store_error
    cache_seconds = 2.0
    if "cache_seconds" in m:
        v = check.number(m["cache_seconds"], src.key(m, "cache_seconds"), minimum=0,
                         maximum=60)
        cache_seconds = float(v) if v is not None else cache_seconds
    thresholds = check.unique_items(m, "thresholds", src,
                                    lambda item, isrc: _threshold(check, item, isrc))
    if "thresholds" in m and isinstance(m["thresholds"], list) and not m["thresholds"]:
        check.fail(src.key(m, "thresholds"), "must not be empty")
    return EscalationSettings(tuple(thresholds), contact, on_store_error, cache_seconds)


def _threshold(check: Checker, value: Any, src: Src) -> Threshold | None:
    keys = ("id", "severity", "count", "window", "block_for")
    m = check.mapping(value, src, required=keys, optional=("incident",))
    if m is None or any(k not in m for k in keys):
        return None
    tid = check.identifier(m["id"], src.key(m, "id"))
    severity = parse_severity(check, m["severity"], src.key(m, "severity"))
    count = check.number(m["count"], src.key(m, "count"), minimum=1, maximum=1_000_000,
                         integer=True)
    window = check.duration(m["window"], src.key(m, "window"), minimum=1,
                            maximum=366 * 86400)
    block_for: float | None = None
    if m["block_for"] != "until_release":
        block_for = check.duration(m["block_for"], src.key(m, "block_for"), minimum=1,
                                   maximum=366 * 86400, alternative="until_release")
        if block_for is None:
            return None
    incident = severity
    if "incident" in m:
        incident = parse_severity(check, m["incident"], src.key(m, "incident"))
    if tid is None or severity is None or count is None or window is None or incident is None:
        return None
    return Threshold(tid, severity, int(count), window, block_for, incident)
