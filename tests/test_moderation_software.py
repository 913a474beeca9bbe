"""Moderation that knows software: technical words, code and the project's own links are not harm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.moderation import moderate, moderate_batch, project_hosts_from, spam_view, technical_view
from core.moderation.normalise import normalise_text, split_units
from core.moderation.rules import find_links, score_rules

ROOT = Path(__file__).resolve().parent.parent
TOXICITY = (
    next(
        (p for p in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data") if p.exists()),
        ROOT.parent / "shared" / "data",
    )
    / "toxicity_dev.jsonl"
)

TECHNICAL = [
    "Kill the process before you upgrade.",
    "Use kill -9 only when the worker hangs forever.",
    "Do not let a PermissionError raised while registering a kevent kill the emitter thread.",
    "The runner can execute the test suite in parallel on every core.",
    "Proof-of-concept or exploit code for the vulnerability is attached to the advisory.",
    "It is very hard to make a pure-Python program secure against timing attacks.",
    "The template sandbox blocks dangerous code from untrusted users.",
    "Roughly speaking, it's trying to be a robust, complete, and non-hacky library.",
    "Abort SSL connections on close rather than waiting for remote EOF.",
    "A fatal error in a program automatically triggers a core dump.",
    "Use json.dump to write the config, or dump the database to a file.",
    "BaseThread always runs as a daemon thread.",
    "If none of these modules is installed, the slow-but-simple dbm.dumb is used.",
    "``black`` will now be run before you commit, reformatting any changed files.",
    "Clean up garbage connections on cancellation in `AsyncConnectionPool`.",
]


@pytest.mark.parametrize("sentence", TECHNICAL)
def test_technical_sentences_are_approved(settings, sentence):
    result = moderate(sentence, settings)
    assert result.level == "approved", result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "I will kill you",
        "You should kill yourself",
        "I know where you live, watch your back",
        "You stupid idiot, go die",
    ],
)
def test_threats_and_insults_are_still_caught(settings, text):
    assert moderate(text, settings).level != "approved"


def test_the_technical_view_only_touches_technical_phrases():
    assert technical_view("I will kill you") == "I will kill you"
    assert technical_view("They should execute him") == "They should execute him"
    assert "kill" not in technical_view("Kill the worker with `kill -9`.").lower()
    assert "dump" not in technical_view("A fatal error triggers a core dump.")
    assert technical_view("see https://example.org/kill-switch") == "see https://example.org/kill-switch"


def test_the_technical_view_changes_no_tweet_of_the_dev_set():
    """So the thresholds calibrated on toxicity_dev.jsonl stay valid and harm AUC cannot move."""
    if not TOXICITY.exists():
        pytest.skip(f"{TOXICITY} not found")
    rows = [json.loads(x) for x in TOXICITY.read_text(encoding="utf-8").splitlines() if x.strip()]
    units = [u for r in rows for u in split_units(normalise_text(r["text"]).text)]
    changed = [u for u in units if technical_view(u) != u]
    assert changed == []


def test_spam_view_keeps_prices_and_phone_numbers_but_not_sizes_or_issue_numbers():
    assert "£1000" in spam_view("Win £1000, call 09061701461 now")
    assert "09061701461" in spam_view("Win £1000, call 09061701461 now")
    assert "65535" not in spam_view("Handle more than 65535 items per table (#3310).")
    assert "3310" not in spam_view("Handle more than 65535 items per table (#3310).")


@pytest.mark.parametrize(
    "text",
    [
        "Handle mapping `ssl.SSLError` to `httpcore.ConnectError`.",
        "First, create an h11.Connection object.",
        "Use re.compile for patterns.",
        "Fix SOCKS support for `http://` URLs.",
    ],
)
def test_code_identifiers_are_not_links(text):
    assert find_links(text) == []
    assert score_rules(text)["link"] == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "See https://github.com/encode/httpx/issues/1274#issuecomment-694884553 for the history.",
        "Read the paper at https://arxiv.org/abs/1609.01882 first.",
        "Programs of 32768-65535 bytes now compile.",
        "Released 4.61.0, the same as 4.60.2.",
    ],
)
def test_ids_ranges_and_versions_are_not_phone_numbers(text):
    assert score_rules(text)["personal_data"] == 0.0


def test_real_phone_numbers_and_emails_are_still_personal_data():
    assert score_rules("Call me on +44 20 7946 0958")["personal_data"] >= 0.85
    assert score_rules("Write to bob@corp.com")["personal_data"] >= 0.85


def test_links_to_the_projects_own_hosts_are_fine_and_others_are_not(settings):
    hosts = project_hosts_from(
        ["Docs: https://www.python-httpx.org/ and code on https://github.com/encode/httpx"]
    )
    assert "python-httpx.org" in hosts
    post = "HTTPX is an HTTP client for Python. Read the docs at https://www.python-httpx.org/api/ to start."
    assert moderate(post, settings, project_hosts=hosts).level == "approved"
    assert moderate(post, settings).scores["link"] >= 0.5  # without the project's hosts, an unknown host
    spam = "HTTPX is an HTTP client for Python. Free prizes at https://casino-bonus.xyz/win today."
    assert moderate(spam, settings, project_hosts=hosts).scores["link"] >= 0.5
    short = "HTTPX is an HTTP client for Python. Docs: https://bit.ly/3xyz"
    assert moderate(short, settings, project_hosts=(*hosts, "bit.ly")).scores["link"] >= 0.8


def test_project_hosts_are_per_text_in_a_batch(settings):
    texts = ["Docs at https://networkx.org today.", "Docs at https://networkx.org today."]
    first, second = moderate_batch(texts, settings, project_hosts=[("networkx.org",), ()])
    assert first.scores["link"] == 0.0 and second.scores["link"] >= 0.5


def test_project_hosts_from_leaves_shorteners_out():
    assert project_hosts_from(["https://bit.ly/x and https://docs.example.org/a"]) == ("docs.example.org",)


def _clean_rows():
    path = ROOT / "bench" / "data" / "clean_technical.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def test_the_clean_technical_set_is_real_and_covers_the_words():
    rows = _clean_rows()
    assert len(rows) >= 300
    assert len({r["project"] for r in rows}) >= 50
    words = [w for r in rows for w in r["words"]]
    for word in (
        "kill",
        "execut",
        "exploit",
        "attack",
        "dangerous",
        "hack",
        "abort",
        "fatal",
        "dump",
        "daemon",
    ):
        assert word in words, word
    assert all(r["source"] for r in rows)


def test_at_most_two_percent_of_clean_technical_sentences_are_not_approved(settings):
    rows = _clean_rows()
    results = moderate_batch(
        [r["text"] for r in rows], settings, project_hosts=[tuple(r["hosts"]) for r in rows]
    )
    bad = [(r["text"], m.reason_codes()) for r, m in zip(rows, results, strict=True) if m.level != "approved"]
    assert len(bad) / len(rows) <= 0.02, bad[:10]
