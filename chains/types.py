"""Typed values that cross `chains`' boundary: briefs, strategies, requests, drafts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rag.types import Passage

__all__ = [
    "Brief",
    "Strategy",
    "Request",
    "Completion",
    "Attempt",
    "ChainResult",
    "Draft",
    "STYLES",
    "HOOK_TYPES",
    "HASHTAG_POLICIES",
    "LENGTHS",
    "BRIEF_LENGTHS",
    "TONES",
    "AUDIENCES",
]

STYLES = ("announcement", "tutorial", "story", "listicle", "release_notes")
HOOK_TYPES = ("question", "bold_claim", "statistic", "story", "contrarian")
HASHTAG_POLICIES = ("nop", "boost_tag", "add_suggested_tag")
LENGTHS = ("short", "medium", "long")
BRIEF_LENGTHS = ("auto", *LENGTHS)  # "auto": the strategy agent chooses the length
TONES = ("professional", "friendly", "enthusiastic", "technical", "casual")
AUDIENCES = ("developers", "engineering_leaders", "data_scientists", "general")


@dataclass(frozen=True)
class Brief:
    """What the creator asks for."""

    style: str = "announcement"
    tone: str = "professional"
    audience: str = "developers"
    length: str = "medium"
    topic: str = ""  # optional focus, e.g. "the new CLI"


@dataclass(frozen=True)
class Strategy:
    """How a post is written: chosen by the agent, applied by the generator."""

    hook: str = "question"
    hashtag_policy: str = "nop"
    length: str = "medium"  # the tone is the brief's (part of the agent's state), never part of the action

    @property
    def key(self) -> str:
        """A stable string id, e.g. `question|nop|medium`."""
        return f"{self.hook}|{self.hashtag_policy}|{self.length}"


@dataclass(frozen=True)
class Request:
    """One job for a writing provider.

    `task` is "post", "rewrite", "storyboard" or "judge". `system` and `user` are
    the chat messages for LLM providers, with `shots` (worked examples as (user,
    assistant) turns) between them; `passages`, `context` and `card` carry the
    same material in structured form for the deterministic template provider.
    """

    task: str
    system: str
    user: str
    passages: tuple[Passage, ...] = ()
    context: dict[str, Any] = field(default_factory=dict)
    max_tokens: int = 400
    temperature: float = 0.4
    card: Any = None  # rag.card_types.ProjectCard the post is written from, when there is one
    shots: tuple[tuple[str, str], ...] = ()

    def messages(self) -> list[dict[str, str]]:
        """The chat as role/content dicts: system, the worked examples, then the user message."""
        out = [{"role": "system", "content": self.system}] if self.system else []
        for user, assistant in self.shots:
            out += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
        return [*out, {"role": "user", "content": self.user}]


@dataclass(frozen=True)
class Completion:
    """A provider's answer."""

    text: str
    model: str
    tokens_in: int = 0
    tokens_out: int = 0


@dataclass(frozen=True)
class Attempt:
    """One try of one provider inside the fallback chain."""

    provider: str
    model: str
    ok: bool
    latency_ms: float
    error: str = ""
    skipped: bool = False  # not tried: unavailable (no key, no base URL, no model file)
    tokens_in: int = 0  # from the provider's usage metadata (an output refused by the checks still cost them)
    tokens_out: int = 0


@dataclass(frozen=True)
class ChainResult:
    """The first successful completion and every attempt made to get it."""

    completion: Completion
    provider: str
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True)
class Draft:
    """A finished LinkedIn post draft with its parts and quality."""

    text: str
    hook: str
    hashtags: tuple[str, ...]
    caption: str
    quality: float  # 0-100
    quality_parts: dict[str, float]
    provider: str
    model: str
    attempts: tuple[Attempt, ...]
    strategy: Strategy
    brief: Brief
    fold_index: int  # character index where LinkedIn's "see more" fold falls
    warnings: tuple[str, ...] = ()
    quality_reasons: dict[str, str] = field(default_factory=dict)  # why each quality part has its value
