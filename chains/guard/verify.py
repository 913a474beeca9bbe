"""The verification cascade for one claim: specifics, calibrated score, optional judge.

1. specifics: a URL, @handle, version, file or package name, or number the
   project never mentions makes the claim unsupported outright;
2. a support score in [0, 1] from `features.claim_features` and the logistic
   model fitted by `scripts/fit_guard.py` (chains/guard_params.json); when the
   optional NLI stage is installed (`nli.py`), a probe on a cross-encoder's
   last layer adds one feature and the model fitted with it (the "nli" part
   of the file) is used;
3. when the score falls inside `settings.guard_judge_band` and a provider that
   supports the "judge" task is available, an LLM judge whose answer must be
   strict JSON ({"verdict": "supported"|"unsupported", "reason": "..."}); any
   other answer counts as no answer and the score stands.
It does not rewrite anything (see rewrite.py).
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chains.guard.facts import FactCheck, ProjectFacts, check_facts, failed
from chains.guard.features import FEATURE_NAMES, SourceView, claim_features
from chains.guard.nli import NLI_FEATURES, Probe, best_pairs, get_scorer, nli_features
from chains.guard.specifics import HARD_KINDS, ProjectText, Specific, extract_specifics, missing_specifics

__all__ = [
    "Params",
    "load_params",
    "load_nli_params",
    "support_score",
    "Judgement",
    "parse_judgement",
    "ask_judge",
    "judge_available",
    "Decision",
    "decide",
    "PARAMS_PATH",
]

log = logging.getLogger(__name__)
PARAMS_PATH = Path(__file__).resolve().parent.parent / "guard_params.json"
HARD_CAP = 0.05
JUDGE_SYSTEM = (
    "You check one claim against evidence from a software project. Answer with JSON only: "
    '{"verdict": "supported" or "unsupported", "reason": "<one short sentence>"}. '
    "A claim is supported only if the evidence states it; anything not in the evidence is unsupported."
)


@dataclass(frozen=True)
class Params:
    """The fitted logistic model: standardisation, weights and the decision threshold."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    probe: Probe | None = None  # the NLI stage's probe (the "nli" model only)


def _params(data: dict[str, Any], expected: tuple[str, ...], path: str, what: str) -> Params:
    if tuple(data["features"]) != expected:
        raise ValueError(f"{path} was fitted for other {what}; run scripts/fit_guard.py to refit")
    return Params(
        features=tuple(data["features"]),
        mean=np.array(data["mean"]),
        scale=np.array(data["scale"]),
        coef=np.array(data["coef"]),
        intercept=float(data["intercept"]),
        threshold=float(data["threshold"]),
        probe=Probe.from_dict(data["probe"]) if "probe" in data else None,
    )


@functools.lru_cache(maxsize=4)
def load_params(path: str = str(PARAMS_PATH)) -> Params:
    """Read guard_params.json; refit with scripts/fit_guard.py when features change."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return _params(data, FEATURE_NAMES, path, "features")


@functools.lru_cache(maxsize=4)
def load_nli_params(path: str = str(PARAMS_PATH)) -> Params | None:
    """The model fitted with the NLI features (the "nli" part of guard_params.json), or None."""
    data = json.loads(Path(path).read_text(encoding="utf-8")).get("nli")
    if not data:
        return None
    if "probe" not in data:
        raise ValueError(f"{path} has an NLI model without its probe; run scripts/fit_guard.py to refit")
    return _params(data, FEATURE_NAMES + NLI_FEATURES, path, "NLI features")


@functools.lru_cache(maxsize=1)
def _nli_params_or_none() -> Params | None:
    # Cached, failure included: a stale file is read and reported once, not once per claim.
    try:
        return load_nli_params()
    except (OSError, ValueError, KeyError) as exc:
        log.warning("NLI stage off: %s", exc)
        return None


def support_score(features: np.ndarray, params: Params | None = None) -> float:
    """Calibrated probability that a claim is supported, from its feature vector."""
    p = params or load_params()
    z = float(((features - p.mean) / np.where(p.scale == 0, 1.0, p.scale)) @ p.coef + p.intercept)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Judgement:
    """A judge's strict answer."""

    verdict: str
    reason: str


def parse_judgement(text: str) -> Judgement | None:
    """Parse a judge's answer strictly: one JSON object with a known verdict, else None."""
    raw = (text or "").strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(\{.*\})\s*```", raw, re.S)
    if fenced:
        raw = fenced.group(1)
    if not (raw.startswith("{") and raw.endswith("}")):
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    verdict = data.get("verdict")
    reason = data.get("reason", "")
    if verdict not in ("supported", "unsupported") or not isinstance(reason, str):
        return None
    return Judgement(verdict, reason.strip()[:300])


def judge_available(chain: Any) -> tuple[bool, str]:
    """Whether any provider in the chain can judge right now, and why not."""
    if chain is None:
        return False, "no writing chain given"
    providers = list(getattr(chain, "providers", []) or [])
    able = [p for p in providers if _safe(p, "supports", "judge")]
    if not able:
        return (
            False,
            "no provider can judge (the template writer never does; the local model only with HERALD_LOCAL_JUDGE=1)",
        )
    ready = [p for p in able if _safe(p, "available")]
    if not ready:
        return False, "providers that can judge are not available (no key or no server)"
    return True, "judge: " + ", ".join(str(getattr(p, "name", type(p).__name__)) for p in ready)


def _safe(obj: Any, method: str, *args: Any) -> bool:
    fn = getattr(obj, method, None)
    if fn is None:
        return False
    try:
        result = fn(*args)
    except Exception:  # a provider's probe must never break the guard
        return False
    return bool(result[0] if isinstance(result, tuple) else result)


def ask_judge(chain: Any, claim: str, evidence_texts: list[str]) -> tuple[Judgement | None, str]:
    """Ask the chain's judge; returns (judgement or None, a note on what happened)."""
    from chains.types import Request

    user = "Evidence:\n" + "\n".join(f"- {t}" for t in evidence_texts[:5]) + f"\n\nClaim: {claim}\n\nJSON:"
    req = Request(
        task="judge",
        system=JUDGE_SYSTEM,
        user=user,
        context={"claim": claim, "evidence": evidence_texts},
        max_tokens=120,
        temperature=0.0,
    )
    try:
        result = chain.run(req)
    except Exception as exc:  # every provider failed: no answer
        return None, f"judge gave no answer ({type(exc).__name__})"
    parsed = parse_judgement(result.completion.text)
    if parsed is None:
        return None, f"judge's answer from {result.provider} was malformed and was ignored"
    return parsed, f"judge ({result.provider}) said {parsed.verdict}"


@dataclass(frozen=True)
class Decision:
    """The cascade's outcome for one claim."""

    verdict: str
    score: float
    stage: str
    reason: str
    missing: tuple[Specific, ...] = ()
    checks: tuple[FactCheck, ...] = ()  # the structured pass (facts.py), each with its verdict and evidence


def decide(
    claim_sentences: list[str],
    claim_vectors: np.ndarray,
    view: SourceView,
    project: ProjectText,
    *,
    check_text: str,
    band: tuple[float, float] = (0.35, 0.65),
    chain: Any = None,
    use_judge: bool = False,
    evidence_texts: list[str] | None = None,
    facts: ProjectFacts | None = None,
) -> Decision:
    """Run the cascade for one claim and say which stage decided and why.

    With `facts` (the project's sentences with locations) the structured pass
    (facts.py) runs first and any failed check decides; without it only the
    specifics of specifics.py are looked up.
    """
    params = load_params()
    if project.empty or not view.sentences:
        return Decision(
            "unsupported", 0.0, "specifics", "the project has no text to check against (the source is empty)"
        )
    feats = claim_features(claim_sentences, claim_vectors, view)
    specifics = extract_specifics(check_text)
    missing = missing_specifics(specifics, project)
    checks = check_facts(check_text, facts) if facts is not None else ()
    bad = failed(checks)
    if facts is not None:
        # the structured pass replaces the bare look-up (numbers are checked in context there)
        found = {c.text.lower() for c in checks if c.verdict == "supported"}
        missing = [s for s in missing if s.kind not in HARD_KINDS and s.text.lower() not in found]
    hard = [s for s in missing if s.kind in HARD_KINDS]
    soft = [s for s in missing if s.kind not in HARD_KINDS]
    nli_note = ""
    nli_params = _nli_params_or_none() if not (hard or bad) else None
    scorer = get_scorer() if nli_params is not None else None
    if scorer is not None and nli_params is not None and nli_params.probe is not None:
        pairs = best_pairs(claim_sentences, claim_vectors, view.sentences, view.vectors)
        feats = np.concatenate([feats, nli_features(pairs, scorer, nli_params.probe)])
        params, nli_note = nli_params, " with NLI"
    score = support_score(feats, params)
    if bad:
        named = "; ".join(
            c.reason
            + (
                f" [{c.evidence.location}]"
                if c.evidence is not None and c.evidence.location not in c.reason
                else ""
            )
            for c in bad[:3]
        )
        stage = "specifics" if any(c.kind in HARD_KINDS or c.kind == "flag" for c in bad) else "facts"
        return Decision("unsupported", min(score, HARD_CAP), stage, named, tuple(missing), checks)
    if hard:
        named = ", ".join(f"{s.kind} {s.text!r}" for s in hard[:4])
        return Decision(
            "unsupported",
            min(score, HARD_CAP),
            "specifics",
            f"the project never mentions {named}",
            tuple(missing),
        )
    soft_note = f"; not found in the project: {', '.join(s.text for s in soft[:4])}" if soft else ""
    lo, hi = band
    if use_judge and chain is not None and lo <= score <= hi:
        judgement, note = ask_judge(chain, check_text, evidence_texts or [])
        if judgement is not None:
            new = max(score, hi) if judgement.verdict == "supported" else min(score, lo)
            return Decision(
                judgement.verdict,
                new,
                "judge",
                f"{note}: {judgement.reason}{soft_note}",
                tuple(missing),
                checks,
            )
        soft_note += f"; {note}"
    verdict = "supported" if score >= params.threshold else "unsupported"
    why = "evidence agrees" if verdict == "supported" else "evidence does not say this"
    return Decision(
        verdict,
        score,
        "score",
        f"support score{nli_note} {score:.2f} ({why}){soft_note}",
        tuple(missing),
        checks,
    )
