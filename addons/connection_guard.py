"""Per-connection guards, installed through mitmproxy's ``next_layer`` hook.

1. An AI destination carries HTTP only. mitmproxy guesses the protocol inside a tunnel
   from the client's first bytes: with no ALPN, anything that does not look like an
   HTTP request line in the first read (a first write of two bytes, a tab instead of a
   space, a request line longer than one TLS record, any other bytes) becomes a raw TCP
   relay, and whatever follows reaches the service without a request hook, decision or
   audit line. For AI destinations that relay is replaced by mitmproxy's HTTP layer: an
   HTTP request is then read as one however it was split, and anything else is answered
   400 and closed. (Ignored hosts, ``--ignore-hosts``, stay untouched.)
2. A crash never leaves a client waiting. mitmproxy catches an exception raised in its
   protocol layers ("mitmproxy has crashed!"), leaves the connection open and the
   client waits until ``tcp_timeout``. ``CrashGuard`` wraps the layer stack of every
   client connection: on an exception it fails the unfinished HTTP flows (the ``error``
   hook audits the AI ones) and closes the client connection. It logs the exception
   type and place only: mitmproxy's messages can quote request bytes.
"""

from __future__ import annotations

import logging
import traceback

from mitmproxy import flow as mflow
from mitmproxy import http
from mitmproxy.proxy import commands, layer, layers
from mitmproxy.proxy.context import Context
from mitmproxy.proxy.layers.http import HttpErrorHook, HTTPMode

log = logging.getLogger("aipolicy")

PROXY_FAILED = "aipolicy: the proxy failed on this connection"  # flow.error.msg
_PRUNE_AT = 64  # finished flows are forgotten once this many are tracked


class CrashGuard(layer.Layer):
    """Runs a client connection's layer stack; if it raises, fail its flows and close."""

    def __init__(self, context: Context, child: layer.Layer) -> None:
        super().__init__(context)
        context.layers.remove(self)  # not a protocol layer: stack matching must not see it
        self.child = child
        self.flows: dict[str, http.HTTPFlow] = {}
        self.failed = False

    def __repr__(self) -> str:
        return f"CrashGuard({self.child!r})"

    def handle_event(self, event):
        if self.failed:
            return  # the stack is broken; the connection is being closed
        commands_ = self.child.handle_event(event)
        try:
            command = next(commands_)
            while True:
                self._track(command)
                reply = yield command
                command = commands_.send(reply)
        except StopIteration:
            return
        except Exception as exc:
            self.failed = True
            yield from self._fail(exc)

    def _track(self, command: commands.Command) -> None:
        found = getattr(command, "flow", None)
        if isinstance(found, http.HTTPFlow) and found.id not in self.flows:
            if len(self.flows) >= _PRUNE_AT:
                self.flows = {k: f for k, f in self.flows.items() if f.live}
            self.flows[found.id] = found

    def _fail(self, exc: Exception):
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{frame.filename.rsplit('/', 2)[-1]}:{frame.lineno} {frame.name}"
        log.error(f"aipolicy: mitmproxy failed on the connection from "
                  f"{_address(self.context.client.peername)} ({type(exc).__name__} at {where}); "
                  f"the connection is closed")
        for f in self.flows.values():
            if f.live and f.error is None:
                f.error = mflow.Error(PROXY_FAILED)
                f.live = False
                hook = HttpErrorHook(f)
                hook.blocking = self  # handled here: the layers above must not pause for it
                yield hook
        yield commands.CloseConnection(self.context.client)


def _address(peer) -> str:
    return f"{peer[0]}:{peer[1]}" if peer else "?"


class ConnectionGuard:
    def __init__(self, state) -> None:
        self.state = state

    def next_layer(self, nextlayer: layer.NextLayer) -> None:
        # Runs after mitmproxy's own NextLayer addon, which has chosen (or deferred).
        chosen = nextlayer.layer
        if chosen is None:
            return
        context = nextlayer.context
        if (isinstance(chosen, layers.TCPLayer) and chosen.flow is not None
                and self._ai_destination(context)):
            context.layers.remove(chosen)
            chosen = nextlayer.layer = layers.HttpLayer(context, HTTPMode.transparent)
            log.info(f"aipolicy: {_address(context.client.peername)} sent bytes that do not "
                     f"start like HTTP to an AI destination; reading them as HTTP")
        if len(context.layers) > 1 and context.layers[1] is chosen:
            # the first layer under the proxy mode: everything on this connection runs in it
            nextlayer.layer = CrashGuard(context, chosen)

    def _ai_destination(self, context: Context) -> bool:
        pipeline = self.state.pipeline
        if pipeline is None:
            return True  # no ruleset yet: treat everything as AI (fail closed)
        names = [context.client.sni]
        if context.server.address:
            names.append(context.server.address[0])
        return any(name and pipeline.ruleset.catalog.should_intercept(name) for name in names)
