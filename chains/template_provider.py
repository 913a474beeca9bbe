"""A deterministic writer: from the project card when there is one, else from passage sentences.

With a card (`Request.card`) the post is `chains.card_writer.compose_card_post`:
the project's own words, condensed by deletion, in a shape per style and hook.
Without one, it fills slots with sentences copied from the passages.
The last resort of the fallback chain: always available when it has passages,
never invents a fact. Every factual sentence it outputs is a verbatim sentence
of a passage (whitespace collapsed, list markers dropped); the only words of
its own are the hook framing ("Have you looked at X yet?"), section labels
and the call to action, none of which state a fact. Sentences that read like
instructions to a model (prompt injection) are dropped before anything is
counted, so they cannot change the output. It cannot judge claims.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chains.card_writer import NoCardContentError, compose_card_post
from chains.errors import InvalidOutputError, UnsupportedTaskError
from chains.prompts import LENGTH_TARGETS, looks_like_instruction
from chains.providers import Provider, register_provider
from chains.sentences import (
    STOPWORDS,
    Sentence,
    extract_sentences,
    guess_project_name,
    key_terms,
    tokens,
)
from chains.types import Brief, Completion, Request, Strategy
from rag.lexical import stem
from rag.types import Passage

if TYPE_CHECKING:
    from utils.settings import Settings

__all__ = [
    "TemplateProvider",
    "Sentence",
    "extract_sentences",
    "key_terms",
    "guess_project_name",
    "compose_post",
    "tokens",
    "STOPWORDS",
]

# A guard rewrite copies an evidence sentence only when it shares this much of the claim's words;
# below it the copy would swap the subject ("uses PostgreSQL" -> an unrelated README sentence).
REWRITE_COVER = 0.5
KIND_WEIGHT = {"readme": 1.0, "docs": 0.9, "example": 0.85, "changelog": 0.7, "issue": 0.5, "commit": 0.45}
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\s*(?:%|x|ms|s|k|KB|MB|GB)?\b")
_USAGE = re.compile(
    r"\b(install|run|import|configure|create|start|call|pip|npm|cargo|make|command|cli|open|add)\b", re.I
)
CTA = {
    "professional": "What would you use it for? Share your thoughts in the comments.",
    "friendly": "Have you tried it? I would love to hear what you think.",
    "enthusiastic": "Give it a try and tell me what you build with it!",
    "technical": "Curious how it works under the hood? The project's docs go deeper.",
    "casual": "Worth a look. What do you think?",
}


def _field(obj: Any, name: str, default: str) -> str:
    if obj is None:
        return default
    if isinstance(obj, dict):
        return str(obj.get(name, default))
    return str(getattr(obj, name, default))


def _similar(a: str, b: str) -> bool:
    ta, tb = set(tokens(a)), set(tokens(b))
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) > 0.6


def _rank(
    sentences: Sequence[Sentence], n_passages: int, *, focus: str = "", style: str = "", name: str = ""
) -> list[tuple[float, Sentence]]:
    terms = key_terms(sentences)
    focus_terms = set(tokens(focus))
    name_terms = set(tokens(name))
    scored = []
    for s in sentences:
        toks = tokens(s.text)
        uniq = set(toks)
        info = sum(math.log1p(terms[t]) for t in uniq) / math.sqrt(len(toks) + 1)
        score = info * KIND_WEIGHT.get(s.kind, 0.5)
        score += 0.6 * (1 - s.passage / max(n_passages, 1)) + 0.15 / (1 + s.position)
        if focus_terms:
            score += 2.0 * len(uniq & focus_terms) / len(focus_terms)
        if name_terms & uniq:
            score += 0.4
        if style == "release_notes" and s.kind in ("changelog", "commit"):
            score += 1.0
        if style == "tutorial" and _USAGE.search(s.text):
            score += 0.8
        if "](" in s.text or "**" in s.text or "http" in s.text:
            score -= 0.6
        if not 50 <= len(s.text) <= 200:
            score -= 0.3
        scored.append((score, s))
    scored.sort(key=lambda pair: (-pair[0], pair[1].passage, pair[1].position))
    return scored


def _pick(ranked: list[tuple[float, Sentence]], budget: int, limit: int) -> list[Sentence]:
    chosen: list[Sentence] = []
    used = 0
    for _, s in ranked:
        if len(chosen) >= limit or used >= budget:
            break
        if any(_similar(s.text, c.text) for c in chosen):
            continue
        chosen.append(s)
        used += len(s.text) + 2
    return chosen


AUDIENCE_CALL = {
    "developers": "Developers",
    "engineering_leaders": "Engineering leaders",
    "data_scientists": "Data scientists",
}


def _hook(hook_type: str, name: str, audience: str, chosen: list[Sentence]) -> tuple[str, list[Sentence]]:
    """The hook line and the sentences left for the body."""
    subject = name or "this project"
    if hook_type == "statistic":
        for s in chosen:
            if _NUMBER.search(s.text):
                return s.text, [c for c in chosen if c is not s]
        return f"{subject}, in a few facts:", chosen
    if hook_type == "bold_claim" and chosen:
        return chosen[0].text, chosen[1:]
    if hook_type == "story":
        return f"Here is the short story of {subject}.", chosen
    if hook_type == "contrarian":
        return (
            f"Unpopular opinion: the best tools can be explained in a few sentences. Here is {subject}.",
            chosen,
        )
    call = AUDIENCE_CALL.get(audience)
    return (
        f"{call}: have you looked at {subject} yet?" if call else f"Have you looked at {subject} yet?"
    ), chosen


def compose_post(
    passages: Sequence[Passage],
    brief: Brief | None = None,
    strategy: Strategy | None = None,
    project_name: str = "",
) -> str:
    """A LinkedIn post built only from passage sentences plus non-factual framing."""
    brief = brief or Brief()
    strategy = strategy or Strategy()
    sentences = extract_sentences(passages)
    if not sentences:
        return ""
    name = project_name or guess_project_name(passages)
    style = _field(brief, "style", "announcement")
    lo, hi = LENGTH_TARGETS.get(strategy.length, LENGTH_TARGETS["medium"])
    ranked = _rank(sentences, len(passages), focus=brief.topic, style=style, name=name)
    limit = {"short": 4, "medium": 7, "long": 12}.get(strategy.length, 7)
    chosen = _pick(ranked, budget=(lo + hi) // 2 - 150, limit=limit)
    hook, body = _hook(strategy.hook, name, _field(brief, "audience", "developers"), chosen)
    parts = [hook]
    if style in ("listicle", "tutorial", "release_notes") and len(body) >= 3:
        intro, items = body[0], body[1:]
        if style == "tutorial":
            items = sorted(items, key=lambda s: not _USAGE.search(s.text))
        label = {
            "listicle": "Worth knowing:",
            "tutorial": "How to get started:",
            "release_notes": "What's new:",
        }[style]
        marker = "- " if style == "release_notes" else None
        lines = [f"{marker or f'{i}. '}{s.text}" for i, s in enumerate(items, 1)]
        parts += [intro.text, label + "\n" + "\n".join(lines)]
    else:
        for i in range(0, len(body), 2):
            parts.append(" ".join(s.text for s in body[i : i + 2]))
    parts.append(CTA.get(_field(brief, "tone", "professional"), CTA["professional"]))
    return "\n\n".join(p for p in parts if p)


_SHORTER = re.compile(r"\b(short|shorter|concise|brief|tighter|trim|less)\b", re.I)
_LONGER = re.compile(r"\b(long|longer|detail|details|expand|more depth|elaborate)\b", re.I)
_HOOK_WORDS = {
    "question": r"\bquestion\b",
    "statistic": r"\b(number|numbers|statistic|stat|data)\b",
    "story": r"\bstory\b",
    "contrarian": r"\b(contrarian|provocative|challenge)\b",
    "bold_claim": r"\b(bold|confident|stronger hook|punchy)\b",
}
_STYLE_WORDS = {"listicle": r"\b(list|bullets?|points)\b", "tutorial": r"\b(tutorial|how[- ]to|steps?)\b"}


def _adjust(brief: Brief, strategy: Strategy, instruction: str) -> tuple[Brief, Strategy]:
    order = ("short", "medium", "long")
    i = order.index(strategy.length) if strategy.length in order else 1
    if _SHORTER.search(instruction):
        strategy = replace(strategy, length=order[max(i - 1, 0)])
    elif _LONGER.search(instruction):
        strategy = replace(strategy, length=order[min(i + 1, 2)])
    for hook, pattern in _HOOK_WORDS.items():
        if re.search(pattern, instruction, re.I):
            strategy = replace(strategy, hook=hook)
            break
    for tone in CTA:
        if re.search(rf"\b{tone}\b", instruction, re.I):
            brief = replace(brief, tone=tone)
    for style, pattern in _STYLE_WORDS.items():
        if re.search(pattern, instruction, re.I):
            brief = replace(brief, style=style)
    return brief, strategy


def _whole_sentence(text: str) -> bool:
    """True unless `text` is a fragment a chunk boundary cut off (list marker, mid-sentence start or end)
    or a table row."""
    last = re.sub(r"\W+$", "", text).rsplit(" ", 1)[-1].lower()
    return (
        len(text) <= 280
        and (text[:1].isupper() or text[:1].isdigit())
        and text[-1] not in ",;:-("
        and last not in STOPWORDS
        and text.count("`") % 2 == 0
        and text.count("(") == text.count(")")
        and "**" not in text
        and text.count("|") < 2  # a Markdown table row, not a sentence
    )


def _evidence(passages: Sequence[Passage], text: str, n: int) -> list[str]:
    sentences = extract_sentences(passages)
    wanted = set(tokens(text))
    if not wanted:
        ranked = _rank(sentences, len(passages))
        return [s.text for _, s in ranked[:n]]
    scored = []
    for s in sentences:
        have = set(tokens(s.text))
        overlap = len(have & wanted) / math.sqrt(len(have) + 1)
        if overlap > 0:
            scored.append((-overlap, s.passage, s.position, s.text))
    if not scored:
        # Curated evidence (e.g. from the guard) may be short fragments: fall back to whole passages.
        for i, p in enumerate(passages):
            body = " ".join(p.text.split())
            have = set(tokens(body))
            overlap = len(have & wanted) / math.sqrt(len(have) + 1)
            if overlap > 0 and _whole_sentence(body) and not looks_like_instruction(body):
                scored.append((-overlap, i, 0, body))
    scored.sort()
    return [t for *_, t in scored[:n]]


def _stems(text: str) -> set[str]:
    return {stem(t) for t in tokens(text)}


def _coverage(claim: str, sentence: str) -> float:
    """Share of the claim's content words (plurals ignored) that `sentence` also uses."""
    want = _stems(claim)
    return len(want & _stems(sentence)) / len(want) if want else 1.0


class TemplateProvider(Provider):
    """Deterministic slot filling from passages; never judges."""

    name = "template"
    model = "template-v1"

    def supports(self, task: str) -> bool:
        """Post, rewrite and storyboard; not judge."""
        return task in ("post", "rewrite", "storyboard")

    def available(self) -> tuple[bool, str]:
        """Always usable (it needs passages at run time)."""
        return True, "built in"

    def generate(self, request: Request) -> Completion:
        """Build the answer from `request.passages` and `request.context`."""
        ctx = request.context
        if request.task == "post" and request.card is not None:
            try:
                text = compose_card_post(
                    request.card,
                    ctx.get("brief") or Brief(),
                    ctx.get("strategy") or Strategy(),
                    request.passages,
                )
            except NoCardContentError as exc:
                raise InvalidOutputError(str(exc)) from None
        elif request.task == "post":
            text = compose_post(
                request.passages,
                ctx.get("brief") or Brief(),
                ctx.get("strategy") or Strategy(),
                str(ctx.get("project_name") or ""),
            )
        elif request.task == "rewrite":
            text = self._rewrite(request)
        elif request.task == "storyboard":
            n = int(ctx.get("scenes") or len(ctx.get("lines") or []) or 5)
            focus = " ".join([*ctx.get("lines", []), str(ctx.get("comment", "")), str(ctx.get("text", ""))])
            picked = _evidence(request.passages, focus, n)
            if len(picked) < n:
                ranked = _rank(extract_sentences(request.passages), len(request.passages))
                picked += [s.text for _, s in ranked if s.text not in picked][: n - len(picked)]
            text = "\n".join(picked)
        else:
            raise UnsupportedTaskError(f"the template writer cannot do {request.task!r}")
        if not text.strip():
            raise InvalidOutputError("no usable sentences in the passages")
        return Completion(text=text, model=self.model, tokens_out=len(text.split()))

    def _rewrite(self, request: Request) -> str:
        ctx = request.context
        text = str(ctx.get("text", ""))
        if not ctx.get("whole_post"):
            n = int(ctx.get("sentences", 2))
            picked = [
                e for e in _evidence(request.passages, text, n + 4) if _coverage(text, e) >= REWRITE_COVER
            ]
            if text and not picked:
                raise InvalidOutputError(
                    f"no evidence sentence shares {REWRITE_COVER:.0%} of the claim's words, "
                    "so copying one would change the subject"
                )
            return " ".join(picked[:n])
        brief, strategy = _adjust(
            ctx.get("brief") or Brief(), ctx.get("strategy") or Strategy(), str(ctx.get("instruction", ""))
        )
        if request.card is not None:
            try:
                post = compose_card_post(request.card, brief, strategy, request.passages)
            except NoCardContentError as exc:
                raise InvalidOutputError(str(exc)) from None
        else:
            post = compose_post(request.passages, brief, strategy, str(ctx.get("project_name") or ""))
        tags = [ln for ln in text.strip().splitlines()[-1:] if ln.strip().startswith("#")]
        return "\n\n".join([post, *tags]) if post else ""


def template_providers(settings: Settings) -> list[Provider]:
    """The one template writer."""
    return [TemplateProvider()]


register_provider("template", template_providers)
