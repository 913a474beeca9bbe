"""Refinement: rewrite a post after a creator's instruction or a low rating's comment.

`refine_text` asks the fallback chain to revise a text while keeping it
grounded in the passages (the template writer rebuilds the post from the
passages with the instruction mapped to a new length, hook, tone or style).
`improve_storyboard_lines` does the same for a video's scene lines. The result
is a new value; nothing here saves it (the caller stores a new version).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chains.errors import NoPassagesError
from chains.generate import check_post, clean_output, trim_to_limit
from chains.prompts import build_rewrite_request, build_storyboard_request
from chains.providers import FallbackChain
from chains.types import Attempt, Brief, Strategy
from rag.types import Passage

if TYPE_CHECKING:
    from utils.settings import Settings

__all__ = ["RefineResult", "refine_text", "improve_storyboard_lines", "parse_scene_lines"]

MAX_SCENE_CHARS = 160
_NUMBERING = re.compile(r"^\s*(?:scene\s*\d+\s*[:.)-]|\d{1,2}\s*[.):-]|[-*•]\s+)\s*", re.I)


@dataclass(frozen=True)
class RefineResult:
    """A revised text, who wrote it, and every attempt the chain made."""

    text: str
    provider: str
    model: str
    attempts: tuple[Attempt, ...]
    warnings: tuple[str, ...] = ()
    original: str = field(default="", repr=False)

    @property
    def changed(self) -> bool:
        """Whether the revised text differs from the text that was sent."""
        return self.original.strip() != self.text.strip()


def _failure_warnings(attempts: Sequence[Attempt]) -> list[str]:
    return [
        f"provider {a.provider}/{a.model} failed: {a.error}" for a in attempts if not a.ok and not a.skipped
    ]


def refine_text(
    text: str,
    instruction: str,
    passages: Sequence[Passage],
    chain: FallbackChain,
    settings: Settings,
    *,
    brief: Brief | None = None,
    strategy: Strategy | None = None,
    project_name: str = "",
    item_id: int | None = None,
    run_id: str | None = None,
) -> RefineResult:
    """Revise `text` following `instruction`, grounded in `passages`, within LinkedIn's limit."""
    if not passages:
        raise NoPassagesError("No passages to refine against: regenerate the post from its source first")
    tags = [ln.strip() for ln in text.strip().splitlines()[-1:] if ln.strip().startswith("#")]
    request = build_rewrite_request(
        text,
        instruction,
        passages,
        whole_post=True,
        context={"brief": brief or Brief(), "strategy": strategy or Strategy(), "project_name": project_name},
        max_tokens=700,
        temperature=settings.temperature,
    )

    def check(raw: str) -> str:
        return check_post(clean_output(raw, passages)[0], request, passages, raw=raw)

    result = chain.run(request, check=check, item_id=item_id, run_id=run_id)
    body, warnings = clean_output(result.completion.text, passages)
    # clean_output drops trailing hashtags; put the post's own back.
    tag_line = tags[0] if tags else ""
    budget = settings.linkedin_max_chars - (len(tag_line) + 2 if tag_line else 0)
    body, trimmed = trim_to_limit(body, budget)
    out = f"{body}\n\n{tag_line}" if tag_line else body
    notes = [*warnings, *_failure_warnings(result.attempts)]
    if trimmed:
        notes.append(f"trimmed to {settings.linkedin_max_chars} characters")
    return RefineResult(out, result.provider, result.completion.model, result.attempts, tuple(notes), text)


def parse_scene_lines(text: str) -> list[str]:
    """Scene lines of a model's answer: numbering and bullets stripped, empty lines dropped."""
    out = []
    for raw in text.splitlines():
        line = _NUMBERING.sub("", raw).strip().strip('"').strip()
        if line and not line.endswith(":"):
            out.append(line)
    return out


def improve_storyboard_lines(
    lines: list[str],
    comment: str,
    passages: Sequence[Passage],
    chain: FallbackChain,
    settings: Settings,
    *,
    item_id: int | None = None,
    run_id: str | None = None,
) -> list[str]:
    """As many improved scene lines as given, after a viewer's `comment`.

    Missing lines keep their original text; raises `AllProvidersFailedError` when no provider answers.
    """
    if not lines:
        return []
    n = len(lines)
    request = build_storyboard_request(lines, comment, passages, temperature=settings.temperature)
    source_words = {w for p in passages for w in re.findall(r"\w+", p.text.lower())}

    def check(raw: str) -> str:
        got = parse_scene_lines(clean_output(raw, passages)[0])
        if len(got) < max(1, n // 2):
            return f"expected {n} scene lines, got {len(got)}"
        words = [w for line in got for w in re.findall(r"\w+", line.lower())]
        if source_words and words and sum(w in source_words for w in words) / len(words) < 0.3:
            return "scene lines are off-topic"
        return ""

    result = chain.run(request, check=check, item_id=item_id, run_id=run_id)
    got = parse_scene_lines(clean_output(result.completion.text, passages)[0])
    improved = [trim_to_limit(line, MAX_SCENE_CHARS)[0] for line in got[:n]]
    return improved + lines[len(improved) :]
