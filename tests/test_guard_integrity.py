"""The guard never leaves a broken post: a broken revision falls back to the template post or fails."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chains.guard.integrity import post_is_broken, prose_words, settle_revision, template_post
from chains.guard.report import GuardReport

DRAFT = """tinyqueue is a small job queue for Python backed by SQLite.

It runs jobs in worker threads and retries failed jobs with exponential backoff.

• Jobs survive restarts: the queue lives in one SQLite file.
• A web dashboard shows what ran.

There is a 10% chance of being hacked every day without it.

What would you queue first?

#python #sqlite #jobqueue #tinyqueue"""


def rep(draft: str, revised: str, confidence: float = 0.8) -> GuardReport:
    return GuardReport(claims=(), confidence=confidence, revised_text=revised, draft_text=draft)


@pytest.mark.parametrize(
    "text,why",
    [
        ("</P>\n\n#python #sqlite #jobqueue #tinyqueue #opensource", "only tags or markup"),
        ("", "nothing is left"),
        ("<p></p> &nbsp; ** `` #a", "only tags or markup"),
        ("Great tool!\n\n#python #sqlite", "only 2 words"),
    ],
)
def test_tags_and_markup_alone_are_broken(text, why):
    assert why in (post_is_broken(text, DRAFT) or "")
    assert why in (post_is_broken(text) or "")


def test_a_revision_that_drops_one_invented_claim_is_sound():
    revised = DRAFT.replace("There is a 10% chance of being hacked every day without it.\n\n", "")
    assert post_is_broken(revised, DRAFT) is None


def test_a_revision_that_drops_the_opening_is_broken():
    revised = DRAFT.split("\n\n", 1)[1]
    assert post_is_broken(revised, DRAFT) == "the opening was dropped"


def test_dropping_one_sentence_of_the_opening_line_keeps_the_opening():
    draft = DRAFT.replace(
        "tinyqueue is a small", "Unpopular opinion: queues should be boring. tinyqueue is a small"
    )
    revised = draft.replace("Unpopular opinion: queues should be boring. ", "")
    assert post_is_broken(revised, draft) is None


def test_a_dropped_stock_opener_is_fine_when_the_next_sentence_names_the_project():
    draft = "Here is the short story of tinyqueue.\n\n" + DRAFT
    assert post_is_broken(DRAFT, draft, name="tinyqueue") is None
    assert post_is_broken(DRAFT, draft) == "the opening was dropped"  # without the name, words decide


def test_a_rewritten_opening_that_keeps_its_subject_is_sound():
    revised = DRAFT.replace(
        "tinyqueue is a small job queue for Python backed by SQLite.", "tinyqueue is a job queue for Python."
    )
    assert post_is_broken(revised, DRAFT) is None


def test_a_revision_that_drops_most_of_the_content_is_broken():
    revised = "tinyqueue is a small job queue for Python backed by SQLite.\n\nWhat would you queue first?\n\n#python"
    assert "most of the content was dropped" in post_is_broken(revised, DRAFT)


def test_prose_words_ignore_tags_entities_urls_and_code():
    assert prose_words("</P> &lt;b&gt; #python https://x.org `code` [docs](https://y.org)") == ["docs"]


def test_a_sound_revision_is_kept():
    revised = DRAFT.replace("There is a 10% chance of being hacked every day without it.\n\n", "")
    settled = settle_revision(DRAFT, rep(DRAFT, revised), fallback=lambda: pytest.fail("no fallback needed"))
    assert settled.source == "revision" and settled.text == revised and not settled.failed


def test_a_broken_revision_falls_back_to_the_template_post_checked_again():
    fallback = "tinyqueue is a small job queue for Python backed by SQLite. It keeps a history of every run.\n\n#python"
    checked: list[str] = []

    def recheck(text: str) -> GuardReport:
        checked.append(text)
        return rep(text, text, confidence=0.9)

    settled = settle_revision(
        DRAFT,
        rep(DRAFT, "</P>\n\n#python #sqlite #jobqueue #tinyqueue #opensource"),
        fallback=lambda: fallback,
        recheck=recheck,
    )
    assert settled.source == "fallback" and settled.text == fallback
    assert checked == [fallback]
    assert settled.report.confidence == 0.9
    assert "only tags or markup" in settled.reason and "template" in settled.reason


def test_the_fallbacks_own_revision_is_kept_when_sound():
    fallback = "tinyqueue is a small job queue for Python backed by SQLite. It has 9 plugins. It keeps every run.\n\n#python"
    revised = fallback.replace(" It has 9 plugins.", "")
    settled = settle_revision(
        DRAFT, rep(DRAFT, "#a #b"), fallback=lambda: fallback, recheck=lambda t: rep(t, revised)
    )
    assert settled.source == "fallback" and settled.text == revised


@pytest.mark.parametrize(
    "fallback,recheck,why",
    [
        (None, None, "no fallback writer"),
        (lambda: "", None, "the fallback post is broken too: nothing is left"),
        (lambda: (_ for _ in ()).throw(RuntimeError("no passages")), None, "the fallback writer failed"),
        (
            lambda: (
                "tinyqueue is a small job queue for Python backed by SQLite, with retries and a dashboard."
            ),
            lambda t: rep(t, "</P> #python"),
            "the fallback post's revision is broken too",
        ),
    ],
)
def test_when_nothing_sound_is_left_the_item_fails_with_the_reason(fallback, recheck, why):
    settled = settle_revision(
        DRAFT, rep(DRAFT, "</P>\n\n#python #sqlite"), fallback=fallback, recheck=recheck
    )
    assert settled.failed and settled.text == ""
    assert why in settled.reason
    assert settled.report.confidence == 0.0
    assert any(n.startswith("integrity:") for n in settled.report.notes)


def test_an_unchanged_broken_draft_is_not_kept_either():
    draft = "</P>\n\n#python #sqlite #jobqueue"
    settled = settle_revision(draft, rep(draft, draft), fallback=None)
    assert settled.failed and "the draft is broken" in settled.reason


def test_an_unchanged_sound_draft_is_kept_as_is():
    settled = settle_revision(DRAFT, rep(DRAFT, DRAFT))
    assert settled.source == "draft" and settled.text == DRAFT


def test_template_post_writes_from_stored_version_data(settings):
    data = {
        "brief": {"style": "announcement"},
        "strategy": {"hook": "question"},
        "source": {"name": "tinyqueue"},
        "passages": [
            {
                "text": "# tinyqueue\n\ntinyqueue is a small job queue for Python backed by SQLite. "
                "It runs jobs in worker threads and retries failed jobs with exponential backoff. "
                "Every run is kept in a history table you can query.",
                "kind": "readme",
                "path": "README.md",
                "score": 1.0,
            }
        ],
    }
    text = template_post(data, settings)
    assert "tinyqueue" in text and post_is_broken(text) is None
    assert template_post({**data, "passages": []}, settings) == ""


def test_settled_report_is_a_new_value():
    report = rep(DRAFT, "#a")
    settled = settle_revision(DRAFT, report)
    assert report.confidence == 0.8 and settled.report is not report
    assert replace(settled.report, notes=()).confidence == 0.0


# --- the hook in core: the gate never stores a broken revision -----------------------------------
README = (
    "# tinyqueue\n\ntinyqueue is a small job queue for Python backed by SQLite. It runs jobs in worker "
    "threads and retries failed jobs with exponential backoff. Every run is kept in a history table you can query."
)
DATA = {
    "brief": {"style": "announcement"},
    "strategy": {"hook": "question"},
    "source": {"name": "tinyqueue"},
    "passages": [{"text": README, "kind": "readme", "path": "README.md", "score": 1.0}],
}


def _services(settings):
    from chains.providers import FallbackChain
    from core.services import build_services
    from tests.fakes import FakeEmbedder, FakeProvider

    return build_services(settings, embedder=FakeEmbedder(), chain=FallbackChain([FakeProvider()]))


def _submit(services):
    from core.gate import NewItem, ProjectContext, ProposedVersion, submit_version

    return submit_version(
        services, ProposedVersion(DRAFT, "generated", data=DATA), new_item=NewItem(), project=ProjectContext(None)
    )


def _fake_check(monkeypatch, reports):
    import chains.guard as guard

    calls: list[str] = []

    def check_post(text, *args, **kwargs):
        calls.append(text)
        return reports[len(calls) - 1](text)

    monkeypatch.setattr(guard, "check_post", check_post)
    return calls


def test_the_gate_replaces_a_tags_only_revision_by_the_template_post(settings, monkeypatch):
    services = _services(settings)
    calls = _fake_check(
        monkeypatch,
        [
            lambda t: rep(t, "</P>\n\n#python #sqlite #jobqueue #tinyqueue #opensource", 0.7),
            lambda t: rep(t, t, 0.95),
        ],
    )
    gated = _submit(services)
    latest = services.store.latest_version(gated.item.id)
    assert len(calls) == 2 and calls[1] == latest.text  # the template post was checked again
    assert "tinyqueue" in latest.text and post_is_broken(latest.text) is None
    assert latest.provider == "template" and latest.origin == "guard_revision"
    assert "only tags or markup" in latest.data["guard"]["integrity"]
    assert gated.guard.confidence == 0.95


def test_the_gate_sends_the_item_to_review_when_no_sound_post_is_left(settings, monkeypatch):
    import chains.guard.integrity as integrity
    from core.guard.store import load_guard_report

    services = _services(settings)
    _fake_check(monkeypatch, [lambda t: rep(t, "</P> #python #sqlite", 0.7)])
    monkeypatch.setattr(integrity, "template_post", lambda data, settings, **kw: "")
    gated = _submit(services)
    assert [v.id for v in services.store.versions(gated.item.id)] == [gated.proposed.id]  # nothing broken stored
    assert gated.status == "review_required" and any("only tags or markup" in r for r in gated.reasons)
    stored = load_guard_report(services.store, gated.proposed.id)
    assert stored.confidence == 0.0
    assert any("integrity:" in n and "only tags or markup" in n for n in stored.notes)
