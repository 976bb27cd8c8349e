"""The state store addon: options, opening at start, a clear error for a bad URL."""

from __future__ import annotations

import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons


async def test_opens_the_sqlite_store_in_the_data_dir(addon_modules, tmp_path):
    addon = addon_modules["state_store"].StateStoreAddon()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, aipolicy_data_dir=str(tmp_path), aipolicy_store="sqlite")
        await addon.running()
        assert addon.store is not None and addon.store.kind == "sqlite"
        await addon.store.put("ack", "alice", {"version": "1"})
        assert (tmp_path / "state.db").exists()
        await addon.done()
        assert addon.store is None


async def test_unreachable_store_at_start_is_logged_not_fatal(addon_modules, tmp_path, caplog):
    addon = addon_modules["state_store"].StateStoreAddon()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, aipolicy_data_dir=str(tmp_path),
                       aipolicy_store="redis://:pw-secret@127.0.0.1:1/0")
        await addon.running()
        assert "unavailable at start" in caplog.text and "pw-secret" not in caplog.text
        await addon.done()


def test_bad_store_url_is_refused(addon_modules, tmp_path):
    addon = addon_modules["state_store"].StateStoreAddon()
    with taddons.context(addon) as tctx, pytest.raises(exceptions.OptionsError):
        tctx.configure(addon, aipolicy_store="mysql://db/x")
