"""Detectors that find sensitive items in prompt text.

Each detector returns typed matches that hold a span and a type, never a copy of the
matched value: ``secrets`` (rules-as-data secret scanning, see ``rulesets/secrets.yaml``)
and ``entropy`` (the Shannon entropy measure the secret rules use).
"""
