"""Writes one JSON line per decision on AI traffic (stdout or a file)."""

from __future__ import annotations

import logging

from enforcer import METADATA_KEY, POLICY_KEY, WS_OUTCOME_KEY
from http_guard import FAILURE_KEY
from mitmproxy import ctx, exceptions, http

from aipolicy.audit import AuditWriter, audit_record

log = logging.getLogger("aipolicy")


class AuditLog:
    def __init__(self, state) -> None:
        self.state = state
        self.writer: AuditWriter | None = None
        self._configured = False

    def load(self, loader) -> None:
        loader.add_option(
            "aipolicy_audit_log", str, "-",
            """
            Where the audit trail goes: "-" for stdout, a file path (appended; reopened
            after log rotation), or "off". One JSON line per decision on AI traffic.
            """,
        )

    def configure(self, updated: set[str]) -> None:
        if "aipolicy_audit_log" not in updated:
            return
        target = ctx.options.aipolicy_audit_log
        try:
            writer = None if target == "off" else AuditWriter(target)
        except (OSError, ValueError) as exc:
            raise exceptions.OptionsError(f"aipolicy_audit_log: {exc}") from None
        if self.writer is not None:
            self.writer.close()
        self.writer = writer
        self._configured = True

    def running(self) -> None:
        # Added by the launcher, an option left at its default gets no configure call.
        if not self._configured:
            self.configure({"aipolicy_audit_log"})

    def request(self, flow: http.HTTPFlow) -> None:
        # the policy of the ruleset that decided, not of the one in force now
        outcome, policy = flow.metadata.get(METADATA_KEY), flow.metadata.get(POLICY_KEY)
        if outcome is None or policy is None or self.writer is None:
            return
        self.writer.write(audit_record(outcome, policy))

    def error(self, flow: http.HTTPFlow) -> None:
        """An AI request that failed before any decision (see http_guard.ProtocolGuard)."""
        outcome = flow.metadata.get(FAILURE_KEY)
        pipeline = self.state.pipeline
        if outcome is None or self.writer is None or pipeline is None:
            return
        self.writer.write(audit_record(outcome, pipeline.ruleset.policy))

    def websocket_message(self, flow: http.HTTPFlow) -> None:
        entry = flow.metadata.get(WS_OUTCOME_KEY)
        if (entry is None or self.writer is None or flow.websocket is None
                or entry[0] != flow.websocket.messages[-1].timestamp):
            return
        record = audit_record(entry[1], entry[2])
        record["method"] = "WEBSOCKET"
        self.writer.write(record)

    def done(self) -> None:
        if self.writer is not None:
            self.writer.close()
