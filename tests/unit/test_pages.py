"""The proxy's pages: no scripts or external assets, labelled controls, landmarks, a
phone-sized layout, escaping; the form token; the audit lines of what people did."""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aipolicy.audit import event_record
from aipolicy.coach_config import CoachSettings, Justification, parse_header
from aipolicy.csrf import PageKeys, same_origin, session_cookie, session_of
from aipolicy.events import EventKind, PolicyEvent, Via
from aipolicy.model import App, ClientIdentity, Status
from aipolicy.pages import (
    CoachFacts,
    FormContext,
    acknowledgement_page,
    coach_page,
    message_page,
    pages_base,
    redirect,
    respond_html,
    safe_return,
)
from aipolicy.ruleset import load_ruleset
from tests.browser_model import form_post_origin

ACKCOACH = Path(__file__).resolve().parents[1] / "fixtures" / "rulesets" / "ackcoach.yaml"
APP = App("evil-ai", 'Evil <script>alert("x")</script> AI', "Evil & Co", "chat-assistant",
          ("evil.example",))
SETTINGS = CoachSettings((Justification("business-need", "I need it for <work>"),
                          Justification("other", "Other")), 100, False)


@pytest.fixture(scope="module")
def policy():
    return load_ruleset(ACKCOACH).policy


class Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def structure(page: str) -> list[tuple[str, dict]]:
    parser = Structure()
    parser.feed(page)
    return parser.tags


def pages(policy) -> dict[str, str]:
    form = FormContext("/.aipolicy/coach", "tok", '/c?x="1"&y=<2>')
    return {
        "acknowledge": acknowledgement_page(policy, form, "AIP-TEST234567", APP),
        "coach": coach_page(policy, SETTINGS, CoachFacts(APP, "Guidance <b>bold</b>", "r",
                                                         "access", 5400.0), form,
                            "AIP-TEST234567"),
        "data-coach": coach_page(policy, SETTINGS, CoachFacts(APP, "Guidance", "r", "pii",
                                                              7200.0), form, "AIP-TEST234567"),
        "message": message_page(policy, title="Done", headline="Done <now>", text="a & b",
                                reference="AIP-TEST234567", link=("https://x.example", "X")),
    }


@pytest.mark.parametrize("name", ["acknowledge", "coach", "data-coach", "message"])
def test_pages_are_self_contained_accessible_and_escaped(policy, name):
    page = pages(policy)[name]
    tags = structure(page)
    names = [t for t, _ in tags]
    assert "script" not in names and "link" not in names and "img" not in names
    assert "iframe" not in names and "object" not in names
    assert not any("src" in attrs or "style" in attrs and "url(" in attrs["style"]
                   for _, attrs in tags)
    assert "url(" not in page and "@import" not in page  # no assets from the stylesheet
    assert '<html lang="en">' in page and "width=device-width" in page
    assert names.count("main") == 1 and names.count("h1") == 1
    assert "@media (max-width: 30rem)" in page and "@media print" in page
    assert "<script>" not in page and "<b>bold</b>" not in page and "<now>" not in page
    # every visible control has a label; buttons say what they do
    ids = {attrs["for"] for t, attrs in tags if t == "label"}
    for tag, attrs in tags:
        if tag in ("input", "textarea") and attrs.get("type") != "hidden":
            assert attrs.get("id") in ids, (tag, attrs)
        if tag == "button":
            assert attrs.get("type") == "submit"
    if name != "message":
        [form] = [attrs for t, attrs in tags if t == "form"]
        assert form["method"] == "post" and form["action"].startswith("/.aipolicy/")
        assert any(t == "input" and a.get("name") == "csrf" for t, a in tags)
        returns = [a["value"] for t, a in tags if t == "input" and a.get("name") == "return"]
        assert returns == ['/c?x="1"&y=<2>']  # escaped in the page, intact in the form


def test_coach_page_offers_the_choices_and_says_what_is_kept(policy):
    page = pages(policy)["coach"]
    tags = structure(page)
    radios = [a for t, a in tags if t == "input" and a.get("type") == "radio"]
    assert [r["value"] for r in radios] == ["business-need", "other"]
    assert all("required" in r for r in radios)
    assert any(t == "fieldset" for t, _ in tags) and any(t == "legend" for t, _ in tags)
    [note] = [a for t, a in tags if t == "textarea"]
    assert note["maxlength"] == "100"
    assert "this text is not stored" in page and "remembered for 1.5 hours" in page
    cancel = [a for t, a in tags if t == "button" and a.get("value") == "cancel"]
    assert cancel and "formnovalidate" in cancel[0]
    assert "needs a reason before you continue" in page
    assert "Your request to" in pages(policy)["data-coach"]


def test_acknowledgement_page_shows_the_summary(policy):
    page = pages(policy)["acknowledge"]
    for text in (policy.summary.purpose, policy.summary.scope, policy.summary.violations,
                 policy.summary.disclaimer, *policy.summary.dos, *policy.summary.donts,
                 policy.contact, "asked again after 30 days", "policy version 3"):
        assert text in page, text


@pytest.mark.parametrize("value,expected", [
    ("/chat?x=1#frag", "/chat?x=1#frag"),
    ("/", "/"),
    ("//evil.example", None),
    ("/\\evil.example", None),
    ("/ok/\\x", None),
    ("https://evil.example/", None),
    ("evil.example", None),
    ("", None),
    (None, None),
    ("/a\tb", None),
    ("/a b", None),
    ("/caf\u00e9", None),
    ("/.aipolicy/coach", None),
    ("/chat/.aipolicy/coach", None),
    ("/" + "a" * 3000, None),
])
def test_safe_return(value, expected):
    assert safe_return(value, "/chat/.aipolicy/") == expected


def test_pages_base_follows_the_app_path_on_a_shared_host():
    app = App("hc", "HuggingChat", "HF", "chat-assistant",
              paths=(("huggingface.co", "/chat"),))
    assert pages_base(app, "huggingface.co", "/chat/x") == "/chat/.aipolicy/"
    assert pages_base(app, "huggingface.co", "/chat") == "/chat/.aipolicy/"
    assert pages_base(app, "huggingface.co", "/chatter") == "/.aipolicy/"
    assert pages_base(APP, "evil.example", "/chat/x") == "/.aipolicy/"


def test_form_tokens():
    keys = PageKeys.random()
    token = keys.token("s" * 24, "acknowledge", "chatgpt.com")
    assert keys.valid("s" * 24, "acknowledge", "chatgpt.com", token)
    assert not keys.valid("t" * 24, "acknowledge", "chatgpt.com", token)
    assert not keys.valid("s" * 24, "coach", "chatgpt.com", token)
    assert not keys.valid("s" * 24, "acknowledge", "claude.ai", token)
    assert not keys.valid(None, "acknowledge", "chatgpt.com", token)
    assert not keys.valid("s" * 24, "acknowledge", "chatgpt.com", "")
    assert not keys.valid("s" * 24, "acknowledge", "chatgpt.com", "\u00e9" * 32)
    assert not PageKeys.random().valid("s" * 24, "acknowledge", "chatgpt.com", token)
    with pytest.raises(ValueError):
        PageKeys(b"short")


def test_page_secret_from_a_file(tmp_path):
    path = tmp_path / "secret"
    path.write_bytes(b"0123456789abcdef0123456789abcdef\n")
    one, two = PageKeys.from_file(path), PageKeys.from_file(path)
    assert two.valid("s" * 24, "coach", "poe.com", one.token("s" * 24, "coach", "poe.com"))


def test_session_cookie():
    cookie = session_cookie("A" * 24, "/.aipolicy/", True)
    assert cookie == ("aipolicy_session=" + "A" * 24 +
                      "; Path=/.aipolicy/; HttpOnly; SameSite=Strict; Secure")
    assert session_of(["other=1; aipolicy_session=" + "A" * 24]) == "A" * 24
    assert session_of(["aipolicy_session=short"]) is None
    assert session_of(['aipolicy_session="<x>"']) is None
    assert session_of(["garbage;;;==="]) is None


@pytest.mark.parametrize("origin,site,ok", [
    ("https://chatgpt.com", "same-origin", True),
    (None, None, True),  # older browsers send neither: the token still has to match
    ("https://chatgpt.com:443", None, True),
    ("https://chatgpt.com.evil.example", None, False),
    ("http://chatgpt.com", None, False),
    ("https://chatgpt.com:8443", None, False),
    ("null", None, False),
    ("https://chatgpt.com", "same-site", False),
    ("https://chatgpt.com", "cross-site", False),
    # Origin "null" (an opaque origin: a sandboxed frame, a data: URL, a page whose
    # referrer policy hides its origin) is never taken for this origin
    ("null", "same-origin", False),
    ("null", "cross-site", False),
    ("https://evil.example", "cross-site", False),
])
def test_same_origin(origin, site, ok):
    assert same_origin(origin, site, "https", "chatgpt.com", 443) is ok


@pytest.mark.parametrize("policy,page,action,origin", [
    ("no-referrer", "https://a.test/p", "/f", "null"),
    ("same-origin", "https://a.test/p", "/f", "https://a.test"),
    ("same-origin", "https://a.test/p", "https://b.test/f", "null"),
    (None, "https://a.test/p", "https://b.test/f", "https://a.test"),
    (None, "https://a.test/p", "http://a.test/f", "null"),
    ("unsafe-url, bogus", "https://a.test/p", "https://b.test/f", "https://a.test"),
])
def test_browser_model_origin(policy, page, action, origin):
    assert form_post_origin(policy, page, action) == origin


def test_a_pages_own_form_post_carries_its_origin(policy):
    """The browser's Origin for the pages' own forms follows the pages' referrer policy:
    with "no-referrer" Chromium posts ``Origin: null`` and every form was refused."""
    for name in ("acknowledge", "coach", "message"):
        headers = dict(respond_html(pages(policy)[name], 200, "AIP-TEST234567").headers)
        policy_header = headers["referrer-policy"]
        page = "https://chatgpt.com/.aipolicy/acknowledge?return=%2F"
        sent = form_post_origin(policy_header, page, "/.aipolicy/acknowledge")
        assert same_origin(sent, "same-origin", "https", "chatgpt.com", 443)
        # other sites are still told nothing about the page ("same-origin")
        assert form_post_origin(policy_header, page, "https://intranet.example.test/") \
            == "null"
    # after a page, the service is sent on without the page's address as Referer
    assert dict(redirect("/c/1", "AIP-TEST234567").headers)["referrer-policy"] == \
        "no-referrer"


def test_justification_header():
    stored = dataclasses.replace(SETTINGS, store_text=True, text_max_chars=10)
    assert parse_header("business-need", SETTINGS).choice.id == "business-need"
    assert parse_header(" Business-Need ; why", SETTINGS).text is None  # not stored
    assert parse_header("business-need; a\x00b\r\nc and more text", stored).text == \
        "a b c and "
    assert parse_header("nope; text", SETTINGS) is None


def test_event_lines_hold_the_choice_and_the_text_only_when_kept(policy):
    client = ClientIdentity(ipaddress.ip_address("10.1.2.3"), "alice")
    event = PolicyEvent(EventKind.COACH_PROCEED, "AIP-TEST234567", client, ("everyone",),
                        policy, "poe.com", Via.HEADER, APP, Status.UNSANCTIONED, "default",
                        "access", justification="business-need", remember_seconds=3600.0)
    line = event_record(event)
    assert line["event"] == "coach-proceed" and line["justification"] == "business-need"
    assert line["user"] == "alice" and line["client"] == "10.1.2.3"
    assert line["app"] == "evil-ai" and line["via"] == "header" and line["scope"] == "access"
    assert line["policy_version"] == "3.1" and "justification_text" not in line
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    kept = event_record(dataclasses.replace(event, justification_text="vendor demo"))
    assert kept["justification_text"] == "vendor demo"
    ack = event_record(PolicyEvent(EventKind.ACKNOWLEDGEMENT, "AIP-ACK2345678", client, (),
                                   policy, "chatgpt.com", ack_version="3"))
    assert ack["event"] == "acknowledgement" and ack["ack_version"] == "3"
    assert "justification" not in ack and "rule" not in ack
