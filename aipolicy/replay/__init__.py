"""Captured traffic against a ruleset: ``aipolicy test --har/--flows`` and ``aipolicy diff``.

Readers turn a capture (``har``: HAR files; ``flows``: mitmproxy flow files, opened by
the command line) into requests described as the proxy describes them; ``evaluate``
runs them through the proxy's own pipeline with explanations; ``compare`` lists the
decisions two rulesets disagree on; ``render`` prints both as text or JSON, with every
finding masked (``mask``).
"""
