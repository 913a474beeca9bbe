"""The agent's view of a job: context dicts, their discretised state, the strategies.

A context is a plain dict with `project_kind`, `audience`, `tone`,
`guard_confidence` (0-1) and `hashtag_count`. `normalize_context` drops unknown
keys, fills missing ones with defaults and maps unknown values to a known one,
so no context can crash the agent. `state_of` turns it into the Q-table's state
key. This module does no learning and no storage (that is `core.agent`).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from typing import Any

from chains.types import AUDIENCES, HASHTAG_POLICIES, HOOK_TYPES, LENGTHS, TONES, Strategy

__all__ = [
    "PROJECT_KINDS",
    "DEFAULT_CONTEXT",
    "STRATEGY_KEYS",
    "strategies",
    "strategy_from_key",
    "normalize_context",
    "state_of",
    "describe_state",
    "project_kind_of",
    "explain_choice",
    "authenticity_bucket",
    "hashtag_bin",
]

PROJECT_KINDS = ("library", "cli", "web_app", "api", "data_ml", "infra", "other")
DEFAULT_CONTEXT: dict[str, Any] = {
    "project_kind": "other",
    "audience": "developers",
    "tone": "professional",
    "guard_confidence": 0.7,
    "hashtag_count": 3,
}
_BASE = tuple(
    Strategy(hook=h, hashtag_policy=p, length=n)
    for h, p, n in itertools.product(HOOK_TYPES, HASHTAG_POLICIES, LENGTHS)
)
STRATEGY_KEYS = tuple(s.key for s in _BASE)
_BY_KEY = {s.key: s for s in _BASE}
_KIND_WORDS = (
    ("data_ml", r"\b(model|dataset|training|pandas|numpy|pytorch|tensorflow|machine learning|embedding)s?\b"),
    ("web_app", r"\b(streamlit|flask|django|react|vue|frontend|web app|webapp|dashboard)\b"),
    ("api", r"\b(rest api|http api|endpoint|graphql|grpc|openapi)s?\b"),
    ("infra", r"\b(docker|kubernetes|terraform|helm|ansible|deploy(ment)?|ci/cd)\b"),
    (
        "cli",
        r"\b(cli|command[- ]line|terminal|subcommands?|argparse|click|one command|cargo install|brew install|site generator)\b",
    ),
    ("library", r"\b(library|package|pip install|import|sdk|module)\b"),
)


def strategies(length: str | None = None) -> tuple[Strategy, ...]:
    """Every strategy: hook type x hashtag policy x length (45); only those of `length` when given."""
    if length in (None, "", "auto"):
        return _BASE
    return tuple(s for s in _BASE if s.length == length)


def strategy_from_key(key: str) -> Strategy:
    """The strategy with this key (`hook|hashtag_policy|length`); KeyError when unknown."""
    return _BY_KEY[key]


def _choice(value: Any, allowed: tuple[str, ...], default: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "_", str(value).strip().lower()).strip("_")
    return text if text in allowed else default


def _number(value: Any, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def normalize_context(context: Mapping[str, Any] | None) -> dict[str, Any]:
    """A complete, valid context: unknown keys dropped, missing or unknown values defaulted.

    Example: normalize_context({"tone": "LOUD", "x": 1})["tone"] == "professional"
    """
    ctx = dict(context or {})
    return {
        "project_kind": _choice(ctx.get("project_kind", "other"), PROJECT_KINDS, "other"),
        "audience": _choice(ctx.get("audience", "developers"), AUDIENCES, "general"),
        "tone": _choice(ctx.get("tone", "professional"), TONES, "professional"),
        "guard_confidence": min(1.0, max(0.0, _number(ctx.get("guard_confidence"), 0.7))),
        "hashtag_count": max(0, int(_number(ctx.get("hashtag_count"), 3))),
    }


def authenticity_bucket(confidence: float) -> str:
    """Guard confidence as low (< 0.5), medium (< 0.8) or high."""
    return "low" if confidence < 0.5 else "medium" if confidence < 0.8 else "high"


def hashtag_bin(count: int) -> str:
    """Hashtag count as none (0), few (1-3) or many (4+)."""
    return "none" if count <= 0 else "few" if count <= 3 else "many"


def state_of(context: Mapping[str, Any]) -> str:
    """The Q-table state key of a context, e.g. `cli|high|few|developers|technical`."""
    ctx = normalize_context(context)
    return "|".join(
        (
            ctx["project_kind"],
            authenticity_bucket(ctx["guard_confidence"]),
            hashtag_bin(ctx["hashtag_count"]),
            ctx["audience"],
            ctx["tone"],
        )
    )


def describe_state(state: str) -> str:
    """A state key in words, for the UI."""
    parts = state.split("|")
    if len(parts) != 5:
        return state
    kind, auth, tags, audience, tone = parts
    return (
        f"{kind.replace('_', ' ')} project, {auth} authenticity, {tags} hashtags, "
        f"for {audience.replace('_', ' ')}, {tone} tone"
    )


def project_kind_of(text: str) -> str:
    """A rough project kind from its README or docs text (keyword rules; "other" when none match)."""
    lowered = (text or "").lower()[:20_000]
    best, best_hits = "other", 0
    for kind, pattern in _KIND_WORDS:
        hits = len(re.findall(pattern, lowered))
        if hits > best_hits:
            best, best_hits = kind, hits
    return best


def explain_choice(
    state: str,
    key: str,
    explored: bool,
    eps: float,
    qs: dict[str, float],
    table: dict[str, tuple[float, int]],
    n_greedy: int,
) -> str:
    """Why the agent picked `key` in `state`, in one or two sentences for the UI."""
    where = describe_state(state)
    tried = table.get(key, (0.0, 0))[1]
    if explored:
        return (
            f"Exploring ({eps:.0%} of choices are random so the agent keeps learning): "
            f"{key} was picked at random for {where}."
        )
    if not table:
        return (
            f"No ratings yet for {where}: every strategy starts optimistic, so the agent "
            f"tries them in turn ({n_greedy} untried)."
        )
    if tried == 0:
        return f"{key} has not been rated yet for {where}; untried strategies are tried before settling."
    return (
        f"{key} has the highest expected reward ({qs[key]:+.2f} from {tried} rewards) for {where}; "
        f"{eps:.0%} of choices still explore."
    )
