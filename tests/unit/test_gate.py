"""The gate: acknowledgement and coach decisions against a real (SQLite) state store, the
proxy's pages and their forms, the justification header, on_store_error."""

from __future__ import annotations

import html
import ipaddress
import json
import re
import urllib.parse
from pathlib import Path

import pytest

from aipolicy.csrf import PageKeys
from aipolicy.events import EventKind, Via
from aipolicy.gate import Gate
from aipolicy.metrics import PolicyMetrics
from aipolicy.model import Action, ClientIdentity, RequestInfo
from aipolicy.pipeline import Pipeline
from aipolicy.ruleset import load_ruleset
from aipolicy.state import StateStore, StoreError, open_store, parse_store_url
from tests.browser_model import form_post_origin

ROOT = Path(__file__).resolve().parents[2]
ACKCOACH = ROOT / "tests" / "fixtures" / "rulesets" / "ackcoach.yaml"
HOUR = 3600.0
NAV = {"accept": "text/html,application/xhtml+xml", "sec-fetch-mode": "navigate",
       "sec-fetch-dest": "document", "sec-fetch-site": "none"}
API = {"accept": "application/json", "content-type": "application/json"}
FORM = "application/x-www-form-urlencoded"


def ruleset_copy(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = ACKCOACH.read_text().replace("../../../rulesets/", f"{ROOT}/rulesets/")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"ruleset-{abs(hash(replacements))}.yaml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(load_ruleset(ACKCOACH))


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


class Failing(StateStore):
    """A store that is down (or only fails to write)."""

    kind = "failing"

    def __init__(self, inner: StateStore | None = None) -> None:
        self.inner = inner  # set: reads work, writes fail

    async def get(self, ns, key):
        if self.inner is None:
            raise StoreError("down")
        return await self.inner.get(ns, key)

    async def put(self, ns, key, value, ttl=None):
        raise StoreError("down")

    async def delete(self, ns, key):
        raise StoreError("down")

    async def items(self, ns):
        raise StoreError("down")

    async def count_event(self, ns, key, at, window):
        raise StoreError("down")

    async def clear_events(self, ns, key):
        raise StoreError("down")

    async def ping(self):
        raise StoreError("down")

    async def close(self):
        return None


class Person:
    """One browser (cookies per host and path) and its API clients, as one identity,
    through the gate."""

    def __init__(self, world: World, ip: str = "10.1.2.3", user: str | None = None) -> None:
        self.world = world
        self.client = ClientIdentity(ipaddress.ip_address(ip), user)
        self.cookies: dict[tuple[str, str, str], str] = {}  # (host, path, name) -> value
        self.outcomes: list = []  # every decision on the way, redirects included

    def info(self, host: str, path: str, method: str, headers: dict[str, str],
             query: str = "") -> RequestInfo:
        fields = [(k, v) for k, v in headers.items()]
        sent = [f"{n}={v}" for (h, p, n), v in self.cookies.items()
                if h == host and path.startswith(p)]
        if sent:
            fields.append(("cookie", "; ".join(sent)))
        return RequestInfo(method, "https", host, 443, path, dict(headers), self.client,
                           query=query, fields=tuple(fields))

    def _keep_cookies(self, host: str, notice) -> None:
        for name, value in notice.headers:
            if name == "set-cookie":
                pair, *attrs = value.split(";")
                k, _, v = pair.partition("=")
                path = next(a.split("=", 1)[1] for a in attrs if a.strip().startswith("Path="))
                self.cookies[(host, path, k.strip())] = v

    async def visit(self, host: str, path: str = "/", query: str = "",
                    headers: dict[str, str] | None = None, pipeline: Pipeline | None = None):
        """A page load, following the proxy's redirects on the same origin."""
        notice, outcome = await self.request(host, path, query=query, headers=headers,
                                             pipeline=pipeline)
        for _ in range(5):
            if notice is None or notice.status != 303:
                break
            location = urllib.parse.urlsplit(dict(notice.headers)["location"])
            assert not location.netloc  # same origin only
            notice, outcome = await self.request(host, location.path, query=location.query,
                                                 pipeline=pipeline)
        return notice, outcome

    async def request(self, host: str, path: str = "/", *, method: str = "GET",
                      headers: dict[str, str] | None = None, body: bytes | None = None,
                      query: str = "", pipeline: Pipeline | None = None):
        pipe = pipeline or self.world.pipeline
        info = self.info(host, path, method, headers if headers is not None else NAV, query)
        destination = pipe.destination(info)
        app = destination.app
        assert app is not None, host
        info = info if destination.host is None else _with_host(info, destination.host)
        if self.world.gate.is_page(info, app):
            answer = await self.world.gate.page(pipe, info, app, body)
            self._keep_cookies(host, answer.notice)
            self.world.events.extend(answer.events)
            return answer.notice, None

        async def evaluate(described):
            return pipe.evaluate(described, app, body if pipe.needs_body(described) else None)

        decided = await self.world.gate.decide(pipe, info, app, body, evaluate)
        self.world.events.extend(decided.events)
        self.outcomes.append(decided.verdict.outcome)
        return decided.verdict.notice, decided.verdict.outcome

    async def submit(self, host: str, page_notice, **fields: str):
        """Post the form of a page (as the browser does: its hidden fields, the cookie,
        the Origin its referrer policy allows and Sec-Fetch-Site of the same origin)."""
        page = page_notice.body.decode()
        action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page)[1])
        hidden = {m[1]: html.unescape(m[2]) for m in
                  re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)}
        # the Origin the page's own Referrer-Policy lets the browser send ("null" for one)
        origin = form_post_origin(dict(page_notice.headers).get("referrer-policy"),
                                  f"https://{host}/", action)
        return await self.post(host, action, {**hidden, **fields}, {"origin": origin})

    async def post(self, host: str, path: str, fields: dict[str, str],
                   headers: dict[str, str] | None = None):
        body = urllib.parse.urlencode(fields).encode()
        base = {"content-type": FORM, "origin": f"https://{host}", "sec-fetch-site":
                "same-origin", "sec-fetch-mode": "navigate", "accept": "text/html"}
        return await self.request(host, path, method="POST", headers={**base, **(headers or {})},
                                  body=body)


def _with_host(info: RequestInfo, host: str) -> RequestInfo:
    import dataclasses
    return dataclasses.replace(info, host=host)


class World:
    def __init__(self, pipeline: Pipeline, store: StateStore) -> None:
        self.pipeline = pipeline
        self.store = store
        self.clock = Clock()
        self.metrics = PolicyMetrics()
        self.gate = Gate(lambda: self.store, PageKeys.random(), self.metrics, self.clock)
        self.events = []

    def metric(self, sample: str) -> float:
        for line in self.metrics.exposition().decode().splitlines():
            if line.startswith(sample + " "):
                return float(line.rsplit(" ", 1)[1])
        return 0.0


@pytest.fixture
async def world(pipeline, tmp_path):
    store = open_store(parse_store_url("sqlite", tmp_path))
    yield World(pipeline, store)
    await store.close()


async def acknowledged(person: Person, host: str = "chatgpt.com") -> None:
    page, _ = await person.visit(host)
    answer, _ = await person.submit(host, page)
    assert answer.status == 303


# --------------------------------------------------------------------------- acknowledgement
async def test_first_page_load_shows_the_policy_summary(world):
    alice = Person(world)
    notice, outcome = await alice.request("chatgpt.com", "/c/abc", query="model=x&q=1")
    assert notice.status == 303 and outcome.notice_format == "redirect"
    assert dict(notice.headers)["location"] == \
        "/.aipolicy/acknowledge?return=%2Fc%2Fabc%3Fmodel%3Dx%26q%3D1"
    assert outcome.decision.rule_id == "acknowledgement-required"
    assert outcome.enforced is Action.COACH
    notice, _ = await alice.visit("chatgpt.com", "/c/abc", query="model=x&q=1")
    assert notice.status == 200 and notice.format == "html"
    headers = dict(notice.headers)
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    cookie = headers["set-cookie"]
    for flag in ("Path=/.aipolicy/", "HttpOnly", "SameSite=Strict", "Secure"):
        assert flag in cookie
    page = notice.body.decode()
    assert 'action="/.aipolicy/acknowledge"' in page
    assert 'name="return" value="/c/abc?model=x&amp;q=1"' in page
    for text in ("AI tools help", "Use the approved tools first.", "Never paste credentials.",
                 "https://intranet.example.test/learning/ai", "I acknowledge",
                 "policy version 3"):
        assert text in page, text
    assert world.store is not None and await world.store.items("ack") == []


async def test_acknowledging_is_recorded_and_asked_once(world):
    alice = Person(world)
    page, _ = await alice.visit("chatgpt.com", "/c/abc")
    answer, _ = await alice.submit("chatgpt.com", page)
    assert answer.status == 303 and dict(answer.headers)["location"] == "/c/abc"
    [event] = world.events
    assert event.kind is EventKind.ACKNOWLEDGEMENT and event.ack_version == "3"
    assert event.client.address == ipaddress.ip_address("10.1.2.3")
    [(key, record)] = await world.store.items("ack")
    assert key == "addr:10.1.2.3|3" and record["version"] == "3"
    assert record["policy_version"] == "3.1" and record["at"] == world.clock.now
    # any AI app, from now on: no page
    notice, outcome = await alice.request("gemini.google.com")
    assert notice is None and outcome.acknowledgement == "current"
    assert world.metric("aipolicy_acknowledgements_total") == 1
    # someone else is still asked
    notice, _ = await Person(world, "10.9.9.9").visit("chatgpt.com")
    assert notice.status == 200 and b"I acknowledge" in notice.body


async def test_a_new_major_version_asks_again_a_fix_does_not(world, tmp_path):
    alice = Person(world)
    await acknowledged(alice)
    fix = Pipeline(load_ruleset(ruleset_copy(tmp_path, ('version: "3.1"', 'version: "3.2"'))),
                   inspect_here=False)
    notice, outcome = await alice.request("chatgpt.com", pipeline=fix)
    assert notice is None and outcome.acknowledgement == "current"
    major = Pipeline(load_ruleset(ruleset_copy(tmp_path, ('version: "3.1"', 'version: "4.0"'))),
                     inspect_here=False)
    notice, outcome = await alice.visit("chatgpt.com", pipeline=major)
    assert notice.status == 200 and b"policy version 4" in notice.body


async def test_asked_again_after_reacknowledge_days(world):
    alice = Person(world)
    await acknowledged(alice)
    world.clock.now += 29 * 86400
    notice, _ = await alice.request("chatgpt.com")
    assert notice is None
    world.clock.now += 2 * 86400
    notice, _ = await alice.visit("chatgpt.com")
    assert notice is not None and b"I acknowledge" in notice.body


async def test_api_clients_pass_and_the_audit_line_says_so(world):
    notice, outcome = await Person(world).request(
        "api.openai.com", "/v1/chat/completions", method="POST", headers=API,
        body=b'{"model":"m","messages":[]}')
    assert notice is None and outcome.enforced is Action.ALLOW
    assert outcome.acknowledgement == "missing"


async def test_api_clients_can_get_a_notice_with_the_link(world, tmp_path):
    pipe = Pipeline(load_ruleset(ruleset_copy(tmp_path, ("api_clients: allow",
                                                         "api_clients: notice"))),
                    inspect_here=False)
    notice, outcome = await Person(world).request(
        "api.openai.com", "/v1/models", headers={"accept": "application/json"}, pipeline=pipe)
    error = json.loads(notice.body)["error"]
    assert notice.status == 403 and error["code"] == "policy_confirmation_required"
    assert "https://api.openai.com/.aipolicy/acknowledge" in error["message"]
    assert outcome.reference in error["message"]


async def test_a_banned_app_shows_its_block_page_first(world):
    notice, outcome = await Person(world).request("chat.deepseek.com")
    assert notice.status == 403 and b"DeepSeek is banned" in notice.body
    assert outcome.acknowledgement is None


async def test_identity_is_the_proxy_user_else_the_address(world):
    alice = Person(world, "10.5.5.5", user="alice")
    await acknowledged(alice)
    bob = Person(world, "10.5.5.5", user="bob")  # same address (a VDI host), another user
    notice, _ = await bob.visit("chatgpt.com")
    assert notice is not None and b"I acknowledge" in notice.body
    nobody = Person(world, "10.5.5.5")  # the address itself acknowledged nothing
    notice, _ = await nobody.request("chatgpt.com")
    assert notice is not None
    keys = [k for k, _ in await world.store.items("ack")]
    assert keys == ["user:alice|3"]


# --------------------------------------------------------------------------- coach
async def test_unreviewed_app_coach_page_proceed_and_remember(world):
    alice = Person(world)
    await acknowledged(alice)
    page, _ = await alice.visit("poe.com", "/chat/x")
    outcome = alice.outcomes[-1]
    assert page.status == 200 and outcome.enforced is Action.COACH
    assert outcome.decision.rule_id == "default"
    text = page.body.decode()
    assert "Poe needs a reason before you continue" in text
    assert "This AI service has not been reviewed yet." in text
    assert "Microsoft Copilot" in text and "remembered for 8 hours" in text
    for choice in ("business-need", "evaluation", "other"):
        assert f'id="j-{choice}"' in text and f'for="j-{choice}"' in text
    answer, _ = await alice.submit("poe.com", page, decision="proceed", justification="other",
                                   note="Vendor\x07 demo\nfor the\tsales team " + "x" * 200)
    assert answer.status == 303 and dict(answer.headers)["location"] == "/chat/x"
    event = world.events[-1]
    assert event.kind is EventKind.COACH_PROCEED and event.via is Via.PAGE
    assert (event.rule, event.scope, event.justification) == ("default", "access", "other")
    assert event.justification_text.startswith("Vendor demo for the sales team x")
    assert len(event.justification_text) == 120  # capped, control characters gone
    notice, outcome = await alice.request("poe.com", "/chat/x")
    assert notice is None and outcome.enforced is Action.MONITOR
    assert outcome.decision.rule_id == "default"
    assert world.metric('aipolicy_coach_total{app="poe",outcome="shown"}') == 1
    assert world.metric('aipolicy_coach_total{app="poe",outcome="proceeded"}') == 1
    # remembered for the rule's 8 hours, per app
    world.clock.now += 8 * HOUR - 60
    assert (await alice.request("poe.com"))[0] is None
    assert (await alice.request("character.ai"))[0] is not None
    world.clock.now += 120
    assert (await alice.request("poe.com"))[0] is not None


async def test_api_client_gets_the_coach_notice_with_the_page_link(world):
    alice = Person(world)
    notice, outcome = await alice.request("api.anthropic.com", "/v1/messages", method="POST",
                                          headers=API, body=b'{"model":"m","messages":[]}')
    error = json.loads(notice.body)["error"]
    assert notice.status == 403 and error["type"] == "permission_error"
    link = "https://api.anthropic.com/.aipolicy/coach?rule=coach-anthropic&scope=access"
    assert link in error["message"]
    assert "x-aipolicy-justification: <reason>' with one of: business-need" in error["message"]
    assert outcome.notice_format == "anthropic-messages-error"
    # the link opens the coach page in the browser; proceeding there lets the API through
    url = urllib.parse.urlsplit(link)
    page, _ = await alice.request("api.anthropic.com", url.path, query=url.query)
    assert page.status == 200 and b"Anthropic is under review" in page.body
    assert b'name="return"' not in page.body  # nowhere to go back to
    answer, _ = await alice.submit("api.anthropic.com", page, decision="proceed",
                                   justification="business-need")
    assert answer.status == 200 and b"You can continue" in answer.body
    notice, outcome = await alice.request("api.anthropic.com", "/v1/messages", method="POST",
                                          headers=API, body=b'{"model":"m","messages":[]}')
    assert notice is None and outcome.enforced is Action.MONITOR


async def test_justification_header_where_the_rule_allows_it(world):
    alice = Person(world)
    headers = {**API, "x-aipolicy-justification": "evaluation; trying the new model"}
    body = b'{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}'
    notice, outcome = await alice.request("api.anthropic.com", "/v1/messages", method="POST",
                                          headers=headers, body=body)
    assert notice is None and outcome.enforced is Action.MONITOR
    [event] = world.events
    assert event.via is Via.HEADER and event.justification == "evaluation"
    assert event.justification_text == "trying the new model"
    # remembered: the next request without the header passes too, no second event
    notice, _ = await alice.request("api.anthropic.com", "/v1/messages", method="POST",
                                    headers=API, body=body)
    assert notice is None and len(world.events) == 1


@pytest.mark.parametrize("host,path,header", [
    ("api.anthropic.com", "/v1/messages", "made-up-reason"),  # not a choice
    ("api.anthropic.com", "/v1/messages", ""),
    ("poe.com", "/api/gql_POST", "business-need"),  # the default rule takes no header
])
async def test_justification_header_that_does_not_count(world, host, path, header):
    notice, outcome = await Person(world).request(
        host, path, method="POST", headers={**API, "x-aipolicy-justification": header},
        body=b'{"model":"m","messages":[]}')
    assert notice is not None and outcome.enforced is Action.COACH
    assert world.events == [] and await world.store.items("coach") == []


async def test_a_page_load_with_the_header_still_gets_the_page(world):
    alice = Person(world)
    await acknowledged(alice, "claude.ai")
    notice, outcome = await alice.request(
        "console.anthropic.com", headers={**NAV, "x-aipolicy-justification": "evaluation"})
    assert notice.status == 303 and "/.aipolicy/coach?" in dict(notice.headers)["location"]
    assert outcome.enforced is Action.COACH


async def test_data_rule_coach_then_redaction(world):
    alice = Person(world)
    body = json.dumps({"model": "m", "messages": [
        {"role": "user", "content": "Is Project Nightjar on track? Ask ops@corp-mail.com"}]}
    ).encode()
    notice, outcome = await alice.request("api.openai.com", "/v1/chat/completions",
                                          method="POST", headers=API, body=body)
    message = json.loads(notice.body)["error"]["message"]
    assert "Found 1 confidential term: project code name; nothing was sent." in message
    assert "scope=custom" in message and "Nightjar" not in message
    headers = {**API, "x-aipolicy-justification": "business-need"}
    notice, outcome = await alice.request("api.openai.com", "/v1/chat/completions",
                                          method="POST", headers=headers, body=body)
    assert notice is None and outcome.enforced is Action.REDACT  # the e-mail still goes
    [event] = world.events
    assert event.scope == "custom" and event.rule == "codenames-coach"


async def test_cancel_records_and_sends_nothing_on(world):
    alice = Person(world)
    await acknowledged(alice)
    page, _ = await alice.visit("poe.com")
    answer, _ = await alice.submit("poe.com", page, decision="cancel")
    assert answer.status == 200 and b"You chose not to continue" in answer.body
    assert b"https://copilot.microsoft.com" in answer.body  # the approved alternative
    assert world.events[-1].kind is EventKind.COACH_CANCEL
    assert await world.store.items("coach") == []
    assert (await alice.request("poe.com"))[0] is not None
    assert world.metric('aipolicy_coach_total{app="poe",outcome="cancelled"}') == 1


async def test_proceed_needs_a_listed_reason(world):
    alice = Person(world)
    await acknowledged(alice)
    page, _ = await alice.visit("poe.com")
    for choice in ("", "because-i-say-so"):
        answer, _ = await alice.submit("poe.com", page, decision="proceed",
                                       justification=choice)
        assert answer.status == 400 and b"Why do you need to continue?" in answer.body
    assert await world.store.items("coach") == []


async def test_a_page_for_a_rule_that_does_not_apply_records_nothing(world):
    alice = Person(world)
    await acknowledged(alice)
    page, _ = await alice.visit("poe.com")
    # the same form, re-pointed at the Anthropic rule and at a made-up scope
    for rule, scope in (("coach-anthropic", "access"), ("default", "pii"),
                        ("codenames-coach", "bogus")):
        answer, _ = await alice.submit("poe.com", page, decision="proceed", rule=rule,
                                       scope=scope, justification="business-need")
        assert answer.status == 303  # back to where the person was going, nothing saved
    assert await world.store.items("coach") == []
    stale, _ = await alice.request("poe.com", "/.aipolicy/coach",
                                   query="rule=coach-anthropic&scope=access")
    assert stale.status == 200 and b"Nothing to confirm" in stale.body


async def test_pages_of_an_app_on_a_shared_host_stay_under_its_path(world):
    alice = Person(world)
    await acknowledged(alice)
    page, _ = await alice.visit("huggingface.co", "/chat/conversation/1")
    text = page.body.decode()
    assert 'action="/chat/.aipolicy/coach"' in text
    assert "Path=/chat/.aipolicy/" in dict(page.headers)["set-cookie"]
    answer, _ = await alice.submit("huggingface.co", page, decision="proceed",
                                   justification="evaluation")
    assert dict(answer.headers)["location"] == "/chat/conversation/1"
    assert (await alice.request("huggingface.co", "/chat/conversation/1"))[0] is None


async def test_unknown_page_and_method(world):
    alice = Person(world)
    notice, _ = await alice.request("chatgpt.com", "/.aipolicy/admin")
    assert notice.status == 404
    notice, _ = await alice.request("chatgpt.com", "/.aipolicy/acknowledge", method="PUT")
    assert notice.status == 405


# --------------------------------------------------------------------------- forms
@pytest.mark.parametrize("tamper", ["no-cookie", "other-session", "other-purpose",
                                    "cross-origin", "cross-site", "other-process",
                                    "not-a-form", "too-large"])
async def test_forgeries_are_refused(world, tamper):
    alice = Person(world)
    page, _ = await alice.visit("chatgpt.com")
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                             page.body.decode()))
    fields = {**{k: html.unescape(v) for k, v in hidden.items()}}
    headers: dict[str, str] = {}
    path = "/.aipolicy/acknowledge"
    if tamper == "no-cookie":
        alice.cookies.clear()
    elif tamper == "other-session":
        alice.cookies = {key: "A" * 24 for key in alice.cookies}
    elif tamper == "other-purpose":
        path = "/.aipolicy/coach"
        fields.update(rule="default", scope="access", decision="proceed",
                      justification="evaluation")
    elif tamper == "cross-origin":
        headers["origin"] = "https://evil.example"
    elif tamper == "cross-site":
        headers["sec-fetch-site"] = "cross-site"
    elif tamper == "other-process":
        world.gate.keys = PageKeys.random()
    elif tamper == "not-a-form":
        headers["content-type"] = "text/plain"
    elif tamper == "too-large":
        fields["padding"] = "x" * 20_000
    answer, _ = await alice.post("chatgpt.com", path, fields, headers)
    assert answer.status == 403 and b"could not be accepted" in answer.body
    assert await world.store.items("ack") == [] and world.events == []


@pytest.mark.parametrize("target", [
    "//evil.example/", "/\\evil.example", "https://evil.example/", "/\t/evil.example",
    "/%0d%0aSet-Cookie:x", "/.aipolicy/acknowledge", "javascript:alert(1)", "/caf\u00e9",
    "evil.example", "/ok\r\nLocation: https://evil.example",
])
async def test_no_redirect_off_the_origin(world, target):
    alice = Person(world)
    page, _ = await alice.visit("chatgpt.com")
    token = re.search(r'name="csrf" value="([^"]+)"', page.body.decode())[1]
    answer, _ = await alice.post("chatgpt.com", "/.aipolicy/acknowledge",
                                 {"csrf": token, "return": target})
    location = dict(answer.headers).get("location")
    assert location is None or (location.startswith("/") and not location.startswith("//")
                                and "\r" not in location and "\n" not in location
                                and not location.startswith("/.aipolicy/"))
    if target == "/%0d%0aSet-Cookie:x":  # escaped, on this origin: harmless, kept
        assert location == target


# --------------------------------------------------------------------------- store failures
async def test_store_down_blocks_when_the_policy_says_so(world):
    world.store = Failing()
    alice = Person(world)
    notice, outcome = await alice.visit("chatgpt.com")
    assert notice.status == 403 and b"policy check is unavailable" in notice.body
    assert outcome.decision.rule_id == "policy-check-unavailable"
    assert outcome.store_error == "acknowledgement"
    # an API client of an allowed app passes (nothing would have stopped it)
    notice, outcome = await alice.request("api.openai.com", "/v1/models",
                                          headers={"accept": "application/json"})
    assert notice is None and outcome.acknowledgement == "unavailable"
    notice, outcome = await alice.request("api.anthropic.com", "/v1/models",
                                          headers={"accept": "application/json"})
    assert notice.status == 403 and outcome.store_error == "coach"
    assert "unavailable" in json.loads(notice.body)["error"]["message"]
    # one read each for the acknowledgements, one more for the Anthropic coach
    assert world.metric('aipolicy_state_store_failures_total{operation="read"}') == 4


async def test_store_down_monitor_passes_recorded_and_never_skips_a_redaction(world, tmp_path):
    world.pipeline = Pipeline(load_ruleset(ruleset_copy(
        tmp_path, ("on_store_error: block", "on_store_error: monitor"))))
    world.store = Failing()
    alice = Person(world)
    notice, outcome = await alice.request("poe.com")
    assert notice is None and outcome.enforced is Action.MONITOR
    assert outcome.acknowledgement == "unavailable"
    assert outcome.store_error == "acknowledgement,coach"  # both could not be read
    body = json.dumps({"model": "m", "max_tokens": 5, "messages": [
        {"role": "user", "content": "mail ops@corp-mail.com"}]}).encode()
    notice, outcome = await alice.request("api.anthropic.com", "/v1/messages", method="POST",
                                          headers=API, body=body)
    assert notice is None and outcome.enforced is Action.REDACT
    assert outcome.store_error == "acknowledgement,coach"
    notice, outcome = await alice.request("chat.deepseek.com")  # a block stays a block
    assert notice.status == 403 and outcome.decision.rule_id == "banned-apps"


async def test_a_proceed_that_cannot_be_saved_says_so(world):
    alice = Person(world)
    await acknowledged(alice)
    page, _ = await alice.visit("poe.com")
    world.store = Failing(world.store)
    answer, _ = await alice.submit("poe.com", page, decision="proceed",
                                   justification="evaluation")
    assert answer.status == 503 and b"could not be recorded" in answer.body
    assert world.events[-1].kind is EventKind.ACKNOWLEDGEMENT  # no proceed event


async def test_websocket_messages_skip_the_acknowledgement(world):
    import dataclasses
    alice = Person(world)
    info = dataclasses.replace(alice.info("copilot.microsoft.com", "/c/api/chat", "POST", API),
                               websocket=True)
    app = world.pipeline.classify(info)

    async def evaluate(described):
        return world.pipeline.evaluate(described, app, b'{"event":"send"}')

    decided = await world.gate.decide(world.pipeline, info, app, b'{"event":"send"}', evaluate)
    assert decided.verdict.notice is None and decided.verdict.outcome.acknowledgement is None
