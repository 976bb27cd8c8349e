"""aipolicy core: recognise generative-AI traffic and enforce an AI usage policy.

Nothing in this package imports mitmproxy except the launcher in ``aipolicy.cli``
(lazily, to start the proxy). The mitmproxy glue lives in ``addons/``.
"""

__version__ = "0.1.0"
