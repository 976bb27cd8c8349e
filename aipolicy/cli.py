"""The ``aipolicy`` command: run the proxy, check a ruleset, manage the CA, test a request.

    aipolicy run [--ruleset PATH] [any mitmdump option ...]
    aipolicy check RULESET
    aipolicy ca init | export [--der] [--out FILE] | path
    aipolicy test [--ruleset PATH] URL [--method M] [--client-ip IP] [--user U] [--accept A]
                  [--header "Name: value" ...]
    aipolicy report AUDIT_LOG... [--since T] [--until T] [--html F] [--csv DIR] [--json F]
"""

from __future__ import annotations

import argparse
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
from .paths import ADDONS, CERTS, DEFAULT_RULESET, ENTRY_ADDON
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

    t = sub.add_parser("test", help="show what the policy decides for a request")
    t.add_argument("url")
    t.add_argument("--ruleset", type=Path, default=DEFAULT_RULESET)
    t.add_argument("--method", default="POST")
    t.add_argument("--client-ip", default="127.0.0.1")
    t.add_argument("--user")
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
    return p


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
        client=ClientIdentity(ipaddress.ip_address(args.client_ip), args.user), names=names,
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
