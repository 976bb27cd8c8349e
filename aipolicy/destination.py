"""Where a request goes, decided once from every name the client gave for it.

A client names the destination up to four times: the CONNECT target (or a transparent
destination, or an absolute-form URL's host), the TLS server name (SNI), the ``Host``
header and the HTTP/2 ``:authority`` or absolute-form authority inside a tunnel. The
proxy connects to the first, the upstream's TLS identity is the second, and the
upstream routes by the last ones — so a check of any single name can be bypassed by
writing another. Here each name is read by ``parse_host`` and classified against the
catalog (with the request path: some entries are host+path), and the request belongs
to the *strictest* app any name names (judged by the access decision, banned first).

Names that disagree are a verdict of their own. An IP address or an absent name is no
name, not a conflicting one (clients that CONNECT to an address still send SNI and
Host). Two names of different apps, or an AI name beside a non-AI one, is how domain
fronting hides a service, and how a browser coalesces two sites on one HTTP/2
connection: the request is refused with ``421 Misdirected Request`` (RFC 9110
§15.5.20), on which browsers retry on a fresh connection whose names agree, and a
bypass gets nowhere. A name that is not a host name at all is refused with 400. When
the strictest app is blocked anyway, its own block notice is the answer.

``scope`` decides, at the TLS handshake, which connections are decrypted at all: AI
hosts; identity providers' sign-in hosts that get tenant headers (only when the ruleset
asks for them); configured front hosts; connections that give no name to check (no SNI, or an
explicit CONNECT to an IP address; configurable); or every one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from .catalog import Catalog
from .destination_config import DecryptScope, DestinationSettings, Unnamed
from .hostnames import Host, HostKind, parse_host
from .model import ACTION_STRENGTH, Action, App, Decision, DestinationNames, Status

MISMATCH_RULE = "destination-mismatch"
UNREADABLE_RULE = "destination-unreadable"

_STATUS_RANK = {Status.SANCTIONED: 0, Status.TOLERATED: 1, Status.UNSANCTIONED: 2,
                Status.BANNED: 3, None: -1}


class Scope(StrEnum):
    """Why a TLS connection is decrypted (or that it is not)."""

    AI = "ai"  # its SNI or CONNECT target is an AI host
    SIGN_IN = "sign-in"  # an identity provider's host that gets tenant headers
    FRONT = "front"  # it names a configured front host: decrypted to check for fronting
    NO_SNI = "no-sni"  # no server name: decrypted to classify each request by its Host
    IP_CONNECT = "ip-connect"  # an explicit CONNECT to an IP address: likewise
    ALL = "all"  # decrypt: all
    TUNNEL = "tunnel"  # passed through unseen


@dataclass(frozen=True)
class ConnectionScope:
    scope: Scope
    server_name: bool  # the client sent a server name (not absent, an address or garbage)

    @property
    def decrypt(self) -> bool:
        return self.scope is not Scope.TUNNEL


class Disagreement(StrEnum):
    DIFFERENT_APPS = "different-apps"  # two names, two AI apps
    NON_AI_NAME = "non-ai-name"  # an AI name beside a host that is no AI app
    UNREADABLE = "unreadable-name"  # a name that is not a host name


@dataclass(frozen=True)
class Refusal:
    """A fixed answer for requests whose names do not let the policy decide."""

    rule_id: str
    reason: str  # fixed text for notices; never a name the client sent
    status: int  # HTTP status of the notice


REFUSALS = {
    Disagreement.DIFFERENT_APPS: Refusal(
        MISMATCH_RULE,
        "The connection and the request name different AI services (the server name, "
        "the Host header or the URL disagree), which is how one service is hidden behind "
        "another. Open the service directly, with one name.", 421),
    Disagreement.NON_AI_NAME: Refusal(
        MISMATCH_RULE,
        "The request names an AI service and another host at once (the server name, the "
        "Host header or the URL disagree). The proxy does not forward requests whose "
        "destination is ambiguous. Open the site directly, with one name.", 421),
    Disagreement.UNREADABLE: Refusal(
        UNREADABLE_RULE,
        "The request names its destination in a form that is not a host name (in the "
        "Host header, the URL or the server name), so the policy cannot tell where it "
        "would go. It was not forwarded.", 400),
}


@dataclass(frozen=True)
class Destination:
    """The classification of one request."""

    app: App | None  # the strictest app any name names; None: no AI app
    host: str | None = None  # the normalised name that app was recognised by
    disagreement: Disagreement | None = None  # recorded even when the policy lets it pass
    refusal: Refusal | None = None  # answer with this instead of the app's rules
    scope: Scope | None = None  # how the TLS connection was treated; None for plain HTTP


class DestinationClassifier:
    """Built once per ruleset: the catalog and the ``destinations`` settings."""

    def __init__(self, catalog: Catalog, settings: DestinationSettings,
                 sign_in_hosts: frozenset[str] = frozenset()) -> None:
        """``sign_in_hosts``: exact host names decrypted so that their requests get tenant
        restriction headers (``aipolicy.tenants``); they are no AI apps."""
        self._catalog = catalog
        self._settings = settings
        self._fronts = frozenset(settings.fronts)
        self._sign_in = sign_in_hosts

    def scope(self, sni: str | None, destination: str | None,
              explicit: bool = True) -> ConnectionScope:
        """Whether a TLS connection with this SNI and CONNECT target is decrypted.

        ``explicit``: the client named the destination (an explicit proxy's CONNECT); in
        transparent mode the destination is the address the network saw."""
        return self._scope(parse_host(sni), parse_host(destination), explicit)

    def _scope(self, sni: Host | None, destination: Host | None,
               explicit: bool) -> ConnectionScope:
        named = sni is not None and sni.kind is HostKind.NAME
        names = [h.name for h in (sni, destination) if h and h.kind is HostKind.NAME]
        if any(self._catalog.intercepts_name(name) for name in names):
            return ConnectionScope(Scope.AI, named)
        if any(name in self._sign_in for name in names):
            return ConnectionScope(Scope.SIGN_IN, named)
        if any(self._is_front(name) for name in names):
            return ConnectionScope(Scope.FRONT, named)
        if not named and self._decrypts(self._settings.no_sni, destination):
            return ConnectionScope(Scope.NO_SNI, named)
        # A client that CONNECTs to an address hides the name from the proxy, and the
        # server name it sends is its own word: a server that ignores SNI answers anyway.
        if (named and explicit and destination is not None
                and destination.kind is HostKind.ADDRESS
                and self._decrypts(self._settings.ip_connect, destination)):
            return ConnectionScope(Scope.IP_CONNECT, named)
        if self._settings.decrypt is DecryptScope.ALL:
            return ConnectionScope(Scope.ALL, named)
        return ConnectionScope(Scope.TUNNEL, named)

    def classify(self, names: DestinationNames, path: str,
                 judge: Callable[[App], Decision]) -> Destination:
        """``judge`` gives the access decision for an app: the strictest app wins."""
        sni, destination = parse_host(names.sni), parse_host(names.destination)
        scope = self._scope(sni, destination, names.explicit).scope if names.tls else None
        named: list[tuple[str, App | None]] = []
        unreadable = False
        for host in (*_hosts(names.hosts), sni, destination):
            if host is None or host.kind is HostKind.ADDRESS:
                continue
            if host.kind is HostKind.UNREADABLE:
                unreadable = True
            else:
                named.append((host.name, self._catalog.match_name(host.name, path)))
        by_id: dict[str, App] = {}
        for _, found in named:
            if found is not None:
                by_id.setdefault(found.id, found)  # each app once, in the names' order
        apps = list(by_id.values())
        if not apps:
            if unreadable:
                return Destination(None, None, Disagreement.UNREADABLE,
                                   REFUSALS[Disagreement.UNREADABLE], scope)
            return Destination(None, scope=scope)
        if len(apps) > 1:
            kind = Disagreement.DIFFERENT_APPS
        elif any(app is None for _, app in named):
            kind = Disagreement.NON_AI_NAME
        elif unreadable:
            kind = Disagreement.UNREADABLE
        else:
            app = apps[0]
            return Destination(app, _name_of(named, app), scope=scope)
        decisions = {app.id: judge(app) for app in apps}
        app = max(apps, key=lambda a: _strictness(decisions[a.id]))  # first of equals
        refusal = None
        if decisions[app.id].enforced_action is not Action.BLOCK and (
                kind is Disagreement.UNREADABLE or self._settings.mismatch is Action.BLOCK):
            refusal = REFUSALS[kind]
        return Destination(app, _name_of(named, app), kind, refusal, scope)

    def _is_front(self, name: str) -> bool:
        labels = name.split(".")
        return any(".".join(labels[i:]) in self._fronts for i in range(len(labels)))

    @staticmethod
    def _decrypts(policy: Unnamed, destination: Host | None) -> bool:
        if policy is Unnamed.PUBLIC:
            # A name or an unreadable target could be anywhere: only addresses known to
            # stay inside (private, loopback, link-local) are left alone.
            return (destination is None or destination.kind is not HostKind.ADDRESS
                    or destination.is_public_address)
        return policy is Unnamed.DECRYPT


def _hosts(values: Iterable[str | None]) -> Iterable[Host]:
    for value in values:
        host = parse_host(value)
        if host is not None:
            yield host


def _name_of(named: list[tuple[str, App | None]], app: App) -> str:
    """The first name (Host before SNI before CONNECT target) that named ``app``."""
    return next(name for name, found in named if found is app)


def _strictness(decision: Decision) -> tuple[int, int, int]:
    return (ACTION_STRENGTH[decision.enforced_action], ACTION_STRENGTH[decision.action],
            _STATUS_RANK[decision.status])
