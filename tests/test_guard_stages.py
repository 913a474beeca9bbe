"""Guard stages with hand-made cases: extraction, specifics, score, judge parsing."""

from __future__ import annotations

import numpy as np

from chains.guard.claims import detect_foreign, extract_claims
from chains.guard.features import FEATURE_NAMES, build_source_view, claim_features
from chains.guard.specifics import ProjectText, extract_specifics, missing_specifics
from chains.guard.textutil import sentence_spans
from chains.guard.verify import load_params, parse_judgement, support_score
from tests.fakes import FakeEmbedder

PROJECT = (
    "tinyqueue is a job queue for Python backed by SQLite. Current version: 2.3.0. "
    "Alice Moreau maintains the project. Workers retry failed jobs up to 3 times. "
    "See https://tinyqueue.dev/docs for the guide. Install with pip install tinyqueue. "
    "Settings live in queue.toml. Jobs are never lost when the worker restarts."
)


def test_markdown_list_items_and_table_rows_are_sentences_of_their_own():
    text = (
        "Herald is a studio.\n- **Search without a server.** The index is FAISS.\n"
        "| stage | figure |\n|---|---|\n| query p50 at 50k chunks | 3.0 ms |\n"
    )
    got = [text[a:b] for a, b in sentence_spans(text)]
    assert got == [
        "Herald is a studio.",
        "- **Search without a server.**",
        "The index is FAISS.",
        "| stage | figure |",
        "|---|---|",
        "| query p50 at 50k chunks | 3.0 ms |",
    ]


def test_claim_offsets_slice_the_draft_exactly():
    draft = (
        "Big news! 🚀 tinyqueue 2.3.0 is out.\n\nIt stores jobs in SQLite. Want to try it? #python #sqlite"
    )
    spans = extract_claims(draft)
    assert [draft[s.start : s.end] for s in spans] == [s.text for s in spans]
    kinds = {s.text.strip(): s.kind for s in spans}
    assert kinds["Want to try it?"] == "question"
    assert kinds["#python #sqlite"] == "hashtags"
    assert any(s.kind == "fact" and "SQLite" in s.text for s in spans)


def test_questions_ctas_opinions_and_hashtags_are_not_checkable():
    draft = (
        "Have you ever lost a job in a queue? Give it a try and tell me what you think! "
        "I love how simple it feels. #opensource #python"
    )
    spans = extract_claims(draft)
    reasons = [s.kind for s in spans]
    assert reasons == ["question", "cta", "opinion", "hashtags"]
    assert not any(s.checkable for s in spans)
    assert all(s.reason for s in spans)


def test_a_cta_with_an_invented_url_stays_checkable():
    (span,) = extract_claims("Check out https://made-up.example.io/docs for more.")
    assert span.checkable and span.kind == "fact"


def test_foreign_language_claim_is_explained():
    assert (
        detect_foreign("Le projet est une file de tâches pour Python avec SQLite et il est rapide.") == "fr"
    )
    assert detect_foreign("tinyqueue is a job queue for Python backed by SQLite.") == ""
    (span,) = extract_claims("Das Projekt ist eine Warteschlange für Python und sie ist nicht langsam.")
    assert not span.checkable and "another language" in span.reason


def test_one_5000_character_sentence_is_cut_into_parts():
    long = "tinyqueue stores jobs in SQLite, " * 150 + "and it is fast."
    spans = sentence_spans(long)
    assert len(spans) > 10 and all(b - a <= 400 for a, b in spans)
    assert spans[0][0] == 0 and spans[-1][1] == len(long)


def test_specifics_invented_version_url_handle_are_missing():
    project = ProjectText(PROJECT)
    claim = "tinyqueue 9.1.4 is documented at https://tinyqueue.io/help and run by @tq_team."
    missing = {(s.kind, s.norm) for s in missing_specifics(extract_specifics(claim), project)}
    assert ("version", "9.1.4") in missing
    assert ("url", "tinyqueue.io/help") in missing
    assert ("handle", "tq_team") in missing


def test_specifics_present_in_the_project_are_found_normalised():
    project = ProjectText(PROJECT)
    claim = "Version v2.3.0 retries 3 times; see https://www.tinyqueue.dev/docs/ and edit queue.toml after `pip install tinyqueue`."
    specs = extract_specifics(claim)
    assert {s.kind for s in specs} >= {"version", "number", "url", "file", "package"}
    assert missing_specifics(specs, project) == []


def test_swapped_name_is_reported_missing():
    project = ProjectText(PROJECT)
    specs = extract_specifics("The project is maintained by Bob Carter.")
    assert {s.norm for s in missing_specifics(specs, project)} == {"bob", "carter"}


def _score(claim: str, source: str) -> tuple[float, np.ndarray]:
    emb = FakeEmbedder()
    sents = [s for s in source.split(". ") if s]
    view = build_source_view(sents, emb.embed(sents))
    feats = claim_features([claim], emb.embed([claim]), view)
    return support_score(feats), feats


def test_score_prefers_the_supported_paraphrase_to_a_negation():
    ok, _ = _score("Jobs are never lost when the worker restarts.", PROJECT)
    neg, feats = _score("Jobs are lost when the worker restarts.", PROJECT)
    assert feats[FEATURE_NAMES.index("neg_mismatch")] > 0
    assert 0.0 <= neg < ok <= 1.0


def test_score_drops_for_a_swapped_name_and_novel_words():
    ok, _ = _score("Alice Moreau maintains the project.", PROJECT)
    bad, _ = _score("Bob Carter from Kubernetes maintains the project.", PROJECT)
    assert bad < ok


def test_params_file_matches_features():
    params = load_params()
    assert params.features == FEATURE_NAMES
    assert 0.0 < params.threshold < 1.0


def test_judge_answers_are_parsed_strictly():
    assert parse_judgement('{"verdict": "supported", "reason": "README says so"}').verdict == "supported"
    assert (
        parse_judgement('```json\n{"verdict": "unsupported", "reason": "no"}\n```').verdict == "unsupported"
    )
    for bad in (
        "supported",
        'Sure! {"verdict": "supported"}',
        '{"verdict": "maybe"}',
        "{not json}",
        "",
        '["supported"]',
        '{"verdict": "supported", "reason": 3}',
    ):
        assert parse_judgement(bad) is None, bad


def test_dropping_a_list_items_only_sentence_removes_its_bare_title():
    from chains.guard.report import Claim
    from chains.guard.rewrite import apply_revisions

    draft = "Intro line.\n\n- **Offline.** It runs offline.\n- **Fast.** It is fast.\nEnd."

    def claim(text: str, revised: str | None) -> Claim:
        start = draft.index(text)
        return Claim(text, start, start + len(text), True, "unsupported", 0.1, (), "r", revised, "score")

    dropped = apply_revisions(draft, (claim("It runs offline.", ""),))
    assert dropped == "Intro line.\n\n- **Fast.** It is fast.\nEnd."
    rewritten = apply_revisions(draft, (claim("It runs offline.", "It runs on a laptop."),))
    assert "- **Offline.** It runs on a laptop." in rewritten
    kept_title = apply_revisions(draft, (claim("It is fast.", ""), claim("It runs offline.", "It runs.")))
    assert kept_title == "Intro line.\n\n- **Offline.** It runs.\nEnd."


def test_table_rows_become_evidence_with_their_headers():
    from chains.guard.evidence import split_with_lines

    text = (
        "# Benchmarks\n\n| workers | jobs per second |\n|---|---|\n| 1 | 1,900 |\n| 4 | 4,800 |\n\n"
        "Throughput is bounded.\n| a headless | row |"
    )
    sents = split_with_lines(text, "docs/benchmarks.md", first_line=10)
    got = [(s.text, s.start_line) for s in sents]
    assert {s.table_line for s in sents if s.text.startswith("workers:")} == {12}
    assert ("workers: 1; jobs per second: 1,900", 14) in got
    assert ("workers: 4; jobs per second: 4,800", 15) in got
    assert all(set(t) - set("|-: ") for t, _ in got), "the |---| rule is not evidence"
    assert ("| a headless | row |", 18) in got, "a row whose header is not in the chunk stays as it is"


def test_rows_of_one_table_are_not_a_contradiction():
    from chains.guard.evidence import find_conflict
    from chains.guard.report import Evidence

    rows = [
        Evidence("workers: 1; jobs per second: 1,900", "docs/benchmarks.md", 7, 7, 0.8, table_line=5),
        Evidence("workers: 4; jobs per second: 4,800", "docs/benchmarks.md", 8, 8, 0.8, table_line=5),
    ]
    assert find_conflict(rows) == ""
    prose = [
        Evidence("Each worker handles 1,900 jobs per second.", "README.md", 7, 7, 0.8),
        Evidence("Each worker handles 4,800 jobs per second.", "docs/guide.md", 30, 30, 0.8),
    ]
    assert "different numbers" in find_conflict(prose)
