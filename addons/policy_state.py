"""Loads the ruleset, keeps the pipeline (and its scan workers) in force, reloads on change.

A ruleset is validated completely before it replaces the running one; an invalid file
is reported (log + metric) and the previous pipeline stays in force. At start-up an
invalid ruleset raises OptionsError, so mitmproxy refuses to start.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from mitmproxy import ctx, exceptions

from aipolicy.cores import usable_cores
from aipolicy.errors import ConfigError
from aipolicy.metrics import PolicyMetrics
from aipolicy.paths import DEFAULT_RULESET
from aipolicy.pipeline import Pipeline
from aipolicy.workers import ScanWorkers

log = logging.getLogger("aipolicy")


class PolicyState:
    def __init__(self, metrics: PolicyMetrics) -> None:
        self.metrics = metrics
        self.pipeline: Pipeline | None = None
        self.workers: ScanWorkers | None = None
        self._stamps: dict[Path, tuple[int, int]] = {}
        self._watcher: asyncio.Task | None = None

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
            usable core. 0: scan in the proxy process (threads; for tests and tiny set-ups).
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
            pipeline, workers = self._build(str(path))
        except ConfigError as exc:
            raise exceptions.OptionsError(f"invalid aipolicy ruleset:\n{exc}") from None
        except Exception as exc:  # a scan worker that cannot start: refuse, loudly
            raise exceptions.OptionsError(
                f"aipolicy: cannot start the scan workers: {type(exc).__name__}") from None
        self._install(pipeline, workers)

    def running(self) -> None:
        if self.pipeline is None:  # added programmatically without a configure pass
            self.configure({"aipolicy_ruleset"})
        if ctx.options.aipolicy_reload_interval > 0 and self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())

    def done(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        if self.workers is not None:
            self.workers.close()
            self.workers = None

    @property
    def ready(self) -> bool:
        return self.pipeline is not None

    # -- internals -------------------------------------------------------------------
    def _worker_count(self) -> int:
        wanted = ctx.options.aipolicy_scan_workers
        return usable_cores() if wanted < 0 else wanted

    def _build(self, path: str) -> tuple[Pipeline, ScanWorkers | None]:
        """Validate and build everything a ruleset needs; nothing is swapped in here."""
        count = self._worker_count()
        pipeline = Pipeline.from_file(path, inspect_here=count == 0)
        workers = None
        if count and pipeline.ruleset.inspection is not None:
            workers = ScanWorkers(str(pipeline.ruleset.path), count)
            try:
                workers.warm_up()
            except BaseException:
                workers.close()
                raise
        return pipeline, workers

    def _install(self, pipeline: Pipeline, workers: ScanWorkers | None) -> None:
        rs = pipeline.ruleset
        old_workers = self.workers
        # Two reference swaps: requests in flight keep the objects they already hold.
        self.pipeline, self.workers = pipeline, workers
        if old_workers is not None:
            old_workers.close()  # finishes queued scans, then the processes exit
        self._stamps = {p: _stamp(p) for p in rs.source_files}
        self.metrics.ruleset_loaded_now(rs.policy.name, rs.policy.version, str(rs.path),
                                        pipeline.loaded_at, rs.policy.next_review)
        scan = (f"{workers.size} scan worker(s)" if workers else
                "in-process scanning" if rs.inspection else "no content inspection")
        log.info(f"aipolicy: ruleset {rs.path} version {rs.policy.version} in force "
                 f"({len(rs.catalog)} apps, {len(rs.rules)} access rules, mode {rs.mode.value}, "
                 f"{scan})")

    def changed(self) -> bool:
        return any(_stamp(p) != s for p, s in self._stamps.items())

    async def reload(self) -> bool:
        """Build a new pipeline off the event loop; swap it in only if it is valid."""
        path = ctx.options.aipolicy_ruleset
        try:
            pipeline, workers = await asyncio.to_thread(self._build, path)
        except Exception as exc:
            self._stamps = {p: _stamp(p) for p in self._stamps}  # report each bad edit once
            self.metrics.reload_failures.inc()
            detail = str(exc) if isinstance(exc, ConfigError) else type(exc).__name__
            log.error(f"aipolicy: ruleset reload rejected, previous ruleset stays in force:\n"
                      f"{detail}")
            return False
        self._install(pipeline, workers)
        return True

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(ctx.options.aipolicy_reload_interval or 2.0)
            if ctx.options.aipolicy_reload_interval > 0 and self.changed():
                await self.reload()


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)
