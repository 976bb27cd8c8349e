"""Load the mitmproxy addons the way the launcher does (addons/ on sys.path)."""

from __future__ import annotations

import importlib
import sys

import pytest

from aipolicy.paths import ADDONS


@pytest.fixture(scope="session")
def addon_modules():
    if str(ADDONS) not in sys.path:
        sys.path.insert(0, str(ADDONS))
    names = ("policy_state", "tls_scope", "enforcer", "audit_log", "metrics_exporter",
             "streaming", "http1_reader", "log_privacy", "connection_guard", "http_guard",
             "state_store", "incidents", "tenant_headers",
             "aipolicy_addons")
    return {name: importlib.import_module(name) for name in names}
