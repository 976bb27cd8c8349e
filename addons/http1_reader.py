"""Compatibility patch: an HTTP/1 request body mitmproxy cannot read gets a 400, not a hang.

mitmproxy 12's ``Http1Connection.read_body`` has two ways to give up on a body:

- trailer fields after a chunked body (mitmproxy/mitmproxy#2474, open since 2017): it
  raises ``NotImplementedError("HTTP trailers are not implemented yet.")``. That ends in
  the proxy server's "mitmproxy has crashed!" handler, the connection is left open and
  the client waits until ``tcp_timeout`` (10 minutes); the request never reaches an
  addon, so it is not audited either.
- broken framing (an invalid chunk size, a client that stops mid-body): it closes the
  connection without a word.

No hook runs while a body is read, so this module wraps that one method. A request
with trailers gets a 400 and the flow fails with ``REQUEST_TRAILERS``; a request whose
body cannot be read gets a 400 before mitmproxy closes the connection. The ``error``
hook then writes the audit line (``http_guard``). A response with trailers from the
upstream becomes a protocol error, as for any response mitmproxy cannot read (502, or a
closed connection once the answer has started).

Refusing trailers is sturdier than parsing them: passing them on would also need
mitmproxy's HTTP/1 writer to emit them, and no AI API or browser sends request
trailers. ``install()`` checks the mitmproxy version and the shape of the code it wraps
and raises if either changed, so an upgrade cannot silently drop (or double) this fix.
"""

from __future__ import annotations

from mitmproxy import version
from mitmproxy.proxy import commands
from mitmproxy.proxy.layers.http import _http1
from mitmproxy.proxy.layers.http._base import ReceiveHttp

# flow.error.msg of a refused request (our text, so the error hook can recognise it)
REQUEST_TRAILERS = "aipolicy: HTTP/1 request trailer fields are refused"
RESPONSE_TRAILERS = "aipolicy: HTTP/1 response trailer fields cannot be read"
_TRAILERS_TEXT = ("This proxy does not accept HTTP/1.1 requests that end with trailer fields; "
                  "the request was not forwarded. Send the fields as headers instead.")
_UNREADABLE_TEXT = ("This proxy could not read the request body (its HTTP/1.1 framing is "
                    "broken or incomplete); the request was not forwarded.")
_MITMPROXY_MESSAGE = "HTTP trailers are not implemented yet."  # what read_body raises
_SUPPORTED_MAJOR = "12"
_MARK = "_aipolicy_http1_reader_patch"


class IncompatibleMitmproxy(RuntimeError):
    """The mitmproxy in use is not the one this patch was written for."""


def shape_problems() -> list[str]:
    """What differs from the mitmproxy code this patch was written for (empty: all fits)."""
    problems = []
    if version.VERSION.split(".")[0] != _SUPPORTED_MAJOR:
        problems.append(f"written for mitmproxy {_SUPPORTED_MAJOR}.x")
    read_body = getattr(_http1.Http1Connection, "read_body", None)
    code = getattr(getattr(read_body, "__wrapped__", read_body), "__code__", None)
    if code is None or _MITMPROXY_MESSAGE not in code.co_consts \
            or "NotImplementedError" not in code.co_names:
        problems.append("Http1Connection.read_body no longer raises NotImplementedError "
                        "for trailers")
    if code is not None and not {"ProtocolError", "CloseConnection"} <= set(code.co_names):
        problems.append("Http1Connection.read_body no longer closes on h11.ProtocolError")
    for name in ("Http1Server", "Http1Client", "make_error_response"):
        if not hasattr(_http1, name):
            problems.append(f"mitmproxy.proxy.layers.http._http1.{name} is missing")
    for cls in (getattr(_http1, "Http1Server", None), getattr(_http1, "Http1Client", None)):
        if cls is not None and not (all(hasattr(cls, a) for a in
                                        ("ReceiveProtocolError", "done", "stream_id", "response"))
                                    and hasattr(cls.ReceiveProtocolError, "code")):
            problems.append(f"{cls.__name__} lacks ReceiveProtocolError(.code)/done/stream_id/"
                            "response")
    return problems


def install() -> None:
    """Wrap ``Http1Connection.read_body`` once per process; raise if mitmproxy changed."""
    current = _http1.Http1Connection.read_body
    if getattr(current, _MARK, False):
        return
    problems = shape_problems()
    if problems:
        raise IncompatibleMitmproxy(
            f"aipolicy: mitmproxy {version.VERSION} does not match the HTTP/1 reader patch "
            f"in {__file__}: {'; '.join(problems)}. Review the patch before running this "
            "mitmproxy version.")
    original = current

    def read_body(self, event):
        steps = original(self, event)
        refused = False
        try:
            command = next(steps)
            while True:
                if _unreadable_request(self, command):
                    refused = True
                    yield commands.SendData(self.conn,
                                            _http1.make_error_response(400, _UNREADABLE_TEXT))
                reply = yield command
                command = steps.send(reply)
        except StopIteration as stop:
            if refused:  # as mitmproxy does after a bad request head: read nothing more
                self.state = self.done
            return stop.value
        except NotImplementedError:  # the only one read_body raises: trailers
            yield from _refuse_trailers(self)

    read_body.__wrapped__ = original  # type: ignore[attr-defined]
    read_body.__doc__ = original.__doc__
    setattr(read_body, _MARK, True)
    _http1.Http1Connection.read_body = read_body


def _unreadable_request(conn: _http1.Http1Connection, command: commands.Command) -> bool:
    """While reading a request body, mitmproxy closes the client connection only when it
    cannot read the body; no answer has started then (its HTTP/1 server answers after
    the request). A pipelined request read next has left this state (and answers itself)."""
    return (isinstance(conn, _http1.Http1Server) and conn.state == conn.read_body
            and conn.response is None and isinstance(command, commands.CloseConnection)
            and command.connection is conn.conn)


def _refuse_trailers(conn: _http1.Http1Connection):
    if isinstance(conn, _http1.Http1Server):
        yield commands.SendData(conn.conn, _http1.make_error_response(400, _TRAILERS_TEXT))
        message = REQUEST_TRAILERS
    else:
        message = RESPONSE_TRAILERS
    yield commands.CloseConnection(conn.conn)
    yield ReceiveHttp(conn.ReceiveProtocolError(conn.stream_id, message,
                                                code=conn.ReceiveProtocolError.code))
    conn.state = conn.done
