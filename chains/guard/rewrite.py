"""Rewrite unsupported claims from their evidence with the writing chain, or drop them.

`rewrite_claim` asks the chain (task "rewrite") for one sentence built only
from the evidence; an answer that is not one plain sentence (`form_problem`:
the prompt echoed, a list or table, several sentences) is refused, and the
caller re-checks the rest and keeps a rewrite only when it is supported.
`can_rewrite` says whether any provider in the chain can do it.
`apply_revisions` rebuilds the post text from the draft by character offsets.
It does not decide verdicts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from chains.guard.report import Claim, Evidence
from chains.guard.textutil import split_sentences
from rag.types import Passage

__all__ = ["REWRITE_SYSTEM", "can_rewrite", "rewrite_claim", "apply_revisions", "form_problem"]

log = logging.getLogger(__name__)
REWRITE_SYSTEM = (
    "Rewrite the claim so that it states only what the evidence says. Use only facts from the evidence; "
    "no numbers, names, versions or links that are not in it. Answer with one sentence and nothing else."
)


def can_rewrite(chain: Any) -> tuple[bool, str]:
    """Whether some provider in the chain supports "rewrite" and is available, with a reason."""
    if chain is None:
        return False, "no writing chain given"
    for p in getattr(chain, "providers", []) or []:
        try:
            if p.supports("rewrite"):
                ok = p.available()
                if ok[0] if isinstance(ok, tuple) else ok:
                    return True, f"rewrite with {getattr(p, 'name', type(p).__name__)}"
        except Exception:  # a broken provider probe only means it cannot rewrite
            continue
    return False, "no available provider supports the rewrite task"


def rewrite_claim(
    chain: Any, claim_text: str, evidence: tuple[Evidence, ...], recheck: Callable[[str], str] | None = None
) -> tuple[str, str]:
    """One rewritten sentence from the evidence, or "" and the reason none came back.

    `recheck(text)` returns "" when a rewrite is supported, else why not; the
    chain then moves on to its next provider (so the template writer can still
    answer after a local model invents something).
    """
    if not evidence:
        return "", "no evidence to rewrite from"
    from chains.types import Request

    passages = tuple(
        Passage(
            text=e.text, kind="docs", path=e.path, score=e.score, start_line=e.start_line, end_line=e.end_line
        )
        for e in evidence
    )
    user = (
        "Evidence:\n"
        + "\n".join(f"- {e.text}" for e in evidence)
        + f"\n\nClaim: {claim_text}\n\nRewritten claim:"
    )
    req = Request(
        task="rewrite",
        system=REWRITE_SYSTEM,
        user=user,
        passages=passages,
        context={"text": claim_text, "sentences": 1, "evidence": [e.text for e in evidence]},
        max_tokens=120,
        temperature=0.0,
    )

    def check(raw: str) -> str:
        text = _clean(raw)
        return form_problem(text) or (recheck(text) if recheck is not None else "")

    try:
        result = chain.run(req, check=check)
    except Exception as exc:  # every provider failed or no rewrite held up: the caller drops the claim
        attempts = getattr(exc, "attempts", ()) or ()
        errors = "; ".join(f"{a.provider}: {a.error}" for a in attempts if getattr(a, "error", ""))
        return "", f"no provider gave a supported rewrite ({errors or type(exc).__name__})"[:400]
    text = _clean(result.completion.text)
    if not text:
        return "", f"{result.provider} returned nothing usable"
    return text, f"rewritten by {result.provider}"


def form_problem(text: str) -> str:
    """Why a rewrite is not one plain sentence (it echoes the prompt, is a list or table, or runs on), or ""."""
    if re.search(r"\b(?:evidence|claim)\s*:", text, re.I):
        return "the answer repeats the prompt"
    if re.match(r"[-*•]\s", text) or re.search(r"\s[-*•]\s+\*\*|\|", text):
        return "the answer is a list or a table, not a sentence"
    if len(split_sentences(text)) > 2:
        return "the answer is more than one sentence"
    return ""


def _clean(text: str) -> str:
    text = (text or "").strip().strip('"“”').strip()
    text = re.sub(r"^(?:rewritten claim|claim|answer)\s*:\s*", "", text, flags=re.I)
    return " ".join(text.split())[:600]


_BARE_TITLE = re.compile(r"[ \t]*(?:[-*•][ \t]+|\d+[.)][ \t]+)?(?:\*\*[^*\n]+\*\*|__[^_\n]+__)?[ \t]*")


def _drop_bare_title(text: str, pos: int) -> str:
    """Remove the line around `pos` when a drop left only a list marker or a bold title on it."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    if _BARE_TITLE.fullmatch(text[start:end]) and text[start:end].strip():
        return text[:start] + text[end + 1 :]
    return text


def apply_revisions(draft: str, claims: tuple[Claim, ...]) -> str:
    """The draft with each revised claim replaced (or removed when dropped), by offsets."""
    out = draft
    for c in sorted(claims, key=lambda c: c.start, reverse=True):
        if c.revised_text is None:
            continue
        if c.revised_text:
            out = out[: c.start] + c.revised_text + out[c.end :]
        else:
            after = c.end
            while after < len(out) and out[after] in " \t":
                after += 1
            out = _drop_bare_title(out[: c.start] + out[after:], c.start)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return "\n".join(line.rstrip() for line in out.splitlines()).strip()
