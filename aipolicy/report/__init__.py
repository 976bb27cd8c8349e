"""Shadow-AI discovery and usage reports from the audit logs (``aipolicy report``)."""
