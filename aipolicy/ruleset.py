"""The ruleset: policy metadata, identity groups, app statuses and access rules.

``load_ruleset`` validates the whole file against the schema and either returns a
complete, immutable ``Ruleset`` or raises ``ConfigError`` listing every problem with
file, line and field. Nothing is defaulted silently: a missing required section is an
error, not a fallback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .activity import ActivityTable, load_activities_ref
from .catalog import Catalog, load_catalog
from .clients import ClientProfiles, load_client_profiles
from .coach_config import CoachSettings, parse_coach_section, rule_coach_options
from .destination_config import DestinationSettings, parse_destinations
from .errors import ConfigError
from .identity import EVERYONE, Group, GroupDirectory
from .incidents.config import IncidentSettings, parse_incidents, parse_severity
from .incidents.model import Severity
from .inspection_config import InspectionSettings, parse_inspection
from .model import Action, Activity, App, AppConditions, CoachOptions, Mode, Status
from .policy_text import OPTIONAL_KEYS as POLICY_TEXT_KEYS
from .policy_text import AcknowledgementSettings, PolicySummary, parse_policy_text
from .schema import Checker
from .sources import FileReader, Snapshot, Sources, absolute
from .tenants import TenantRestriction, parse_tenants
from .yamlsrc import LineDict, Src, load_yaml

_ACCESS_ACTIONS = (Action.ALLOW.value, Action.MONITOR.value, Action.COACH.value,
                   Action.BLOCK.value)
# What an acknowledgement or coach check does when the state store fails: block (with a
# notice that the policy check is unavailable) or monitor (let it through, recorded).
_STORE_ERROR_ACTIONS = (Action.BLOCK.value, Action.MONITOR.value)


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    version: str
    owner: str
    contact: str
    url: str
    effective: dt.date
    next_review: dt.date
    summary: PolicySummary = PolicySummary()  # the text the acknowledgement page shows
    acknowledgement: AcknowledgementSettings = AcknowledgementSettings()


Match = AppConditions  # access-rule conditions


@dataclass(frozen=True)
class AccessRule:
    id: str
    when: Match
    action: Action
    reason: str
    mode: Mode | None = None  # overrides the ruleset's mode for this rule
    alternative: str | None = None  # app id of the approved alternative
    alternative_text: str | None = None
    coach: CoachOptions | None = None  # set when ``action`` is coach
    incident: Severity | None = None  # what this rule catches is an incident


@dataclass(frozen=True)
class Ruleset:
    path: Path
    policy: PolicyInfo
    mode: Mode
    catalog: Catalog
    directory: GroupDirectory
    app_status: Mapping[str, Status]  # explicit statuses (read-only view)
    default_status: Status
    rules: tuple[AccessRule, ...]
    default_rule: AccessRule
    sources: Snapshot  # the bytes of every file this ruleset was built from
    activities: ActivityTable  # what a request does: prompt, upload, other
    inspection: InspectionSettings | None = None  # None: no content inspection
    destinations: DestinationSettings = DestinationSettings()  # decryption scope, fronting
    clients: ClientProfiles | None = None  # None: every client gets the provider's 403
    coach: CoachSettings | None = None  # the coach pages' choices; set when a rule coaches
    on_store_error: Action = Action.BLOCK  # acknowledgement/coach checks without a store
    incidents: IncidentSettings = IncidentSettings()  # sinks, queue bound, escalation
    tenants: TenantRestriction | None = None  # tenant headers set on the way out

    @property
    def source_files(self) -> tuple[Path, ...]:
        return self.sources.paths

    def status_of(self, app: App) -> Status:
        return self.app_status.get(app.id, self.default_status)

    def alternative_app(self, rule: AccessRule) -> App | None:
        return self.catalog.get(rule.alternative) if rule.alternative else None


_TOP_KEYS = ("policy", "mode", "catalog", "identity", "apps", "access")
_OPTIONAL_TOP = ("inspection", "destinations", "clients", "coach", "on_store_error",
                 "incidents", "activities", "tenants")


def load_ruleset(path: str | Path, sources: Snapshot | None = None) -> Ruleset:
    """Load and validate a ruleset file and every file it names, from disk (each file
    read once; the result keeps their bytes as ``Ruleset.sources``) or, in a scan
    worker, from the ``sources`` snapshot the main process validated."""
    path = Path(path)
    reader: Sources = sources if sources is not None else FileReader()
    doc = load_yaml(path, reader)
    root = Src(str(path), "", 1)
    check = Checker()
    top = check.mapping(doc, root, required=_TOP_KEYS, optional=_OPTIONAL_TOP)
    check.raise_if_any()
    assert top is not None

    catalog = _load_catalog_ref(check, top, root, path, reader)
    policy = _policy(check, top["policy"], root.key(top, "policy"))
    mode = check.choice(top["mode"], root.key(top, "mode"), [m.value for m in Mode])
    directory = _identity(check, top["identity"], root.key(top, "identity"))
    app_status, default_status = _apps(check, top["apps"], root.key(top, "apps"), catalog)
    rules, default_rule = _access(
        check, top["access"], root.key(top, "access"), catalog, directory
    )
    activities = load_activities_ref(check, top.get("activities"),
                                     root.key(top, "activities"), path.parent, reader)
    tenants = None
    if "tenants" in top:
        tenants = parse_tenants(check, top["tenants"], root.key(top, "tenants"), path.parent,
                                reader)
    inspection = None
    if "inspection" in top:
        known = {
            "apps": frozenset(a.id for a in catalog.apps),
            "vendors": catalog.vendors,
            "categories": catalog.categories,
            "statuses": frozenset(s.value for s in Status),
            "groups": directory.ids,
            "activities": frozenset(a.value for a in Activity),
        }
        inspection = parse_inspection(check, top["inspection"], root.key(top, "inspection"),
                                      path.parent, known, reader)
        if inspection is not None and catalog is not None:
            for rule_id, src in catalog.credential_sources:
                if rule_id not in inspection.secret_ids:
                    check.fail(src, f"unknown secret rule {rule_id!r} (not in "
                                    f"{inspection.secret_rules.name})")
    destinations = DestinationSettings()
    if "destinations" in top:
        destinations = parse_destinations(check, top["destinations"],
                                          root.key(top, "destinations")) or destinations
    clients = None
    if "clients" in top:
        clients = _load_clients(check, top, root, path, frozenset(a.id for a in catalog.apps),
                                reader)
    coach = None
    if "coach" in top:
        coach = parse_coach_section(check, top["coach"], root.key(top, "coach"))
    else:
        _coach_rules_need_section(check, top, root)
    on_store_error = Action.BLOCK
    if "on_store_error" in top:
        choice = check.choice(top["on_store_error"], root.key(top, "on_store_error"),
                              _STORE_ERROR_ACTIONS)
        on_store_error = Action(choice) if choice else on_store_error
    incidents = IncidentSettings()
    if "incidents" in top:
        incidents = parse_incidents(check, top["incidents"], root.key(top, "incidents"),
                                    path.parent, reader) or incidents
    check.raise_if_any()
    assert policy and mode and catalog and default_status and default_rule and activities
    return Ruleset(
        path=path,
        policy=policy,
        mode=Mode(mode),
        catalog=catalog,
        directory=directory,
        app_status=MappingProxyType(app_status),
        default_status=default_status,
        rules=rules,
        default_rule=default_rule,
        sources=reader.snapshot(path) if isinstance(reader, FileReader) else reader,
        activities=activities,
        inspection=inspection,
        destinations=destinations,
        clients=clients,
        coach=coach,
        on_store_error=on_store_error,
        incidents=incidents,
        tenants=tenants,
    )


def _load_catalog_ref(check: Checker, top: LineDict, root: Src, path: Path,
                      sources: Sources) -> Catalog:
    src = root.key(top, "catalog")
    name = check.string(top["catalog"], src)
    if name is None:
        check.raise_if_any()
    catalog_path = Path(absolute(path.parent / str(name)))
    if not sources.include(catalog_path):
        check.fail(src, f"catalog file {name!r} not found next to the ruleset")
        check.raise_if_any()
    try:
        return load_catalog(catalog_path, sources)
    except ConfigError as exc:
        check.problems.extend(exc.problems)
        raise ConfigError(check.problems) from None


def _load_clients(check: Checker, top: LineDict, root: Src, path: Path,
                  app_ids: frozenset[str], sources: Sources) -> ClientProfiles | None:
    """The client profiles file the ruleset names (how each client is shown notices)."""
    src = root.key(top, "clients")
    name = check.string(top["clients"], src)
    if name is None:
        return None
    clients_path = Path(absolute(path.parent / name))
    if not sources.include(clients_path):
        check.fail(src, f"client profiles file {name!r} not found next to the ruleset")
        return None
    try:
        return load_client_profiles(clients_path, app_ids, sources)
    except ConfigError as exc:
        check.problems.extend(exc.problems)
        return None


def _coach_rules_need_section(check: Checker, top: LineDict, root: Src) -> None:
    """Rules that coach need the top-level ``coach`` section (the choices people give)."""
    places = []
    access = top.get("access")
    if isinstance(access, dict):
        asrc = root.key(top, "access")
        rules = access.get("rules")
        if isinstance(rules, list):
            rsrc = asrc.key(access, "rules")
            places += [(rule, rsrc.item(rules, i)) for i, rule in enumerate(rules)]
        if "default" in access:
            places.append((access["default"], asrc.key(access, "default")))
    inspection = top.get("inspection")
    if isinstance(inspection, dict) and isinstance(inspection.get("rules"), list):
        rsrc = root.key(top, "inspection").key(inspection, "rules")
        places += [(rule, rsrc.item(inspection["rules"], i))
                   for i, rule in enumerate(inspection["rules"])]
    for rule, src in places:
        if isinstance(rule, dict) and rule.get("action") == Action.COACH.value:
            check.fail(src.key(rule, "action"), "action coach needs the top-level `coach` "
                       "section (the justifications people choose from)")


def _policy(check: Checker, value: Any, src: Src) -> PolicyInfo | None:
    keys = ("name", "version", "owner", "contact", "url", "effective", "next_review")
    m = check.mapping(value, src, required=keys, optional=POLICY_TEXT_KEYS)
    if m is None or any(k not in m for k in keys):
        return None
    strings = {k: check.string(m[k], src.key(m, k)) for k in keys[:5]}
    summary, acknowledgement = parse_policy_text(check, m, src, strings["version"])
    url = strings["url"]
    if url and not url.startswith(("https://", "http://")):
        check.fail(src.key(m, "url"), f"{url!r} is not an http(s) URL")
    effective = check.date(m["effective"], src.key(m, "effective"))
    review = check.date(m["next_review"], src.key(m, "next_review"))
    if effective and review and review <= effective:
        check.fail(src.key(m, "next_review"), "must be after the effective date")
    if None in strings.values() or effective is None or review is None:
        return None
    return PolicyInfo(**strings, effective=effective, next_review=review,  # type: ignore[arg-type]
                      summary=summary, acknowledgement=acknowledgement)


def _identity(check: Checker, value: Any, src: Src) -> GroupDirectory:
    m = check.mapping(value, src, required=("groups",))
    if m is None or "groups" not in m:
        return GroupDirectory(())
    gsrc = src.key(m, "groups")
    items = check.sequence(m["groups"], gsrc) or []
    groups: list[Group] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        isrc = gsrc.item(m["groups"], i)
        g = check.mapping(item, isrc, required=("id",), optional=("description", "cidrs", "users"))
        if g is None or "id" not in g:
            continue
        gid = check.identifier(g["id"], isrc.key(g, "id"))
        if gid is None:
            continue
        if gid == EVERYONE:
            check.fail(isrc.key(g, "id"), f"{EVERYONE!r} is built in and cannot be redefined")
        elif gid in seen:
            check.fail(isrc.key(g, "id"), f"duplicate group id {gid!r}")
        seen.add(gid)
        description = ""
        if "description" in g:
            description = check.string(g["description"], isrc.key(g, "description")) or ""
        cidrs = []
        if "cidrs" in g:
            csrc = isrc.key(g, "cidrs")
            raw = g["cidrs"] if isinstance(g["cidrs"], list) else [g["cidrs"]]
            for j, c in enumerate(raw):
                net = check.network(c, csrc.item(g["cidrs"], j))
                if net is not None:
                    cidrs.append(net)
        users = check.string_list(g["users"], isrc.key(g, "users")) if "users" in g else ()
        if not cidrs and not users:
            check.fail(isrc, "a group needs at least one of cidrs or users")
        groups.append(Group(gid, description, tuple(cidrs), frozenset(users)))
    return GroupDirectory(tuple(groups))


def _apps(
    check: Checker, value: Any, src: Src, catalog: Catalog
) -> tuple[dict[str, Status], Status | None]:
    statuses = [s.value for s in Status]
    m = check.mapping(value, src, required=("default_status",), optional=statuses)
    if m is None:
        return {}, None
    default = None
    if "default_status" in m:
        d = check.choice(m["default_status"], src.key(m, "default_status"), statuses)
        default = Status(d) if d else None
    result: dict[str, Status] = {}
    for status in statuses:
        if status not in m:
            continue
        ssrc = src.key(m, status)
        ids = check.string_list(m[status], ssrc)
        for i, app_id in enumerate(ids):
            isrc = ssrc.item(m[status], i)
            if catalog.get(app_id) is None:
                check.fail(isrc, f"unknown app {app_id!r} (not in the catalog)")
            elif app_id in result:
                check.fail(isrc, f"app {app_id!r} already has status {result[app_id].value!r}")
            else:
                result[app_id] = Status(status)
    return result, default


def _access(
    check: Checker, value: Any, src: Src, catalog: Catalog, directory: GroupDirectory
) -> tuple[tuple[AccessRule, ...], AccessRule | None]:
    m = check.mapping(value, src, required=("rules", "default"))
    if m is None:
        return (), None
    rules = check.unique_items(m, "rules", src,
                               lambda item, isrc: _rule(check, item, isrc, catalog, directory))
    default = None
    if "default" in m:
        default = _rule(
            check, m["default"], src.key(m, "default"), catalog, directory, is_default=True
        )
    return tuple(rules), default


def _rule(
    check: Checker, value: Any, src: Src, catalog: Catalog, directory: GroupDirectory,
    *, is_default: bool = False,
) -> AccessRule | None:
    optional = ("mode", "alternative", "alternative_text", "coach", "incident")
    required = ("action", "reason") if is_default else ("id", "when", "action", "reason")
    r = check.mapping(value, src, required=required, optional=optional)
    if r is None or any(k not in r for k in required):
        return None
    rule_id = "default" if is_default else check.identifier(r["id"], src.key(r, "id"))
    when = Match() if is_default else _match(check, r["when"], src.key(r, "when"), catalog,
                                              directory)
    action = check.choice(r["action"], src.key(r, "action"), _ACCESS_ACTIONS)
    reason = check.string(r["reason"], src.key(r, "reason"))
    coach = rule_coach_options(check, r, src, action)
    mode = None
    if "mode" in r:
        mv = check.choice(r["mode"], src.key(r, "mode"), [m.value for m in Mode])
        mode = Mode(mv) if mv else None
    alternative = None
    if "alternative" in r:
        asrc = src.key(r, "alternative")
        alternative = check.identifier(r["alternative"], asrc)
        if alternative and catalog.get(alternative) is None:
            check.fail(asrc, f"unknown app {alternative!r} (not in the catalog)")
    alt_text = None
    if "alternative_text" in r:
        alt_text = check.string(r["alternative_text"], src.key(r, "alternative_text"))
    incident = parse_severity(check, r["incident"], src.key(r, "incident")) \
        if "incident" in r else None
    if rule_id is None or when is None or action is None or reason is None:
        return None
    return AccessRule(rule_id, when, Action(action), reason.strip(), mode, alternative, alt_text,
                      coach=coach, incident=incident)


def _match(
    check: Checker, value: Any, src: Src, catalog: Catalog, directory: GroupDirectory
) -> Match | None:
    keys = ("app", "vendor", "category", "status", "group", "activity")
    m = check.mapping(value, src, optional=keys)
    if m is None:
        return None
    if not m:
        check.fail(src, f"needs at least one condition ({', '.join(keys)})")

    def listed(key: str, known: frozenset[str] | None, what: str) -> tuple[str, ...]:
        if key not in m:
            return ()
        ksrc = src.key(m, key)
        items = check.string_list(m[key], ksrc, nonempty=True)
        for i, item in enumerate(items):
            if known is not None and item not in known:
                check.fail(ksrc.item(m[key], i) if isinstance(m[key], list) else ksrc,
                           f"unknown {what} {item!r}")
        return items

    app_ids = frozenset(a.id for a in catalog.apps)
    statuses = listed("status", frozenset(s.value for s in Status), "status")
    return Match(
        apps=listed("app", app_ids, "app"),
        vendors=listed("vendor", catalog.vendors, "vendor"),
        categories=listed("category", catalog.categories, "category"),
        statuses=tuple(Status(s) for s in statuses if s in Status._value2member_map_),
        groups=listed("group", directory.ids, "group"),
        activities=listed("activity", frozenset(a.value for a in Activity), "activity"),
    )
