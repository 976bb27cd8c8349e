"""Shared state that must outlive a request: acknowledgements, coach decisions, escalation
counters.

One small async interface (``StateStore``) with two implementations: SQLite in a data
directory (the default; survives restarts) and Redis (several proxy replicas behind a
load balancer share one). Both pass the same contract tests. Every backend failure is a
``StoreError`` with a fixed message; what a decision does then is the ruleset's
``on_store_error``, never a silent allow.
"""

from .base import StateStore, StoreError
from .open import open_store, parse_store_url

__all__ = ["StateStore", "StoreError", "open_store", "parse_store_url"]
