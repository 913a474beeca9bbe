"""check_post end to end with FakeEmbedder: bad input, rewrite, drop, judge, conflicts, real index."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chains.guard import check_post, guard_stages
from chains.providers import FallbackChain
from tests.fakes import FailingProvider, FakeEmbedder, FakeProvider

PROJECT = (
    "tinyqueue is a job queue for Python backed by SQLite.\n"
    "Current version: 2.3.0.\n"
    "Workers retry failed jobs up to 3 times with exponential backoff.\n"
    "Jobs are never lost when the worker restarts.\n"
    "The dashboard shows queued, running and failed jobs.\n"
)


@pytest.fixture
def emb():
    return FakeEmbedder()


def test_empty_draft_is_explained(settings, emb):
    report = check_post("   ", PROJECT, emb, settings)
    assert report.claims == () and report.confidence == 0.0
    assert "empty" in report.notes[0]


def test_source_with_no_text_makes_claims_unsupported(settings, emb):
    report = check_post("tinyqueue stores jobs in SQLite.", "", emb, settings)
    (claim,) = report.claims
    assert claim.verdict == "unsupported" and "no text" in claim.reason
    assert any("no text" in n for n in report.notes)


def test_invented_url_and_handle_are_unsupported_outright(settings, emb):
    draft = "tinyqueue is a job queue for Python backed by SQLite. Docs live at https://tq.example.io and @tq_bot posts updates."
    report = check_post(draft, PROJECT, emb, settings)
    first, second = report.claims
    assert first.verdict == "supported"
    assert second.verdict == "unsupported" and second.stage == "specifics"
    assert "tq.example.io" in second.reason and "@tq_bot" in second.reason
    assert second.evidence, "evidence is still shown for an unsupported claim"
    assert second.revised_text == "" and report.dropped == (second.text,)
    assert "tq.example.io" not in report.revised_text
    assert report.confidence < settings.guard_min_confidence


def test_invented_version_is_rewritten_from_evidence_then_rechecked(settings, emb):
    fake = FakeProvider().enqueue("Current version: 2.3.0.")
    draft = "tinyqueue 4.0.1 is the current version."
    report = check_post(draft, PROJECT, emb, settings, FallbackChain([fake]))
    (claim,) = report.claims
    assert claim.verdict == "unsupported" and "4.0.1" in claim.reason
    assert claim.revised_text == "Current version: 2.3.0."
    assert report.revised_text == "Current version: 2.3.0."
    rewrite = [r for r in fake.history if r.task == "rewrite"][0]
    assert "Current version: 2.3.0." in rewrite.user and rewrite.passages
    assert report.changed and not report.dropped


def test_a_rewrite_that_invents_again_is_dropped(settings, emb):
    fake = FakeProvider().enqueue("tinyqueue 5.0 ships 40 workers at https://new.example.io.")
    report = check_post(
        "tinyqueue 4.0.1 is the current version.", PROJECT, emb, settings, FallbackChain([fake])
    )
    (claim,) = report.claims
    assert claim.revised_text == "" and "not supported either" in claim.reason
    assert report.revised_text == ""


def test_a_rewrite_that_is_not_one_plain_sentence_is_refused(settings, emb):
    echo = FakeProvider("echo").enqueue("Evidence: - Current version: 2.3.0.\n\nClaim: tinyqueue 4.0.1")
    table = FakeProvider("table").enqueue("| version | 2.3.0 |")
    good = FakeProvider("good").enqueue("Current version: 2.3.0.")
    draft = "tinyqueue 4.0.1 is the current version."
    report = check_post(draft, PROJECT, emb, settings, FallbackChain([echo, table, good]))
    (claim,) = report.claims
    assert claim.revised_text == "Current version: 2.3.0." and "rewritten by good" in claim.reason
    assert [len(p.history) for p in (echo, table, good)] == [1, 1, 1]


def test_offline_rewrite_that_would_change_the_subject_drops_the_claim(settings, emb):
    from chains.template_provider import TemplateProvider

    draft = "tinyqueue keeps its jobs in PostgreSQL and Redis clusters."
    report = check_post(draft, PROJECT, emb, settings, FallbackChain([TemplateProvider()]))
    (claim,) = report.claims
    assert claim.verdict == "unsupported" and claim.revised_text == ""
    assert "change the subject" in claim.reason and report.revised_text == ""


def test_drop_when_no_provider_can_rewrite(settings, emb):
    chain = FallbackChain([FailingProvider()])
    report = check_post("Version 7.7.7 adds Kafka.", PROJECT, emb, settings, chain)
    (claim,) = report.claims
    assert claim.revised_text == "" and "dropped" in claim.reason
    report_none = check_post("Version 7.7.7 adds Kafka.", PROJECT, emb, settings, None)
    assert report_none.claims[0].revised_text == "" and "no writing chain" in report_none.claims[0].reason


def test_malformed_judge_answer_counts_as_no_answer(settings, emb):
    wide = replace(settings, guard_judge_band=(0.0, 1.0))
    fake = FakeProvider().enqueue("Yes, I think it is supported!")
    report = check_post("Workers retry failed jobs up to 3 times.", PROJECT, emb, wide, FallbackChain([fake]))
    (claim,) = report.claims
    assert claim.stage == "score" and "malformed" in claim.reason
    assert fake.history[0].task == "judge"


def test_strict_judge_answer_decides_in_the_band(settings, emb):
    wide = replace(settings, guard_judge_band=(0.0, 1.0))
    fake = FakeProvider().enqueue('{"verdict": "unsupported", "reason": "the docs say 5"}')
    fake.enqueue("Workers retry failed jobs up to 3 times with exponential backoff.")
    report = check_post("Workers retry failed jobs up to 3 times.", PROJECT, emb, wide, FallbackChain([fake]))
    (claim,) = report.claims
    assert claim.stage == "judge" and claim.verdict == "unsupported" and "the docs say 5" in claim.reason
    assert claim.revised_text.startswith("Workers retry")


def test_self_contradicting_evidence_needs_a_person(settings, emb):
    project = PROJECT + "Workers retry failed jobs up to 5 times with exponential backoff.\n"
    report = check_post(
        "Workers retry failed jobs up to 3 times with exponential backoff.", project, emb, settings
    )
    (claim,) = report.claims
    assert claim.verdict == "not_checkable" and "contradicts itself" in claim.reason
    assert report.confidence <= 0.5


def test_claim_in_another_language_is_explained_and_capped(settings, emb):
    draft = "tinyqueue is a job queue for Python backed by SQLite. Le projet est une file de tâches pour Python et il est rapide."
    report = check_post(draft, PROJECT, emb, settings)
    assert report.claims[1].verdict == "not_checkable" and "another language" in report.claims[1].reason
    assert report.confidence <= 0.5 and any("need a person" in n for n in report.notes)


def test_one_5000_character_sentence(settings, emb):
    draft = "tinyqueue is a job queue for Python backed by SQLite, " * 95 + "and it never loses jobs."
    assert len(draft) > 5000
    report = check_post(draft, PROJECT, emb, settings)
    assert len(report.claims) > 10
    assert any("long sentence" in n for n in report.notes)


def test_against_a_real_index_of_the_sample_project(settings, emb, sample_project):
    from rag.index import build_index
    from rag.sources import load_source

    source = load_source(sample_project, settings)
    index = build_index(source, emb, settings)
    readme = next(d for d in source.documents if d.path.lower() == "readme.md")
    true_line = next(
        ln for ln in readme.text.splitlines() if len(ln.split()) > 8 and not ln.startswith(("#", "-", "|"))
    )
    draft = f"{true_line}\n\nIt was rewritten in Rust for version 8.8.8."
    report = check_post(draft, index, emb, settings)
    first, second = report.claims
    assert first.verdict == "supported" and first.evidence[0].path == "README.md"
    assert first.evidence[0].start_line >= 1
    assert second.verdict == "unsupported"


def test_guard_stages_say_what_runs(settings):
    offline = dict((n, (a, w)) for n, a, w in guard_stages(settings, None))
    assert offline["support score"][0] and not offline["LLM judge"][0]
    online = dict((n, (a, w)) for n, a, w in guard_stages(settings, FallbackChain([FakeProvider()])))
    assert online["LLM judge"][0] and online["rewrite"][0]
