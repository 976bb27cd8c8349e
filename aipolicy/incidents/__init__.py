"""Incidents: what the security team must hear about, delivered off the request path.

A rule can mark what it catches as an incident with a severity. The record holds who,
where and what kinds of data — never a value. It is written to the audit log and queued
on disk (bounded; survives a receiver outage and a proxy restart) for each sink: a
signed webhook and RFC 5424 syslog over UDP, TCP or TLS.
"""
