"""Raises the incidents that rules mark, delivers them, and escalates repeated ones.

After the enforcer decided, a request (or WebSocket message) whose outcome carries an
incident mark becomes an ``Incident``: handed to the dispatcher (stored on disk in the
data directory, delivered to the ruleset's sinks in the background: the request never
waits for a receiver) and, when it was enforced, counted towards the ruleset's
escalation thresholds in the state store. Counting is awaited before the answer goes
out, so the person's next request already meets the escalation; it costs one store
round trip, and only on requests that are incidents. An escalation is an incident too,
and its event line goes to the audit log through ``flow.metadata``.

The dispatcher starts at ``running`` (delivering what an earlier run left queued) and
stops gracefully at ``done``; a reload that changes the sinks restarts it on the same
queue.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from enforcer import METADATA_KEY, POLICY_KEY, WS_OUTCOME_KEY
from http_guard import FAILURE_KEY
from mitmproxy import ctx, http

from aipolicy.incidents.config import IncidentSettings
from aipolicy.incidents.deliver import Dispatcher
from aipolicy.incidents.escalation import Escalations, escalation_incident, utc_text, who_of
from aipolicy.incidents.model import from_outcome
from aipolicy.incidents.queue import DeliveryQueue
from aipolicy.incidents.sinks import make_sink
from aipolicy.metrics import PolicyMetrics
from aipolicy.outcome import Outcome
from aipolicy.ruleset import PolicyInfo
from aipolicy.state import StoreError

log = logging.getLogger("aipolicy")

QUEUE_FILE = "incidents.db"
# (Escalation, its Incident) of an escalation this flow's request or message triggered:
# the audit addon writes its event line and removes it.
ESCALATION_KEY = "aipolicy_escalation"


class IncidentsAddon:
    def __init__(self, state, escalations: Escalations, metrics: PolicyMetrics) -> None:
        self.state = state
        self.escalations = escalations
        self.metrics = metrics
        self.queue: DeliveryQueue | None = None
        self.dispatcher: Dispatcher | None = None
        self._in_use: IncidentSettings | None = None
        self._restarts = asyncio.Lock()
        self._tasks: set[asyncio.Task] = set()
        state.on_install(self._installed)

    # -- lifecycle -----------------------------------------------------------------------
    async def running(self) -> None:
        if self.queue is not None:
            return
        settings = self._settings()
        path = Path(ctx.options.aipolicy_data_dir) / QUEUE_FILE
        self.queue = DeliveryQueue(path, settings.queue_limit)
        if settings.sinks:
            try:  # say so now, not at the first incident
                await self.queue.depth()
            except Exception as exc:  # noqa: BLE001 - sqlite3.Error, OSError
                log.error(f"aipolicy: the incident queue {path} cannot be opened "
                          f"({type(exc).__name__}): incidents are audited and counted but "
                          "not delivered until it can; check aipolicy_data_dir")
            else:
                log.info(f"aipolicy: incidents delivered to "
                         f"{', '.join(c.id for c in settings.sinks)} (queue {path})")
        self._start(settings)

    async def done(self) -> None:
        async with self._restarts:
            if self.dispatcher is not None:
                await self.dispatcher.stop()
                self.dispatcher = None
            if self.queue is not None:
                await asyncio.to_thread(self.queue.close)
                self.queue = None

    def _settings(self) -> IncidentSettings:
        pipeline = self.state.pipeline
        return pipeline.ruleset.incidents if pipeline is not None else IncidentSettings()

    def _sink_ids(self) -> list[str]:
        return list(self.dispatcher.sinks) if self.dispatcher else []

    def _start(self, settings: IncidentSettings) -> None:
        assert self.queue is not None
        self.queue.max_items = settings.queue_limit
        self.dispatcher = Dispatcher(self.queue, [make_sink(c) for c in settings.sinks],
                                     self.metrics)
        self.dispatcher.start()
        self._in_use = settings

    def _installed(self, in_force) -> None:
        """A ruleset was put in force: restart delivery if its sinks or bound changed."""
        settings = in_force.pipeline.ruleset.incidents
        if self.dispatcher is None or self._in_use is None or (
                settings.sinks, settings.queue_limit) == (self._in_use.sinks,
                                                         self._in_use.queue_limit):
            return
        task = asyncio.get_running_loop().create_task(self._restart(settings))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _restart(self, settings: IncidentSettings) -> None:
        async with self._restarts:
            old = self.dispatcher
            if old is None:  # stopped meanwhile
                return
            await old.stop()  # what was submitted is on disk; no delivery runs twice
            self._start(settings)
            log.info(f"aipolicy: incident sinks now {', '.join(self._sink_ids()) or 'none'}")

    # -- hooks ---------------------------------------------------------------------------
    async def request(self, flow: http.HTTPFlow) -> None:
        outcome = flow.metadata.get(METADATA_KEY)
        if outcome is not None and outcome.incident is not None:
            await self._raise(flow, outcome, flow.metadata.get(POLICY_KEY))

    async def error(self, flow: http.HTTPFlow) -> None:
        """A request that failed before a decision (``http_guard``) is audited with its
        incident: deliver that too."""
        outcome = flow.metadata.get(FAILURE_KEY)
        pipeline = self.state.pipeline
        if outcome is not None and outcome.incident is not None and pipeline is not None:
            await self._raise(flow, outcome, pipeline.ruleset.policy)

    async def websocket_message(self, flow: http.HTTPFlow) -> None:
        entry = flow.metadata.get(WS_OUTCOME_KEY)
        if (entry is None or flow.websocket is None
                or entry[0] != flow.websocket.messages[-1].timestamp):
            return
        outcome, policy = entry[1], entry[2]
        if outcome.incident is not None:
            await self._raise(flow, outcome, policy)

    # -- internals -----------------------------------------------------------------------
    async def _raise(self, flow: http.HTTPFlow, outcome: Outcome,
                     policy: PolicyInfo | None) -> None:
        incident = from_outcome(outcome, policy.version if policy else None)
        if incident is None:
            return
        if self.dispatcher is not None:
            self.dispatcher.submit(incident)
        pipeline = self.state.pipeline
        settings = pipeline.ruleset.incidents.escalation if pipeline else None
        who = who_of(outcome.request.client)
        if settings is None or who is None or incident.mode != "enforce":
            return  # a report-mode rule's incident never leads to a block
        try:
            esc = await self.escalations.count(incident, who, settings)
        except StoreError as exc:
            self.metrics.escalation_store_errors.labels(operation="count").inc()
            log.error(f"aipolicy: incident {incident.reference} was not counted towards "
                      f"escalation: {exc}")
            return
        if esc is None:
            return
        threshold = next(t for t in settings.thresholds if t.id == esc.threshold)
        esc_incident = escalation_incident(esc, incident, threshold.incident)
        if self.dispatcher is not None:
            self.dispatcher.submit(esc_incident)
        self.metrics.escalations.labels(threshold=esc.threshold).inc()
        flow.metadata[ESCALATION_KEY] = (esc, esc_incident)
        until = "until released" if esc.until is None else f"until {utc_text(esc.until)}"
        log.warning(f"aipolicy: escalation {esc.reference} (threshold {esc.threshold}, "
                    f"after incident {incident.reference}) blocks a person from AI services "
                    f"{until}")
