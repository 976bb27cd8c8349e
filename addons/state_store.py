"""Opens the shared state store (acknowledgements, coach decisions, escalations) and
keeps it for the other addons; closes it at shutdown.

The store is opened once, when the proxy starts; a store that cannot be reached at start
is reported loudly but does not stop the proxy: each decision that needs it then fails
the way the ruleset's ``on_store_error`` says.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mitmproxy import ctx, exceptions

from aipolicy.paths import DATA
from aipolicy.state import StateStore, StoreError, open_store, parse_store_url
from aipolicy.state.open import StoreUrl

log = logging.getLogger("aipolicy")


class StateStoreAddon:
    def __init__(self) -> None:
        self.store: StateStore | None = None
        self._url: StoreUrl | None = None

    def load(self, loader) -> None:
        loader.add_option(
            "aipolicy_data_dir", str, str(DATA),
            """
            Directory for the proxy's own data: the SQLite state store (acknowledgements,
            coach decisions, escalations) and the incident delivery queue.
            """,
        )
        loader.add_option(
            "aipolicy_store", str, "sqlite",
            """
            The shared state store: "sqlite" (a file in aipolicy_data_dir; one proxy),
            "sqlite:///path/state.db", or "redis://[:password@]host:6379/0" ("rediss://"
            for TLS) for several proxy replicas behind a load balancer.
            """,
        )

    def configure(self, updated: set[str]) -> None:
        if not updated & {"aipolicy_store", "aipolicy_data_dir"}:
            return
        try:
            url = parse_store_url(ctx.options.aipolicy_store, Path(ctx.options.aipolicy_data_dir))
        except ValueError as exc:
            raise exceptions.OptionsError(f"aipolicy_store: {exc}") from None
        if self.store is not None and url != self._url:
            raise exceptions.OptionsError("aipolicy_store cannot change while the proxy runs")
        self._url = url

    async def running(self) -> None:
        if self.store is not None:
            return
        if self._url is None:  # added programmatically without a configure pass
            self.configure({"aipolicy_store"})
        assert self._url is not None
        self.store = open_store(self._url)
        try:
            await self.store.ping()
        except StoreError as exc:
            log.error(f"aipolicy: state store {self._url.describe()} unavailable at start: "
                      f"{exc}; decisions that need it follow on_store_error")
        else:
            log.info(f"aipolicy: state store {self._url.describe()}")

    async def done(self) -> None:
        if self.store is not None:
            await self.store.close()
            self.store = None
