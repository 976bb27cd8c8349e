"""The deployment files parse, and agree with the code they deploy.

Metric names and labels are taken from the real registry (``PolicyMetrics``), command
lines are parsed with mitmdump's own argument parser, and option names are checked
against mitmproxy's and aipolicy's options, so a renamed metric, a misspelt flag or a
port that differs between two files fails here rather than in production.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from aipolicy import ca
from aipolicy.metrics import PolicyMetrics
from aipolicy.model import Action
from aipolicy.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "kubernetes"
FIXTURE_RULESET = ROOT / "tests" / "fixtures" / "rulesets" / "valid.yaml"

# Labels Prometheus adds to every scraped series (scrape.yaml adds `pod`).
TARGET_LABELS = frozenset({"job", "instance", "pod", "namespace"})
# Prometheus' own series that the rules may use besides ours.
BUILTIN_SERIES = frozenset({"up"})
PROMQL_KEYWORDS = frozenset({
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
    "unless", "offset", "inf", "nan",
    # aggregation operators, which may be followed by `by (...)` instead of `(`
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
    "bottomk", "topk", "quantile", "limitk", "limit_ratio",
})


# ----------------------------------------------------------------------------- helpers
@cache
def series_labels() -> dict[str, frozenset[str]]:
    """Every queryable series name the proxy exposes, with its label names."""
    metrics = PolicyMetrics()
    # An Info metric gets its labels from the dict it is given: load a ruleset's worth.
    metrics.ruleset_loaded_now("policy", "1", "ruleset.yaml", 0.0)
    out: dict[str, frozenset[str]] = {}
    for collector in vars(metrics).values():
        if not isinstance(collector, MetricWrapperBase):
            continue
        family = collector.describe()[0]
        labels = frozenset(collector._labelnames)  # where prometheus_client keeps them
        for sample_family in collector.collect():
            for sample in sample_family.samples:
                labels |= set(sample.labels) - {"le"}
        if family.type == "counter":
            out[f"{family.name}_total"] = labels
        elif family.type == "histogram":
            out[f"{family.name}_bucket"] = labels | {"le"}
            out[f"{family.name}_sum"] = labels
            out[f"{family.name}_count"] = labels
        elif family.type == "info":
            out[f"{family.name}_info"] = labels
        else:
            out[family.name] = labels
    return out


def test_registry_exposes_the_documented_series():
    # The deploy files rely on these exact names; the brief and deploy/README.md list them.
    assert set(series_labels()) >= {
        "aipolicy_requests_total", "aipolicy_decision_seconds_bucket",
        "aipolicy_scan_seconds_bucket", "aipolicy_findings_total",
        "aipolicy_inspection_failures_total", "aipolicy_tunnelled_connections_total",
        "aipolicy_ruleset_info", "aipolicy_ruleset_loaded_timestamp_seconds",
        "aipolicy_ruleset_reloads_total", "aipolicy_ruleset_reload_failures_total",
    }
    assert series_labels()["aipolicy_requests_total"] == {"app", "action"}
    assert series_labels()["aipolicy_ruleset_info"] == {"name", "version", "file"}


def promql_series(expr: str) -> set[str]:
    """Series names a PromQL expression selects (functions, keywords, labels removed)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r"\1", expr)
    names = set()
    for m in re.finditer(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()", expr):
        if m.group().lower() not in PROMQL_KEYWORDS:
            names.add(m.group())
    return names


def promql_matchers(expr: str) -> Iterator[tuple[str, str, str, str]]:
    """(series, label, operator, value) for every label matcher in a selector."""
    for sel in re.finditer(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}", expr):
        for m in re.finditer(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', sel.group(2)):
            yield sel.group(1), m.group(1), m.group(2), m.group(3)


def promql_grouping_labels(expr: str) -> set[str]:
    found: set[str] = set()
    for m in re.finditer(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", expr):
        found.update(x.strip() for x in m.group(1).split(",") if x.strip())
    return found


def check_promql(expr: str) -> None:
    known = series_labels()
    used = promql_series(expr)
    assert used, f"no series in {expr!r}"
    unknown = used - set(known) - BUILTIN_SERIES
    assert not unknown, f"unknown series {sorted(unknown)} in {expr!r}"
    for series, label, op, value in promql_matchers(expr):
        if series in BUILTIN_SERIES:
            continue
        assert label in known[series] | TARGET_LABELS, f"{series} has no label {label!r}"
        if label == "action" and "$" not in value:
            values = value.split("|") if op in ("=~", "!~") else [value]
            assert set(values) <= {a.value for a in Action}, f"unknown action in {expr!r}"
    labels_in_use = set().union(*(known[s] for s in used if s in known)) | TARGET_LABELS
    missing = promql_grouping_labels(expr) - labels_in_use
    assert not missing, f"grouping by labels {sorted(missing)} no series has in {expr!r}"


def test_promql_checker_rejects_mistakes():
    check_promql('sum by (app) (rate(aipolicy_requests_total{action="block"}[5m]))')
    for bad in ('rate(aipolicy_request_total[5m])',  # misspelt series
                'sum(aipolicy_requests_total{user="x"})',  # label the metric does not have
                'sum(aipolicy_requests_total{action="deny"})',  # not an action
                'sum by (user) (aipolicy_requests_total)'):
        with pytest.raises(AssertionError):
            check_promql(bad)


def yaml_docs(path: Path) -> list[Any]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]


def all_files(*suffixes: str) -> list[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.is_file() and p.suffix in suffixes)


@cache
def mitmdump_parser_and_options() -> tuple[Any, frozenset[str]]:
    """mitmdump's argument parser with every option of mitmdump and of aipolicy."""
    from mitmproxy import options
    from mitmproxy.addonmanager import Loader, traverse
    from mitmproxy.addons import default_addons, dumper, keepserving, readfile, termlog
    from mitmproxy.tools import cmdline

    class _Master:  # Loader only needs .options
        pass

    master = _Master()
    master.options = options.Options()
    extra = [termlog.TermLog(), dumper.Dumper(), keepserving.KeepServing(),
             readfile.ReadFileStdin()]
    for addon in traverse([*default_addons(), *extra]):
        if hasattr(addon, "load"):
            addon.load(Loader(master))
    names = set(master.options.keys())
    for source in (ROOT / "addons").glob("*.py"):
        names.update(re.findall(r'add_option\(\s*"(\w+)"', source.read_text(encoding="utf-8")))
    return cmdline.mitmdump(master.options), frozenset(names)


def check_run_arguments(args: list[str]) -> dict[str, str]:
    """Validate the words after `aipolicy run`; return the --set options given."""
    args = list(args)
    if "--ruleset" in args:
        i = args.index("--ruleset")
        assert args[i + 1].endswith(".yaml")
        del args[i:i + 2]
    parser, option_names = mitmdump_parser_and_options()
    try:
        parsed = parser.parse_args(args)
    except SystemExit:
        pytest.fail(f"mitmdump does not accept {args}")
    given: dict[str, str] = {}
    for spec in parsed.setoptions or []:
        name, _, value = spec.partition("=")
        assert name in option_names, f"no option {name!r}"
        assert name not in given, f"--set {name} given twice (mitmproxy refuses that)"
        given[name] = value
    # The launcher sets these itself; repeating them is refused.
    assert "aipolicy_ruleset" not in given
    return given


def test_run_argument_checker_rejects_mistakes():
    assert check_run_arguments(["--listen-host", "0.0.0.0", "--set", "block_global=false"])
    with pytest.raises(pytest.fail.Exception):
        check_run_arguments(["--listen-addr", "0.0.0.0"])  # no such mitmdump flag
    for bad in (["--set", "aipolicy_metrics=1"],  # no such option
                ["--set", "confdir=a", "--set", "confdir=b"]):  # mitmproxy refuses repeats
        with pytest.raises(AssertionError):
            check_run_arguments(bad)


# ----------------------------------------------------------------------------- parse all
def relative(path: Path) -> str:
    return str(path.relative_to(DEPLOY))


@pytest.mark.parametrize("path", all_files(".yaml", ".yml"), ids=relative)
def test_every_yaml_document_parses(path):
    docs = yaml_docs(path)
    assert docs and all(isinstance(d, dict) for d in docs)


@pytest.mark.parametrize("path", all_files(".json"), ids=relative)
def test_every_json_file_parses(path):
    assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict)


# ----------------------------------------------------------------------------- grafana
def dashboard_panels(panels: list[dict]) -> Iterator[dict]:
    for panel in panels:
        yield panel
        yield from dashboard_panels(panel.get("panels", []))


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads((DEPLOY / "grafana" / "aipolicy-dashboard.json").read_text("utf-8"))


def test_grafana_dashboard_structure(dashboard):
    assert dashboard["title"] and dashboard["uid"] and isinstance(dashboard["schemaVersion"], int)
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    panels = list(dashboard_panels(dashboard["panels"]))
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    graphs = [p for p in panels if p["type"] != "row"]
    assert len(graphs) >= 8
    for p in graphs:
        assert p["title"] and set(p["gridPos"]) == {"x", "y", "w", "h"}
        assert p["gridPos"]["x"] + p["gridPos"]["w"] <= 24
        assert p["datasource"]["uid"] == "${datasource}"
        assert p["targets"] and all(t["expr"].strip() for t in p["targets"])
        refs = [t["refId"] for t in p["targets"]]
        assert len(refs) == len(set(refs))


def test_grafana_queries_use_only_real_metrics(dashboard):
    exprs = [t["expr"] for p in dashboard_panels(dashboard["panels"]) for t in p.get("targets", [])]
    exprs += [a["expr"] for a in dashboard["annotations"]["list"] if a.get("expr")]
    for expr in exprs:
        check_promql(expr)
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":  # label_values(SERIES, LABEL)
            series, label = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)",
                                         variable["definition"]).groups()
            assert label in series_labels()[series]


def test_grafana_dashboard_covers_what_the_network_team_asked_for(dashboard):
    exprs = [" ".join(expr.split()) for p in dashboard_panels(dashboard["panels"])
             for expr in (t["expr"] for t in p.get("targets", []))]

    def some(*needles: str) -> bool:
        return any(all(n in e for n in needles) for e in exprs)

    assert some("aipolicy_requests_total", "by (app, action)")
    assert some("aipolicy_requests_total", 'action="monitor"', "topk(")  # shadow AI
    assert some("aipolicy_requests_total", 'action="block"')
    assert some("histogram_quantile(0.5,", "aipolicy_decision_seconds_bucket")
    assert some("histogram_quantile(0.99,", "aipolicy_decision_seconds_bucket")
    assert some("aipolicy_findings_total", "type")
    assert some("aipolicy_ruleset_reload_failures_total")
    # the security team's view: incidents, escalations, coaching, acknowledgement, review
    assert some("aipolicy_incidents_total", "by (severity)")
    assert some("aipolicy_escalations_total")
    assert some("aipolicy_incident_deliveries_total", "result")
    assert some("aipolicy_coach_total", 'outcome="proceeded"', "/")  # a proceed rate
    assert some("aipolicy_acknowledgements_total")
    assert some("aipolicy_policy_review_overdue_days")
    assert some("aipolicy_state_store_failures_total")


# ----------------------------------------------------------------------------- prometheus
@pytest.fixture(scope="module")
def alert_rules() -> list[dict]:
    doc = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yaml").read_text("utf-8"))
    return [rule for group in doc["groups"] for rule in group["rules"]]


def test_alert_rules_are_well_formed(alert_rules):
    names = [r["alert"] for r in alert_rules]
    assert len(names) == len(set(names))
    for rule in alert_rules:
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", rule["alert"])
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        if "for" in rule:
            assert re.fullmatch(r"\d+[smh]", rule["for"])
        check_promql(rule["expr"])


def test_alert_rules_cover_the_failure_modes(alert_rules):
    exprs = {r["alert"]: " ".join(r["expr"].split()) for r in alert_rules}
    joined = " ".join(exprs.values())
    assert "aipolicy_ruleset_reload_failures_total" in joined
    assert "aipolicy_inspection_failures_total" in joined
    assert "absent(aipolicy_ruleset_info)" in joined  # no proxy has a ruleset: /readyz down
    assert any("histogram_quantile(0.99" in e and "aipolicy_decision_seconds_bucket" in e
               for e in exprs.values())
    assert any('aipolicy_requests_total{action="block"}' in e and "by (app)" in e
               for e in exprs.values())
    # incidents that cannot be delivered, or escalations that cannot be checked
    assert 'aipolicy_incident_deliveries_total{result="failed"}' in joined
    assert "aipolicy_incidents_dropped_total" in joined
    assert "aipolicy_escalation_store_errors_total" in joined
    assert "aipolicy_state_store_failures_total" in joined
    assert "aipolicy_policy_review_overdue" in joined


def test_scrape_job_matches_the_alerts(alert_rules):
    doc = yaml.safe_load((DEPLOY / "prometheus" / "scrape.yaml").read_text("utf-8"))
    jobs = {job["job_name"] for job in doc["scrape_configs"]}
    for rule in alert_rules:
        for series, label, _op, value in promql_matchers(rule["expr"]):
            if series == "up" and label == "job":
                assert value in jobs


# ----------------------------------------------------------------------------- PAC
def test_pac_file_defines_find_proxy_for_url_and_never_falls_back_to_direct():
    text = (DEPLOY / "pac" / "proxy.pac").read_text("utf-8")
    assert re.search(r"function\s+FindProxyForURL\s*\(\s*url\s*,\s*host\s*\)", text)
    proxies = re.search(r'var\s+PROXIES\s*=\s*"([^"]+)"', text).group(1)
    assert proxies.startswith("PROXY ") and "DIRECT" not in proxies


def load_make_pac():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_pac", DEPLOY / "pac" / "make_pac.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_ai_only_pac_covers_the_whole_catalog():
    make_pac = load_make_pac()
    catalog = load_ruleset(FIXTURE_RULESET).catalog
    hosts = make_pac.ai_hosts(catalog)
    text = make_pac.render(hosts, ["p1.example.com:8080", "p2.example.com:3128"], "test")
    assert "@" not in re.sub(r"//.*", "", text), "a template placeholder was left"
    assert 'var PROXIES = "PROXY p1.example.com:8080; PROXY p2.example.com:3128";' in text
    assert "function FindProxyForURL(url, host)" in text
    listed = set(re.findall(r'^\s+"([a-z0-9.-]+)": true', text, flags=re.M))
    for app in catalog:
        for name in [*app.domains, *(h for h, _ in app.paths)]:
            labels = name.split(".")
            assert any(".".join(labels[i:]) in listed for i in range(len(labels))), name
    with pytest.raises(ValueError):
        make_pac.render(hosts, ["not a proxy"], "test")


def test_generated_pac_sends_tenant_sign_in_hosts_to_the_proxy(tmp_path):
    make_pac = load_make_pac()
    rs = tmp_path / "ruleset.yaml"
    rs.write_text(FIXTURE_RULESET.read_text().replace(
        "catalog: catalog.yaml", f"catalog: {FIXTURE_RULESET.parent / 'catalog.yaml'}") + """
tenants:
  restrict:
    microsoft-tenant-policy:
      values: ["550e8400-e29b-41d4-a716-446655440000:6ba7b810-9dad-11d1-80b4-00c04fd430c8"]
      sign_in: true
""")
    ruleset = load_ruleset(rs)
    hosts = make_pac.proxied_hosts(ruleset)
    assert {"login.microsoftonline.com", "login.live.com"} <= set(hosts)
    assert set(make_pac.ai_hosts(ruleset.catalog)) < set(hosts)
    assert make_pac.proxied_hosts(load_ruleset(FIXTURE_RULESET)) == make_pac.ai_hosts(
        ruleset.catalog)


NODE_PAC_HARNESS = r"""
const fs = require("fs"), vm = require("vm");
const n = ip => ip.split(".").reduce((a, b) => a * 256 + Number(b), 0);
const ctx = {
  isPlainHostName: h => h.indexOf(".") < 0,
  dnsDomainIs: (h, d) => h.length >= d.length && h.endsWith(d),
  isInNet: (h, net, mask) => {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(h)) throw new Error("PAC resolved a name: " + h);
    return ((n(h) & n(mask)) >>> 0) === ((n(net) & n(mask)) >>> 0);
  },
};
vm.createContext(ctx);
vm.runInContext(fs.readFileSync(process.argv[2], "utf8"), ctx);
const out = {};
for (const h of process.argv.slice(3)) out[h] = ctx.FindProxyForURL("https://" + h + "/", h);
console.log(JSON.stringify(out));
"""


def run_pac(tmp_path: Path, pac_text: str, hosts: list[str]) -> dict[str, str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; PAC behaviour is checked where it is")
    pac = tmp_path / "test.pac"
    pac.write_text(pac_text, encoding="utf-8")
    harness = tmp_path / "harness.js"
    harness.write_text(NODE_PAC_HARNESS, encoding="utf-8")
    done = subprocess.run([node, str(harness), str(pac), *hosts], capture_output=True,
                          text=True, timeout=30, check=True)
    return json.loads(done.stdout)


def test_pac_routing_behaviour(tmp_path):
    everything = run_pac(tmp_path, (DEPLOY / "pac" / "proxy.pac").read_text("utf-8"), [
        "api.openai.com", "example.com", "intranet", "wiki.corp.example.com",
        "xcorp.example.com", "10.1.2.3", "8.8.8.8", "fd00::1", "2001:db8::1"])
    proxy = "PROXY aipolicy.example.com:8080"
    assert everything == {
        "api.openai.com": proxy, "example.com": proxy, "intranet": "DIRECT",
        "wiki.corp.example.com": "DIRECT", "xcorp.example.com": proxy,
        "10.1.2.3": "DIRECT", "8.8.8.8": proxy, "fd00::1": "DIRECT", "2001:db8::1": proxy}

    make_pac = load_make_pac()
    catalog = load_ruleset(FIXTURE_RULESET).catalog
    ai_only = run_pac(tmp_path, make_pac.render(make_pac.ai_hosts(catalog), ["p:1"], "t"), [
        "api.openai.com", "x.chatgpt.com", "CHATGPT.COM.", "notchatgpt.com", "www.bing.com",
        "example.com"])
    assert ai_only == {
        "api.openai.com": "PROXY p:1", "x.chatgpt.com": "PROXY p:1", "CHATGPT.COM.": "PROXY p:1",
        "notchatgpt.com": "DIRECT", "www.bing.com": "PROXY p:1", "example.com": "DIRECT"}


# ----------------------------------------------------------------------------- systemd
def systemd_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    text = re.sub(r"\\\n\s*", " ", path.read_text("utf-8"))  # line continuations
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
            continue
        key, sep, value = line.partition("=")
        assert sep and current is not None, f"stray line {line!r}"
        current.append((key.strip(), value.strip()))
    return sections


def unit_values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in section if k == key]


def after_run(command: str) -> list[str]:
    words = shlex.split(command)
    i = words.index("run")
    assert words[i - 1].endswith("aipolicy")
    return words[i + 1:]


def test_systemd_unit():
    unit = systemd_unit(DEPLOY / "systemd" / "aipolicy.service")
    assert {"Unit", "Service", "Install"} <= set(unit)
    svc = unit["Service"]
    (start,) = unit_values(svc, "ExecStart")
    assert "aipolicy run" in start
    args = after_run(start)
    options = check_run_arguments(args)
    ruleset = args[args.index("--ruleset") + 1]
    # The unit validates the very ruleset it runs, before starting and on reload.
    assert unit_values(svc, "ExecStartPre") == [f"/opt/aipolicy/.venv/bin/aipolicy check {ruleset}"]
    assert unit_values(svc, "ExecReload") == unit_values(svc, "ExecStartPre")
    assert unit_values(svc, "User") == ["aipolicy"]
    for key, value in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
                       ("Restart", "on-failure"), ("RestartPreventExitStatus", "2")):
        assert unit_values(svc, key) == [value]
    writable = " ".join(unit_values(svc, "ReadWritePaths")).split()
    assert "/opt/aipolicy/certs" in writable
    assert str(Path(options["aipolicy_audit_log"]).parent) in writable
    # the state store and the incident queue: the unit's own writable state directory
    assert options["aipolicy_data_dir"] == "/var/lib/" + unit_values(svc, "StateDirectory")[0]
    assert unit_values(unit["Install"], "WantedBy") == ["multi-user.target"]


def test_logrotate_rotates_the_audit_file_the_unit_writes():
    unit = systemd_unit(DEPLOY / "systemd" / "aipolicy.service")
    options = check_run_arguments(after_run(unit_values(unit["Service"], "ExecStart")[0]))
    rotate = (DEPLOY / "logrotate" / "aipolicy").read_text("utf-8")
    assert re.search(rf"^{re.escape(options['aipolicy_audit_log'])}\s*\{{", rotate, flags=re.M)
    assert "copytruncate" not in rotate.split("{", 1)[1]  # the writer reopens; no truncation


# ----------------------------------------------------------------------------- container
def containerfile() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Containerfile").read_text("utf-8"))
    lines = [ln.strip() for ln in text.splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1]) for ln in lines]


def test_containerfile():
    steps = containerfile()
    get = lambda op: [arg for o, arg in steps if o == op]  # noqa: E731
    assert get("FROM") == ["python:3.12-slim"]
    assert any("pip install -e ." in run for run in get("RUN"))
    users = get("USER")
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert set(" ".join(get("EXPOSE")).split()) == {"8080", "9464"}
    (health,) = get("HEALTHCHECK")
    assert "/healthz" in health and "9464" in health
    for copy in get("COPY"):
        sources = [w for w in copy.split()[:-1] if not w.startswith("--")]
        for src in sources:
            assert src not in {".", "./"} and not src.startswith("certs"), (
                "the CA private key must never be copied into the image")
            assert (ROOT / src).exists(), src
    cmd = json.loads(get("CMD")[0])
    assert cmd[0] == "run"
    options = check_run_arguments(cmd[1:])
    assert options["aipolicy_metrics_listen"].endswith(":9464")
    assert options["aipolicy_audit_log"] == "-"
    data_dir = options["aipolicy_data_dir"]
    assert any("-o aipolicy -g aipolicy" in run and data_dir in run for run in get("RUN"))
    (entrypoint,) = json.loads(get("ENTRYPOINT")[0])
    assert any(copy.endswith(entrypoint) for copy in get("COPY"))


def test_container_entrypoint_puts_the_ca_where_the_launcher_reads_it():
    script = (DEPLOY / "container" / "entrypoint.sh").read_text("utf-8")
    (workdir,) = [arg for op, arg in containerfile() if op == "WORKDIR"]
    # The image installs the checkout at WORKDIR, so the launcher's certs/ is WORKDIR/certs.
    assert f"certs={workdir}/{ca.ca_paths(Path('certs'))[0].parent}" in script
    for name in (p.name for p in ca.ca_paths(Path("certs"))):
        assert name in script
    assert 'exec aipolicy "$@"' in script
    if shutil.which("sh"):
        subprocess.run(["sh", "-n", str(DEPLOY / "container" / "entrypoint.sh")], check=True)


# ----------------------------------------------------------------------------- kubernetes
@pytest.fixture(scope="module")
def k8s() -> dict[tuple[str, str], dict]:
    objects = {}
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml_docs(path):
            key = (doc["kind"], doc["metadata"]["name"])
            assert key not in objects, key
            objects[key] = doc
    return objects


def test_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text("utf-8"))
    manifests = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == manifests


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def test_kubernetes_deployment(k8s):
    deploy = k8s[("Deployment", "aipolicy")]
    spec = deploy["spec"]
    assert spec["replicas"] >= 2
    pod_labels = spec["template"]["metadata"]["labels"]
    assert selects(spec["selector"]["matchLabels"], pod_labels)
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    options = check_run_arguments(container["args"][1:])
    assert container["args"][0] == "run"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"proxy": 8080, "metrics": 9464}
    assert options["aipolicy_metrics_listen"] == "0.0.0.0:9464"
    # The default (one worker per CPU) counts the node's CPUs, not the pod's limit.
    assert 1 <= int(options["aipolicy_scan_workers"]) < int(container["resources"]["limits"]["cpu"])
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        get = container[probe]["httpGet"]
        assert get["path"] == path and ports[get["port"]] == 9464
    limits = container["resources"]["limits"]
    assert limits["memory"] == "600Mi" and str(limits["cpu"]) == "2"
    assert container["securityContext"]["allowPrivilegeEscalation"] is False

    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    ruleset = Path(container["args"][container["args"].index("--ruleset") + 1])
    rules_mount = mounts[str(ruleset.parent)]
    # A ConfigMap mounted as a directory: subPath mounts never see updates, so no reload.
    assert "configMap" in volumes[rules_mount["name"]] and "subPath" not in rules_mount
    env = {e["name"]: e["value"] for e in container["env"]}
    ca_mount = mounts[env["AIPOLICY_CA_DIR"]]
    assert "secret" in volumes[ca_mount["name"]] and ca_mount["readOnly"] is True
    assert "/opt/aipolicy/certs" in mounts  # writable copy; the root file system is read-only
    data = mounts[options["aipolicy_data_dir"]]  # the incident queue must be writable
    assert "emptyDir" in volumes[data["name"]] and not data.get("readOnly")


def test_kubernetes_services_budget_and_autoscaler(k8s):
    deploy = k8s[("Deployment", "aipolicy")]
    pod_labels = deploy["spec"]["template"]["metadata"]["labels"]
    services = [o for (kind, _), o in k8s.items() if kind == "Service"]
    assert all(selects(s["spec"]["selector"], pod_labels) for s in services)
    proxy = [s for s in services if any(p["port"] == 8080 for p in s["spec"]["ports"])]
    assert len(proxy) == 1 and proxy[0]["spec"]["ports"][0]["targetPort"] == "proxy"
    (metrics,) = [s for s in services if any(p["port"] == 9464 for p in s["spec"]["ports"])]
    annotations = metrics["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "9464"
    assert annotations["prometheus.io/path"] == "/metrics"
    assert metrics["spec"]["clusterIP"] == "None"

    (pdb,) = [o for (kind, _), o in k8s.items() if kind == "PodDisruptionBudget"]
    assert selects(pdb["spec"]["selector"]["matchLabels"], pod_labels)
    (hpa,) = [o for (kind, _), o in k8s.items() if kind == "HorizontalPodAutoscaler"]
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deploy["metadata"]["name"])
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


# ----------------------------------------------------------------------------- docs
CERTS_README_MUST_MENTION = (
    # Windows
    "Computer Configuration → Policies → Windows Settings → Security Settings → Public Key\n"
    "  Policies → Trusted Root Certification Authorities",
    "certutil -addstore -f Root aipolicy-ca.cer", "Intune",
    # macOS
    "security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain", "MDM",
    # Linux
    "/usr/local/share/ca-certificates/", "update-ca-certificates",
    "/etc/pki/ca-trust/source/anchors", "update-ca-trust",
    # Firefox
    "ImportEnterpriseRoots", '"Install"', "policies.json",
    # runtimes and tools
    "keytool -importcert -cacerts -alias aipolicy", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE",
    "httpx", "openai", "anthropic", "NODE_EXTRA_CA_CERTS", "--cacert", "CURL_CA_BUNDLE",
    "git config", "### Docker", "update-ca-certificates",
    # verification
    "openssl s_client -proxy 127.0.0.1:8080 -connect api.openai.com:443 -showcerts",
    # export commands that exist
    "aipolicy ca export --der --out aipolicy-ca.cer", "aipolicy ca init",
)


def test_certs_readme_covers_every_platform():
    text = (ROOT / "certs" / "README.md").read_text("utf-8")
    flat = " ".join(text.split())
    for needle in CERTS_README_MUST_MENTION:
        assert " ".join(needle.split()) in flat, needle
    for section in ("### Windows", "### macOS", "### Linux", "### Firefox", "### Java",
                    "### Python", "### Node.js", "### curl", "### git", "## Verifying"):
        assert section in text, section
    # Every file the CA code writes is described, and the private ones are marked secret.
    for name in (*ca.SECRET_FILES, *(p.name for p in ca.ca_paths(Path("certs")))):
        assert f"`{name}`" in text, name
    for block in re.findall(r"```json\n(.*?)```", text, flags=re.S):
        json.loads(block)


def test_deploy_readme_documents_the_real_metrics_and_the_firewall():
    text = (DEPLOY / "README.md").read_text("utf-8")
    documented = set(re.findall(r"^\| `(aipolicy_[a-z_]+)` \| (?:counter|gauge|histogram|info)",
                                text, flags=re.M))
    exposed = {re.sub(r"_(bucket|sum|count)$", "", s) for s in series_labels()}
    assert documented == exposed
    for needle in ("UDP 443", "--mode transparent", "SNI", "REDIRECT", "/readyz", "/healthz",
                   "same CA", "subPath"):
        assert needle in text, needle
