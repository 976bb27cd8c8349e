"""Loads the ruleset, keeps the pipeline in force, and reloads it when the file changes.

A ruleset is validated completely before it replaces the running one; an invalid file
is reported (log + metric) and the previous pipeline stays in force. At start-up an
invalid ruleset raises OptionsError, so mitmproxy refuses to start.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from mitmproxy import ctx, exceptions

from aipolicy.errors import ConfigError
from aipolicy.metrics import PolicyMetrics
from aipolicy.paths import DEFAULT_RULESET
from aipolicy.pipeline import Pipeline

log = logging.getLogger("aipolicy")


class PolicyState:
    def __init__(self, metrics: PolicyMetrics) -> None:
        self.metrics = metrics
        self.pipeline: Pipeline | None = None
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
            "aipolicy_reload_interval", float, 2.0,
            """
            Seconds between checks of the ruleset and catalog files for changes; a changed,
            valid ruleset replaces the one in force. 0 disables reloading.
            """,
        )

    def configure(self, updated: set[str]) -> None:
        if "aipolicy_ruleset" in updated:
            path = Path(ctx.options.aipolicy_ruleset)
            current = self.pipeline
            if current and current.ruleset.path.resolve() == path.resolve() and not self.changed():
                return  # e.g. an option rollback to the ruleset already in force
            try:
                pipeline = Pipeline.from_file(str(path))
            except ConfigError as exc:
                raise exceptions.OptionsError(f"invalid aipolicy ruleset:\n{exc}") from None
            self._install(pipeline)
        if "aipolicy_reload_interval" in updated and ctx.options.aipolicy_reload_interval < 0:
            raise exceptions.OptionsError("aipolicy_reload_interval must be >= 0")

    def running(self) -> None:
        if self.pipeline is None:  # added programmatically without a configure pass
            self.configure({"aipolicy_ruleset"})
        if ctx.options.aipolicy_reload_interval > 0 and self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())

    def done(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None

    @property
    def ready(self) -> bool:
        return self.pipeline is not None

    # -- internals -------------------------------------------------------------------
    def _install(self, pipeline: Pipeline) -> None:
        rs = pipeline.ruleset
        self.pipeline = pipeline  # one reference swap: in-flight requests keep the old one
        self._stamps = {p: _stamp(p) for p in rs.source_files}
        self.metrics.ruleset_loaded_now(rs.policy.name, rs.policy.version, str(rs.path),
                                        pipeline.loaded_at)
        log.info(f"aipolicy: ruleset {rs.path} version {rs.policy.version} in force "
                 f"({len(rs.catalog)} apps, {len(rs.rules)} access rules, mode {rs.mode.value})")

    def changed(self) -> bool:
        return any(_stamp(p) != s for p, s in self._stamps.items())

    async def reload(self) -> bool:
        """Build a new pipeline off the event loop; swap it in only if it is valid."""
        path = ctx.options.aipolicy_ruleset
        try:
            pipeline = await asyncio.to_thread(Pipeline.from_file, path)
        except ConfigError as exc:
            self._stamps = {p: _stamp(p) for p in self._stamps}  # report each bad edit once
            self.metrics.reload_failures.inc()
            log.error(f"aipolicy: ruleset reload rejected, previous ruleset stays in force:\n{exc}")
            return False
        self._install(pipeline)
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
