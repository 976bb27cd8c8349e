"""The ``aipolicy`` command: run the proxy, check a ruleset, manage the CA, test a request.

    aipolicy run [--ruleset PATH] [any mitmdump option ...]
    aipolicy check RULESET
    aipolicy ca init | export [--der] [--out FILE] | path
    aipolicy test [--ruleset PATH] URL [--method M] [--client-ip IP] [--user U] [--accept A]
                  [--header "Name: value" ...]
    aipolicy test [--ruleset PATH] --har FILE | --flows FILE [--json] [--client-ip IP]
                  [--user U]
    aipolicy diff OLD NEW --har FILE | --flows FILE [--json] [--client-ip IP] [--user U]
    aipolicy report AUDIT_LOG... [--since T] [--until T] [--html F] [--csv DIR] [--json F]
    aipolicy acks export [--format csv|json] [--out F] [--store URL] [--data-dir DIR]
    aipolicy release USER [--store URL] [--data-dir DIR] [--ruleset PATH] [--audit-log F]
    aipolicy escalations [--store URL] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import datetime as dt
import ipaddress
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from .errors import ConfigError
from .metrics import review_overdue_days
from .paths import ADDONS, CERTS, DATA, DEFAULT_RULESET, ENTRY_ADDON
from .ruleset import load_ruleset

EXIT_CONFIG = 2


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "run":  # everything after `run` belongs to mitmdump
        return cmd_run(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aipolicy", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers()
    sub.add_parser("run", help="start the proxy (all mitmdump options pass through)")

    c = sub.add_parser("check", help="validate a ruleset offline")
    c.add_argument("ruleset", type=Path)
    c.set_defaults(func=cmd_check)

    ca = sub.add_parser("ca", help="the proxy's certificate authority")
    ca.add_argument("--confdir", type=Path, default=CERTS)
    casub = ca.add_subparsers(dest="ca_cmd", required=True)
    casub.add_parser("init", help="create the CA in certs/ if there is none")
    exp = casub.add_parser("export", help="print the public CA certificate")
    exp.add_argument("--der", action="store_true", help="DER (Windows .cer) instead of PEM")
    exp.add_argument("--bundle", action="store_true",
                     help="the system's CA bundle plus this CA (for SSL_CERT_FILE)")
    exp.add_argument("--out", type=Path, help="write to this file instead of stdout")
    casub.add_parser("path", help="print where the public certificate is")
    ca.set_defaults(func=cmd_ca)

    t = sub.add_parser("test", help="show what the policy decides for a request, or for "
                                    "every request of a captured HAR or flow file")
    t.add_argument("url", nargs="?", help="the request's URL (or use --har / --flows)")
    _capture_options(t)
    t.add_argument("--ruleset", type=Path, default=DEFAULT_RULESET)
    t.add_argument("--method", default="POST")
    t.add_argument("--client-ip", help="the client's address (default for a URL: "
                   "127.0.0.1; for a HAR file: unknown; for flows: as captured)")
    t.add_argument("--user", help="the client's proxy-auth user name (for flows: replaces "
                   "the captured one)")
    t.add_argument("--accept", default="application/json")
    t.add_argument("--host-header", action="append", metavar="VALUE",
                   help="a Host header value (repeatable; default: the URL's authority)")
    t.add_argument("--sni", help="the TLS server name (default: the URL's host for https)")
    body = t.add_mutually_exclusive_group()
    body.add_argument("--body", type=Path, help="a captured request body to inspect")
    body.add_argument("--prompt", help="a prompt, sent as an OpenAI-style chat message")
    t.add_argument("--content-type", default="application/json")
    t.add_argument("--content-encoding", default="")
    t.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'",
                   help="a request header, e.g. 'User-Agent: claude-cli/2.1.332' (repeat): "
                        "which client profile, notice shape and redaction note it gets")
    t.add_argument("--show-body", action="store_true",
                   help="print the body as it would be forwarded after redaction")
    t.set_defaults(func=cmd_test)

    d = sub.add_parser("diff", help="the requests of a capture whose decision changes "
                                    "from one ruleset to another (exit 1 when any does)")
    d.add_argument("old", type=Path, help="the ruleset in force")
    d.add_argument("new", type=Path, help="the ruleset to compare it with")
    _capture_options(d, required=True)
    d.add_argument("--client-ip", help="the client's address (HAR: unknown by default; "
                   "flows: as captured)")
    d.add_argument("--user", help="the client's proxy-auth user name")
    d.set_defaults(func=cmd_diff)

    r = sub.add_parser("report", help="shadow-AI discovery and usage from audit logs")
    r.add_argument("logs", nargs="+", type=Path,
                   help="audit log files (plain or gzip-rotated .gz)")
    r.add_argument("--since", type=_when, help="start (UTC date or ISO time; default: "
                   "--days before --until)")
    r.add_argument("--until", type=_when, help="end, exclusive (default: the end of the "
                   "newest line's day)")
    r.add_argument("--days", type=int, default=30, help="period length without --since")
    r.add_argument("--ruleset", type=Path, default=DEFAULT_RULESET,
                   help="the policy the report is read against (metadata, review date)")
    r.add_argument("--html", type=Path, help="write one self-contained HTML page here")
    r.add_argument("--csv", type=Path, metavar="DIR", help="write one CSV per table here")
    r.add_argument("--json", type=Path, help="write the whole report as JSON here")
    r.add_argument("--pseudonymise-users", action="store_true",
                   help="replace user names and addresses by keyed hashes (key from "
                   "--key-file or $AIPOLICY_REPORT_KEY; stable across reports)")
    r.add_argument("--key-file", type=Path)
    r.add_argument("--rows", type=int, default=15, help="rows per table in the terminal")
    r.set_defaults(func=cmd_report)

    a = sub.add_parser("acks", help="policy acknowledgements in the state store")
    asub = a.add_subparsers(dest="acks_cmd", required=True)
    e = asub.add_parser("export", help="who acknowledged which policy version when")
    e.add_argument("--format", choices=("csv", "json"), default="csv")
    e.add_argument("--out", type=Path, help="write to this file instead of stdout")
    e.add_argument("--store", default="sqlite",
                   help="the proxy's aipolicy_store: sqlite, sqlite:///path.db or "
                        "redis://host:6379/0 (default: sqlite)")
    e.add_argument("--data-dir", type=Path, default=DATA,
                   help="the proxy's aipolicy_data_dir (for the sqlite store)")
    a.set_defaults(func=cmd_acks)

    rel = sub.add_parser("release", help="lift a person's escalation (and clear their "
                         "incident counters)")
    rel.add_argument("who", metavar="USER", help="the proxy-auth user name, or the client "
                     "address for clients without proxy authentication")
    _store_arguments(rel)
    rel.add_argument("--ruleset", type=Path, default=DEFAULT_RULESET,
                     help="the ruleset whose escalation thresholds' counters are cleared")
    rel.add_argument("--audit-log", default="-", help="append the release's audit event "
                     "line here (the proxy's aipolicy_audit_log file; default: stdout)")
    rel.set_defaults(func=cmd_release)

    esc = sub.add_parser("escalations", help="list the people escalations block now")
    _store_arguments(esc)
    esc.set_defaults(func=cmd_escalations)
    return p


def _capture_options(p: argparse.ArgumentParser, required: bool = False) -> None:
    source = p.add_mutually_exclusive_group(required=required)
    source.add_argument("--har", type=Path, metavar="FILE",
                        help="a HAR file (a browser's DevTools export, mitmproxy's hardump)")
    source.add_argument("--flows", type=Path, metavar="FILE",
                        help="a mitmproxy flow file (mitmdump -w / --save-stream-file)")
    p.add_argument("--json", action="store_true", help="JSON instead of text")


def _when(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date or ISO time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


# ----------------------------------------------------------------------------- check
def cmd_check(args: argparse.Namespace) -> int:
    try:
        rs = load_ruleset(args.ruleset)
    except ConfigError as exc:
        print(f"aipolicy: invalid ruleset ({len(exc.problems)} problem(s)):\n{exc}",
              file=sys.stderr)
        return EXIT_CONFIG
    print(f"{rs.path}: OK — policy {rs.policy.name!r} version {rs.policy.version}, "
          f"mode {rs.mode.value}, {len(rs.catalog)} catalog apps, "
          f"{len(rs.directory.groups)} groups, {len(rs.rules)} access rules")
    if rs.tenants:
        print(f"tenant headers: {', '.join(h.preset for h in rs.tenants.headers)}")
        if rs.tenants.sign_in_hosts:
            print("decrypted for tenant headers (no AI apps): "
                  f"{', '.join(sorted(rs.tenants.sign_in_hosts))}")
    overdue = review_overdue_days(rs.policy.next_review)
    if overdue:
        print(f"warning: the policy's review is overdue by {overdue} day(s) (next_review "
              f"{rs.policy.next_review}); review it and set a new next_review date",
              file=sys.stderr)
    return 0


# ----------------------------------------------------------------------------- ca
def cmd_ca(args: argparse.Namespace) -> int:
    from . import ca

    if args.ca_cmd == "init":
        created = ca.ensure_ca(args.confdir)
        state = "created" if created else "already present"
        print(f"CA {state} in {args.confdir} (SHA-256 {ca.fingerprint(args.confdir)})")
        return 0
    if not ca.ca_paths(args.confdir)[1].exists():
        print(f"aipolicy: no CA in {args.confdir}; run `aipolicy ca init` (or `make run`)",
              file=sys.stderr)
        return 1
    if args.ca_cmd == "path":
        print(ca.ca_paths(args.confdir)[1])
        return 0
    data = ca.export_certificate(args.confdir, der=args.der)
    if args.bundle:
        data = ca.system_bundle() + b"\n" + data
    if args.out:
        args.out.write_bytes(data)
        print(f"wrote {args.out}", file=sys.stderr)
    elif args.der and sys.stdout.isatty():
        print("aipolicy: DER is binary; use --out FILE or redirect stdout", file=sys.stderr)
        return 1
    else:
        sys.stdout.buffer.write(data)
    return 0


# ----------------------------------------------------------------------------- test
def cmd_test(args: argparse.Namespace) -> int:
    from .model import ClientIdentity, DestinationNames, RequestInfo
    from .pipeline import Pipeline

    if (args.har or args.flows) and args.url:
        print("aipolicy: give a URL or a capture (--har/--flows), not both", file=sys.stderr)
        return 2
    if not (args.har or args.flows or args.url):
        print("aipolicy: give a URL or a capture (--har/--flows)", file=sys.stderr)
        return 2
    if args.har or args.flows:
        return _test_capture(args)
    try:
        pipeline = Pipeline(load_ruleset(args.ruleset))
    except ConfigError as exc:
        print(f"aipolicy: invalid ruleset:\n{exc}", file=sys.stderr)
        return EXIT_CONFIG
    url = urlsplit(args.url if "://" in args.url else f"https://{args.url}")
    headers = {"accept": args.accept, "content-type": args.content_type,
               "content-encoding": args.content_encoding}
    for item in args.header:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            print(f"aipolicy: --header {item!r} is not 'Name: value'", file=sys.stderr)
            return 2
        headers[name.strip().lower()] = value.strip()
    tls = url.scheme == "https"
    names = DestinationNames(
        destination=url.hostname, sni=args.sni or (url.hostname if tls else None),
        hosts=tuple(args.host_header or [url.netloc.rpartition("@")[2]]), tls=tls)
    info = RequestInfo(
        method=args.method.upper(), scheme=url.scheme, host=(url.hostname or "").lower(),
        port=url.port or (443 if tls else 80), path=url.path or "/", headers=headers,
        client=ClientIdentity(ipaddress.ip_address(args.client_ip or "127.0.0.1"), args.user),
        names=names,
        query=url.query, fields=tuple(headers.items()),
    )
    destination = pipeline.destination(info)
    app = destination.app
    tenants = pipeline.ruleset.tenants
    tenant_headers = {h.name: h.value for h in tenants.for_names(names)} if tenants else {}
    if app is None and destination.refusal is None:
        scope = pipeline.connection_scope(names.sni, names.destination)
        print(json.dumps({"ai": False, "host": info.host, "intercepted": scope.decrypt,
                          "connection": scope.scope.value,
                          "tenant_headers": tenant_headers if scope.decrypt else {}},
                         indent=2))
        return 0
    if destination.host:
        info = dataclasses.replace(info, host=destination.host)
    if destination.refusal is not None:
        verdict = pipeline.refuse(info, destination)
        d = verdict.outcome.decision
        print(json.dumps({
            "ai": app is not None, "app": app.id if app else None,
            "mismatch": destination.disagreement.value if destination.disagreement else None,
            "rule": d.rule_id, "action": d.action.value,
            "enforced": verdict.outcome.enforced.value, "mode": d.mode.value,
            "reason": d.reason, "status": verdict.notice.status if verdict.notice else None,
        }, indent=2))
        return 0
    body = None
    if args.body:
        body = args.body.read_bytes()
    elif args.prompt is not None:
        body = json.dumps({"model": "test", "messages": [
            {"role": "user", "content": args.prompt}]}).encode()
    if pipeline.needs_body(info):  # the URL's path and query are inspected too
        body = body or b""
    verdict = pipeline.evaluate(info, app, body)
    d = verdict.outcome.decision
    out = {
        "ai": True, "app": app.id, "app_name": app.name, "vendor": app.vendor,
        "category": app.category, "status": d.status.value if d.status else None,
        "groups": list(d.groups), "activity": d.activity.value if d.activity else None,
        "rule": d.rule_id, "action": d.action.value,
        "enforced": verdict.outcome.enforced.value, "mode": d.mode.value, "reason": d.reason,
        "notice_format": verdict.outcome.notice_format,
        "client_profile": pipeline.identify(info, app).profile.id
        if pipeline.ruleset.clients else None,
        "redaction_note": verdict.note.text if verdict.note else None,
        "findings": verdict.outcome.findings.by_type(),
        "failure": verdict.outcome.failure,
        "response_headers": dict(verdict.response_headers),
        # set on the way out when the request is forwarded (every client copy removed)
        "tenant_headers": tenant_headers if verdict.notice is None else {},
    }
    if verdict.outcome.scan_seconds is not None:
        out["scan_ms"] = round(verdict.outcome.scan_seconds * 1000, 2)
    if args.show_body and verdict.new_body is not None:
        out["forwarded_body"] = verdict.new_body.decode("utf-8", "replace")
    edit = verdict.new_envelope
    if args.show_body and (edit.path is not None or edit.query is not None):
        path = edit.path if edit.path is not None else info.path
        query = edit.query if edit.query is not None else info.query
        out["forwarded_path"] = f"{path}?{query}" if query else path
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


# ----------------------------------------------------------------------------- captures
def _test_capture(args: argparse.Namespace) -> int:
    from .pipeline import Pipeline
    from .replay.capture import CaptureError
    from .replay.evaluate import replay
    from .replay.render import replay_json, replay_text

    url_only = [o for o, given in (("--body", args.body), ("--prompt", args.prompt),
                                   ("--show-body", args.show_body), ("--sni", args.sni),
                                   ("--host-header", args.host_header),
                                   ("--header", args.header)) if given]
    if url_only:
        print(f"aipolicy: {', '.join(url_only)} apply to a URL, not to a capture",
              file=sys.stderr)
        return 2
    try:
        capture = _read_capture(args)
    except (CaptureError, OSError) as exc:
        print(f"aipolicy: {exc}", file=sys.stderr)
        return 2
    try:
        pipeline = Pipeline(load_ruleset(args.ruleset))
    except ConfigError as exc:
        print(f"aipolicy: invalid ruleset:\n{exc}", file=sys.stderr)
        return EXIT_CONFIG
    result = replay(pipeline, capture)
    if args.json:
        print(json.dumps(replay_json(result, pipeline.ruleset), indent=2, ensure_ascii=False))
    else:
        print(replay_text(result, pipeline.ruleset))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """Exit 0: no decision changes; 1: some request's decision changes; 2: trouble."""
    from .pipeline import Pipeline
    from .replay.capture import CaptureError
    from .replay.compare import compare
    from .replay.evaluate import replay
    from .replay.render import comparison_json, comparison_text

    try:
        capture = _read_capture(args)
    except (CaptureError, OSError) as exc:
        print(f"aipolicy: {exc}", file=sys.stderr)
        return 2
    rulesets = []
    for path in (args.old, args.new):  # both validated before the detectors are built
        try:
            rulesets.append(load_ruleset(path))
        except ConfigError as exc:
            print(f"aipolicy: invalid ruleset {path}:\n{exc}", file=sys.stderr)
            return EXIT_CONFIG
    old, new = (Pipeline(rs) for rs in rulesets)
    comparison = compare(replay(old, capture), replay(new, capture))
    if args.json:
        print(json.dumps(comparison_json(comparison, old.ruleset, new.ruleset), indent=2,
                         ensure_ascii=False))
    else:
        print(comparison_text(comparison, old.ruleset, new.ruleset))
    return 1 if comparison.changed else 0


def _read_capture(args: argparse.Namespace):
    """The capture named by --har or --flows. Raises CaptureError, OSError."""
    from .replay.capture import CaptureError
    from .replay.flows import requests_from_flows
    from .replay.har import read_har
    from .requests import client_identity

    if args.client_ip is not None:
        try:
            ipaddress.ip_address(args.client_ip)
        except ValueError:
            raise CaptureError(f"--client-ip {args.client_ip!r} is not an IP address") from None
    if args.har:
        return read_har(args.har.read_bytes(), str(args.har),
                        client_identity(args.client_ip, args.user))
    from mitmproxy import exceptions, io, version

    with args.flows.open("rb") as f:
        if f.read(1) in (b"{", b"["):  # mitmproxy's reader would import it as HAR
            raise CaptureError(f"{args.flows}: this is a HAR file: use --har")
        f.seek(0)
        try:
            return requests_from_flows(
                io.FlowReader(f).stream(), str(args.flows), client_ip=args.client_ip,
                user=args.user)
        except exceptions.FlowReadException as exc:
            raise CaptureError(f"{args.flows}: not a mitmproxy {version.VERSION} flow file "
                               f"({type(exc).__name__})") from None


# ----------------------------------------------------------------------------- report
def cmd_report(args: argparse.Namespace) -> int:
    from .report.engine import ReportError, build_report
    from .report.model import PolicyStatus
    from .report.render import html_page, text, write_csv, write_json

    try:
        rs = load_ruleset(args.ruleset)
    except ConfigError as exc:
        print(f"aipolicy: invalid ruleset ({len(exc.problems)} problem(s)):\n{exc}",
              file=sys.stderr)
        return EXIT_CONFIG
    p = rs.policy
    policy = PolicyStatus(p.name, p.version, p.owner, p.contact, p.url, p.next_review,
                          dt.datetime.now(dt.UTC).date())
    key = None
    if args.pseudonymise_users:
        if args.key_file:
            key = args.key_file.read_bytes().strip()
        elif os.environ.get("AIPOLICY_REPORT_KEY"):
            key = os.environ["AIPOLICY_REPORT_KEY"].encode()
        else:
            key = os.urandom(32)
            print("aipolicy: no --key-file or AIPOLICY_REPORT_KEY: pseudonyms are random "
                  "for this report only", file=sys.stderr)
    try:
        report = build_report(args.logs, since=args.since, until=args.until, policy=policy,
                              pseudonym_key=key, days=args.days)
    except ReportError as exc:
        print(f"aipolicy: {exc}", file=sys.stderr)
        return 1
    print(text(report, args.rows))
    if args.html:
        args.html.write_text(html_page(report), encoding="utf-8")
        print(f"HTML report: {args.html}", file=sys.stderr)
    if args.csv:
        write_csv(report, args.csv)
        print(f"CSV tables: {args.csv}/", file=sys.stderr)
    if args.json:
        write_json(report, args.json)
        print(f"JSON: {args.json}", file=sys.stderr)
    return 0


# ----------------------------------------------------------------------------- acks
ACK_COLUMNS = ("user", "client", "version", "policy_version", "acknowledged_at", "reference")


def cmd_acks(args: argparse.Namespace) -> int:
    from .report.render import csv_safe
    from .standing import export_acknowledgements
    from .state import StoreError, open_store, parse_store_url

    try:
        url = parse_store_url(args.store, args.data_dir)
    except ValueError as exc:
        print(f"aipolicy: --store: {exc}", file=sys.stderr)
        return 2
    if url.kind == "sqlite" and (url.path is None or not url.path.exists()):
        print(f"aipolicy: no state store at {url.path} (set --store or --data-dir as the "
              "proxy's aipolicy_store / aipolicy_data_dir)", file=sys.stderr)
        return 1

    async def read():
        store = open_store(url)
        try:
            return await export_acknowledgements(store)
        finally:
            await store.close()

    try:
        records = asyncio.run(read())
    except StoreError as exc:
        print(f"aipolicy: {url.describe()}: {exc}", file=sys.stderr)
        return 1
    rows = [{"user": r.user, "client": r.client, "version": r.version,
             "policy_version": r.policy_version, "acknowledged_at": r.when,
             "reference": r.reference} for r in records]
    out = args.out.open("w", encoding="utf-8", newline="") if args.out else sys.stdout
    try:
        if args.format == "json":
            json.dump(rows, out, indent=2, ensure_ascii=False)
            out.write("\n")
        else:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(ACK_COLUMNS)
            writer.writerows([csv_safe(row[c]) for c in ACK_COLUMNS] for row in rows)
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"{len(rows)} acknowledgement(s) written to {args.out}", file=sys.stderr)
    return 0


def _store_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default="sqlite", help="the proxy's aipolicy_store: sqlite, "
                   "sqlite:///path.db or redis://host:6379/0 (default: sqlite)")
    p.add_argument("--data-dir", type=Path, default=DATA,
                   help="the proxy's aipolicy_data_dir (for the sqlite store)")


# ----------------------------------------------------------------------------- escalation
def _escalations(args: argparse.Namespace):
    """The store the proxy uses and an ``Escalations`` over it, or an error message."""
    from .incidents.escalation import Escalations
    from .state import open_store, parse_store_url

    try:
        url = parse_store_url(args.store, args.data_dir)
    except ValueError as exc:
        return None, None, f"--store: {exc}"
    if url.kind == "sqlite" and not (url.path and url.path.exists()):
        return None, None, f"no state store at {url.path} (see --store and --data-dir)"
    store = open_store(url)
    return store, Escalations(lambda: store), None


def cmd_release(args: argparse.Namespace) -> int:
    import asyncio
    import getpass
    import time

    from .audit import AuditWriter, release_record
    from .incidents.escalation import normalise_who, utc_text
    from .state import StoreError

    thresholds = ()
    try:
        settings = load_ruleset(args.ruleset).incidents.escalation
        thresholds = settings.thresholds if settings else ()
    except ConfigError as exc:
        print(f"aipolicy: the ruleset is invalid, only the escalation's own counter is "
              f"cleared:\n{exc}", file=sys.stderr)
    who = normalise_who(args.who)
    try:
        writer = AuditWriter(args.audit_log)
    except (OSError, ValueError) as exc:
        print(f"aipolicy: --audit-log: {exc}", file=sys.stderr)
        return 1
    store, escalations, problem = _escalations(args)
    if problem:
        print(f"aipolicy: {problem}", file=sys.stderr)
        return 1

    async def release():
        try:
            return await escalations.release(who, thresholds)
        finally:
            await store.close()

    try:
        esc = asyncio.run(release())
    except StoreError as exc:
        print(f"aipolicy: {exc}", file=sys.stderr)
        return 1
    try:
        operator = getpass.getuser()
    except (KeyError, OSError):
        operator = None
    writer.write(release_record(esc, who, operator, time.time()))
    writer.close()
    if esc is None:
        print(f"aipolicy: {who} was not escalated; their incident counters were cleared",
              file=sys.stderr)
        return 1
    until = "until released" if esc.until is None else f"until {utc_text(esc.until)}"
    print(f"aipolicy: released {who} (escalation {esc.reference}, threshold "
          f"{esc.threshold}, blocked {until}); proxies notice within their cache_seconds",
          file=sys.stderr)
    return 0


def cmd_escalations(args: argparse.Namespace) -> int:
    import asyncio

    from .incidents.escalation import utc_text
    from .state import StoreError

    store, escalations, problem = _escalations(args)
    if problem:
        print(f"aipolicy: {problem}", file=sys.stderr)
        return 1

    async def listing():
        try:
            return await escalations.escalated()
        finally:
            await store.close()

    try:
        found = asyncio.run(listing())
    except StoreError as exc:
        print(f"aipolicy: {exc}", file=sys.stderr)
        return 1
    for esc in found:
        print(json.dumps({
            "who": esc.who, "threshold": esc.threshold, "reference": esc.reference,
            "since": utc_text(esc.since),
            "until": utc_text(esc.until) if esc.until is not None else None,
            "detail": esc.detail()}))
    return 0


# ----------------------------------------------------------------------------- run
def cmd_run(argv: list[str]) -> int:
    """Start mitmdump in this process with the aipolicy addons preloaded.

    Unlike ``mitmdump -s``, a broken addon or ruleset stops the start with a non-zero
    exit instead of leaving a proxy running without policy.
    """
    ruleset = DEFAULT_RULESET
    passthrough: list[str] = []
    it = iter(argv)
    for arg in it:
        if arg == "--ruleset":
            ruleset = Path(next(it, ""))
        elif arg.startswith("--ruleset="):
            ruleset = Path(arg.split("=", 1)[1])
        else:
            passthrough.append(arg)
    if passthrough[:1] in (["-h"], ["--help"]):
        print("usage: aipolicy run [--ruleset PATH] [mitmdump options ...]\n"
              "Starts the proxy (default 127.0.0.1:8080, CA in certs/). "
              "mitmdump's own options follow:\n")
    else:
        try:
            load_ruleset(ruleset)
        except ConfigError as exc:
            print(f"aipolicy: refusing to start, invalid ruleset ({len(exc.problems)} "
                  f"problem(s)):\n{exc}", file=sys.stderr)
            return EXIT_CONFIG

    from . import ca

    user_set = _set_options(passthrough)
    confdir = Path(user_set.get("confdir", str(CERTS))).expanduser()
    ca.ensure_ca(confdir)
    defaults = ["--listen-host", "127.0.0.1", "--listen-port", "8080"]
    default_options = {
        "confdir": str(confdir),
        "flow_detail": "0",  # stdout is for the audit log; flows are not dumped
        "connection_strategy": "lazy",  # decide before dialling the upstream
        # absolute, not resolved: a Kubernetes ConfigMap mount is a symlink that moves
        # on every update, and reloads must follow the link, not its old target.
        "aipolicy_ruleset": str(ruleset.absolute()),
    }
    for name, value in default_options.items():
        if name not in user_set or name == "aipolicy_ruleset":
            defaults += ["--set", f"{name}={value}"]
    if "aipolicy_ruleset" in user_set:
        print("aipolicy: use --ruleset PATH rather than --set aipolicy_ruleset", file=sys.stderr)
        return EXIT_CONFIG
    return _run_mitmdump([*defaults, *passthrough])


def _set_options(passthrough: list[str]) -> dict[str, str]:
    """Options the user gave with ``--set name=value`` (mitmproxy refuses duplicates)."""
    found: dict[str, str] = {}
    for i, arg in enumerate(passthrough):
        value = None
        if arg == "--set" and i + 1 < len(passthrough):
            value = passthrough[i + 1]
        elif arg.startswith("--set="):
            value = arg[len("--set="):]
        if value and "=" in value:
            name, _, val = value.partition("=")
            found[name] = val
    return found


def _run_mitmdump(args: list[str]) -> int:
    import importlib.util

    from mitmproxy.addons import termlog
    from mitmproxy.tools import cmdline
    from mitmproxy.tools.dump import DumpMaster
    from mitmproxy.tools.main import run

    sys.path.insert(0, str(ADDONS))  # the entry module imports its sibling addons
    spec = importlib.util.spec_from_file_location("aipolicy_addons", ENTRY_ADDON)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a broken addon must stop the start, loudly
        print(f"aipolicy: cannot load addons from {ENTRY_ADDON}: "
              f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 3

    class AipolicyMaster(DumpMaster):
        def __init__(self, options, loop=None) -> None:
            super().__init__(options, loop=loop, with_termlog=False)
            # Logs go to stderr; stdout carries nothing but audit JSON lines.
            self._termlog_addon = termlog.TermLog(out=sys.stderr)
            self.addons.add(self._termlog_addon)
            self.addons.add(*module.addons)

    sys.argv[0] = "aipolicy run"
    try:
        run(AipolicyMaster, cmdline.mitmdump, args)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
