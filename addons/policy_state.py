"""Loads the ruleset, keeps it in force with its scan service, reloads on change.

A ruleset is validated completely before it replaces the running one; an invalid file
is reported (log + metric) and the previous ruleset stays in force. At start-up an
invalid ruleset raises OptionsError, so mitmproxy refuses to start.

The ruleset in force is ONE reference (``InForce``: the pipeline and the scan service
built from the same snapshot of the ruleset's files); a request reads it once, so it
never mixes two rulesets. A reload builds a new pipeline and a new, warm scan service
off the event loop, swaps the reference, and lets the old service finish what it holds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mitmproxy import ctx, exceptions

from aipolicy.cores import usable_cores
from aipolicy.errors import ConfigError
from aipolicy.metrics import PolicyMetrics
from aipolicy.model import App, RequestInfo
from aipolicy.paths import DEFAULT_RULESET
from aipolicy.pipeline import Pipeline, Verdict
from aipolicy.ruleset import load_ruleset
from aipolicy.scan_service import RestartReason, ScanService, ScanServiceError
from aipolicy.sources import Stamp, stamp

log = logging.getLogger("aipolicy")


@dataclass(frozen=True)
class InForce:
    """The ruleset in force: its pipeline and the service that scans bodies for it."""

    pipeline: Pipeline
    scanner: ScanService | None  # None: the ruleset inspects no content

    async def evaluate_body(self, request: RequestInfo, app: App, body: bytes) -> Verdict:
        if self.scanner is None:
            return self.pipeline.evaluate(request, app)
        return await self.scanner.evaluate(request, app, body)


class PolicyState:
    def __init__(self, metrics: PolicyMetrics) -> None:
        self.metrics = metrics
        self.in_force: InForce | None = None
        self._stamps: dict[Path, Stamp] = {}
        self._watcher: asyncio.Task | None = None
        self._listeners: list[Callable[[InForce], None]] = []
        metrics.watch_scanning(self._ready_scanners, self._queued_bodies)

    def on_install(self, listener: Callable[[InForce], None]) -> None:
        """Call ``listener`` with every ruleset put in force (after the swap)."""
        self._listeners.append(listener)

    def load(self, loader) -> None:
        loader.add_option(
            "aipolicy_ruleset", str, str(DEFAULT_RULESET),
            """
            The aipolicy ruleset (YAML). It is validated completely before use: an invalid
            file stops the proxy at start-up and is rejected on reload, leaving the previous
            ruleset in force.
            """,
        )
        loader.add_option(
            "aipolicy_reload_interval", int, 2,
            """
            Seconds between checks of the ruleset and the files it names for changes; a
            changed, valid ruleset replaces the one in force. 0 disables reloading.
            """,
        )
        loader.add_option(
            "aipolicy_scan_workers", int, -1,
            """
            Processes that scan request bodies (each loads the NER model as many times as
            the ruleset's ner.threads says, by default once per usable core). -1: one per
            usable core. 0: scan in the proxy process (one thread per usable core; a scan
            past its time budget is answered at once but keeps its thread until it ends).
            """,
        )

    def configure(self, updated: set[str]) -> None:
        if "aipolicy_reload_interval" in updated and ctx.options.aipolicy_reload_interval < 0:
            raise exceptions.OptionsError("aipolicy_reload_interval must be >= 0")
        if "aipolicy_scan_workers" in updated and ctx.options.aipolicy_scan_workers < -1:
            raise exceptions.OptionsError("aipolicy_scan_workers must be -1, 0 or more")
        if not updated & {"aipolicy_ruleset", "aipolicy_scan_workers"}:
            return
        path = Path(ctx.options.aipolicy_ruleset)
        current = self.pipeline
        if (current and "aipolicy_scan_workers" not in updated
                and current.ruleset.path.resolve() == path.resolve() and not self.changed()):
            return  # e.g. an option rollback to the ruleset already in force
        try:
            in_force = self._build(str(path))
        except ConfigError as exc:
            raise exceptions.OptionsError(f"invalid aipolicy ruleset:\n{exc}") from None
        except ScanServiceError as exc:  # a scan worker that cannot start: refuse, loudly
            raise exceptions.OptionsError(f"aipolicy: {exc}") from None
        except Exception as exc:
            raise exceptions.OptionsError(
                f"aipolicy: cannot start the scan workers: {type(exc).__name__}") from None
        self._install(in_force)

    def running(self) -> None:
        if self.in_force is None:  # added programmatically without a configure pass
            self.configure({"aipolicy_ruleset"})
        if ctx.options.aipolicy_reload_interval > 0 and self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())

    def done(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        if self.in_force is not None and self.in_force.scanner is not None:
            self.in_force.scanner.close(drain=False)
        self.in_force = None

    @property
    def pipeline(self) -> Pipeline | None:
        return self.in_force.pipeline if self.in_force else None

    def unready(self) -> str | None:
        """Why the proxy cannot serve AI requests right now (for /readyz), or None."""
        in_force = self.in_force
        if in_force is None:
            return "no ruleset"
        if in_force.scanner is not None and in_force.scanner.ready_workers == 0:
            return "no scan worker is ready"
        return None

    # -- internals -------------------------------------------------------------------
    def _ready_scanners(self) -> float:
        in_force = self.in_force
        return in_force.scanner.ready_workers if in_force and in_force.scanner else 0

    def _queued_bodies(self) -> float:
        in_force = self.in_force
        return in_force.scanner.queue_depth if in_force and in_force.scanner else 0

    def _restarted(self, reason: RestartReason) -> None:
        self.metrics.scan_worker_restarts.labels(reason=reason.value).inc()

    def _worker_count(self) -> int:
        wanted = ctx.options.aipolicy_scan_workers
        return usable_cores() if wanted < 0 else wanted

    def _build(self, path: str) -> InForce:
        """Validate and build everything a ruleset needs, its scanners started and warm;
        nothing is swapped in here."""
        count = self._worker_count()
        ruleset = load_ruleset(path)
        if ruleset.inspection is None:
            return InForce(Pipeline(ruleset, inspect_here=False), None)
        if count == 0:
            pipeline = Pipeline(ruleset)
            scanner = ScanService.in_threads(pipeline, usable_cores())
        else:
            pipeline = Pipeline(ruleset, inspect_here=False)
            scanner = ScanService.in_processes(pipeline, count, on_restart=self._restarted)
        scanner.start()  # raises (and stops what it started) if a scanner cannot start
        return InForce(pipeline, scanner)

    def _install(self, in_force: InForce) -> None:
        old = self.in_force
        self.in_force = in_force  # the one swap: a request in flight keeps what it read
        if old is not None and old.scanner is not None:
            old.scanner.close()  # finishes what it has queued and in flight, then stops
        for listener in self._listeners:
            listener(in_force)
        rs = in_force.pipeline.ruleset
        self._stamps = {Path(f.path): f.stamp for f in rs.sources.files}
        self.metrics.ruleset_loaded_now(rs.policy.name, rs.policy.version, str(rs.path),
                                        in_force.pipeline.loaded_at, rs.policy.next_review)
        scanner = in_force.scanner
        scan = ("no content inspection" if scanner is None else
                f"{scanner.size} scan thread(s) in process" if scanner.in_process else
                f"{scanner.size} scan worker(s)")
        log.info(f"aipolicy: ruleset {rs.path} version {rs.policy.version} in force "
                 f"({len(rs.catalog)} apps, {len(rs.rules)} access rules, mode {rs.mode.value}, "
                 f"{scan})")
        if rs.tenants and rs.tenants.sign_in_hosts:
            log.info("aipolicy: decrypting sign-in hosts for tenant headers: "
                     f"{', '.join(sorted(rs.tenants.sign_in_hosts))}")

    def changed(self) -> bool:
        return any(stamp(p) != s for p, s in self._stamps.items())

    async def reload(self) -> bool:
        """Build a new ruleset and scan service off the event loop; swap them in only if
        both are good."""
        path = ctx.options.aipolicy_ruleset
        try:
            in_force = await asyncio.to_thread(self._build, path)
        except Exception as exc:
            self._stamps = {p: stamp(p) for p in self._stamps}  # report each bad edit once
            self.metrics.reload_failures.inc()
            detail = (str(exc) if isinstance(exc, ConfigError | ScanServiceError)
                      else type(exc).__name__)
            log.error(f"aipolicy: ruleset reload rejected, previous ruleset stays in force:\n"
                      f"{detail}")
            return False
        self._install(in_force)
        return True

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(ctx.options.aipolicy_reload_interval or 2.0)
            if ctx.options.aipolicy_reload_interval > 0 and self.changed():
                await self.reload()
