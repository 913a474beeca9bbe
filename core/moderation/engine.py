"""`moderate` and `moderate_batch`: normalise, score per sentence, decide.

Each text is normalised (`normalise.py`), cut into sentences, and every
available backend scores all sentences of the batch in one call. Per
category the text's score is the highest sentence score; the stacker turns
profanity, hatesonar and abuse outputs into `toxicity` and `hate`; thresholds give
the level; the guard's unsupported-claim share can raise it to
`review_required`. A backend that is missing or fails is a recorded fallback,
never a crash. Storing results is `core.review`'s job, not this module's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from core.moderation.backends import ModerationBackend, backend_names, get_backend
from core.moderation.decision import (
    CATEGORIES,
    LEVELS,
    Thresholds,
    guard_unsupported_share,
    load_stacker,
    load_thresholds,
    max_level,
)
from core.moderation.normalise import normalise_text, split_sentences, split_units, unleet
from core.moderation.rules import strip_known_links
from core.moderation.technical import technical_view
from utils.settings import Settings

__all__ = ["Reason", "Moderation", "moderate", "moderate_batch", "backend_status"]

LOG = logging.getLogger(__name__)
SNIPPET = 240
_STACK_INPUTS = ("insult", "hate", "offensive", "abuse")


@dataclass(frozen=True)
class Reason:
    """Why a level was reached: the category, the sentence, its score and the backend."""

    category: str
    sentence: str
    score: float
    backend: str
    level: str = "flagged"


@dataclass(frozen=True)
class Moderation:
    """The decision for one text: level, scores per category in [0, 1], reasons, backends."""

    level: str
    scores: dict[str, float]
    reasons: tuple[Reason, ...] = ()
    backends_ran: tuple[str, ...] = ()
    fallbacks: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def ready(self) -> bool:
        """True when the level lets the item be marked ready (approved or flagged)."""
        return self.level in ("approved", "flagged")

    def reason_codes(self) -> tuple[str, ...]:
        """The distinct categories behind the level, in order of severity."""
        return tuple(dict.fromkeys(r.category for r in self.reasons))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return {
            "level": self.level,
            "scores": dict(self.scores),
            "reasons": [asdict(r) for r in self.reasons],
            "backends_ran": list(self.backends_ran),
            "fallbacks": list(self.fallbacks),
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Moderation:
        """Rebuild from `to_dict` output (as stored)."""
        return cls(
            level=raw["level"],
            scores={k: float(v) for k, v in raw.get("scores", {}).items()},
            reasons=tuple(Reason(**r) for r in raw.get("reasons", [])),
            backends_ran=tuple(raw.get("backends_ran", [])),
            fallbacks=tuple(raw.get("fallbacks", [])),
            notes=tuple(raw.get("notes", [])),
        )


def backend_status(settings: Settings) -> list[tuple[str, bool, str]]:
    """(name, available, why) for every registered backend, for the Health page."""
    out = []
    for name in backend_names():
        ok, why = get_backend(name, settings).available()
        out.append((name, ok, why))
    return out


def moderate(
    text: str, settings: Settings, *, guard: Any = None, project_hosts: tuple[str, ...] = ()
) -> Moderation:
    """Moderate one text (optionally with the guard's report joining the decision).

    `project_hosts`: the hosts of the project's own repository, docs and homepage
    (`rules.project_hosts_from` of its files); links to them are not flagged.
    """
    return moderate_batch([text], settings, guards=[guard], project_hosts=[project_hosts])[0]


def _run_backend(
    backend: ModerationBackend, inputs: list[str], fallbacks: list[str]
) -> list[dict[str, float]] | None:
    ok, why = backend.available()
    if not ok:
        fallbacks.append(f"{backend.name}: {why}")
        return None
    try:
        return backend.score(inputs)
    except Exception as exc:  # one broken backend must not stop moderation
        LOG.warning("moderation backend %s failed: %s", backend.name, exc)
        fallbacks.append(f"{backend.name}: failed ({type(exc).__name__}: {str(exc)[:200]})")
        return None


def moderate_batch(
    texts: Sequence[str],
    settings: Settings,
    *,
    guards: Sequence[Any] | None = None,
    backends: Sequence[str] | None = None,
    project_hosts: Sequence[tuple[str, ...]] | None = None,
) -> list[Moderation]:
    """Moderate many texts with one batched call per backend; results in input order.

    The word models read `technical_view` of each unit (code, links and technical phrases
    made neutral); the rules and the spam model read the text without links to the
    project's own hosts (`project_hosts`, one tuple per text) or to code hosts.
    """
    thresholds = load_thresholds(settings)
    stacker = load_stacker()
    normalised = [normalise_text(t) for t in texts]
    whole = [n.text for n in normalised]
    scored_text = [i for i, n in enumerate(normalised) if n.text and not n.emoji_only]
    # "unit": tweet-sized groups of sentences (the models); "sentence": one sentence (the rules)
    segments: dict[str, list[tuple[int, str]]] = {
        mode: [(i, s) for i, n in enumerate(normalised) if not n.emoji_only for s in split(n.text)]
        for mode, split in (("unit", split_units), ("sentence", split_sentences))
    }
    hosts = [
        tuple(project_hosts[i]) if project_hosts and i < len(project_hosts) else () for i in range(len(texts))
    ]
    # the word models read prose: code, links and technical phrases ("kill the process") made neutral
    de_leeted = {mode: [unleet(technical_view(s)) for _, s in flat] for mode, flat in segments.items()}
    # the rules and the spam model judge links, except those to code hosts and the project's own
    plain = {mode: [strip_known_links(s, hosts[i]) for i, s in flat] for mode, flat in segments.items()}
    per_segment: dict[str, list[dict[str, tuple[float, str]]]] = {
        mode: [{} for _ in flat] for mode, flat in segments.items()
    }  # category -> (score, backend)
    per_text: list[dict[str, tuple[float, str]]] = [{} for _ in texts]
    ran: list[str] = []
    fallbacks: list[str] = []
    for name in backends or backend_names():
        backend = get_backend(name, settings)
        if backend.unit == "text":
            inputs = [strip_known_links(whole[i], hosts[i]) for i in scored_text]
            rows = _run_backend(backend, inputs, fallbacks) if scored_text else []
            if rows is None:
                continue
            for i, row in zip(scored_text, rows, strict=True):
                for cat, val in row.items():
                    per_text[i][cat] = max(per_text[i].get(cat, (0.0, "")), (val, name))
        else:
            mode = "sentence" if backend.unit == "sentence" else "unit"
            flat = segments[mode]
            inputs = de_leeted[mode] if backend.uses_unleet else plain[mode]
            rows = _run_backend(backend, inputs, fallbacks) if flat else []
            if rows is None:
                continue
            target_rows = per_segment[mode]
            for j, row in enumerate(rows):
                for cat, val in row.items():
                    target_rows[j][cat] = max(target_rows[j].get(cat, (0.0, "")), (val, name))
        ran.append(name)

    unit_rows = per_segment["unit"]
    if stacker is not None and unit_rows and any(b in ran for b in ("profanity", "hatesonar", "abuse")):
        features = [{k: v[0] for k, v in row.items() if k in _STACK_INPUTS} for row in unit_rows]
        for target, values in stacker.predict(features).items():
            for j, val in enumerate(values):
                prev = unit_rows[j].get(target)
                # the stacker's calibrated hate replaces hatesonar's raw one; Detoxify's may exceed it
                if prev is None or prev[1] == "hatesonar" or val > prev[0]:
                    unit_rows[j][target] = (val, "stacker")

    by_text: list[list[tuple[str, dict[str, tuple[float, str]]]]] = [[] for _ in texts]
    for mode, flat in segments.items():
        for (owner, segment), row in zip(flat, per_segment[mode], strict=True):
            if row:
                by_text[owner].append((segment, row))
    results = []
    for i in range(len(texts)):
        sent_rows = by_text[i]
        guard = guards[i] if guards and i < len(guards) else None
        results.append(
            _decide(normalised[i], sent_rows, per_text[i], thresholds, settings, guard, ran, fallbacks)
        )
    return results


def _decide(
    norm: Any,
    sent_rows: list[tuple[str, dict[str, tuple[float, str]]]],
    text_row: dict[str, tuple[float, str]],
    thresholds: Thresholds,
    settings: Settings,
    guard: Any,
    ran: list[str],
    fallbacks: list[str],
) -> Moderation:
    scores = {c: 0.0 for c in CATEGORIES}
    best: dict[str, tuple[float, str, str]] = {}
    for sentence, row in sent_rows:
        for cat, (val, backend) in row.items():
            if cat in scores and val > best.get(cat, (-1.0, "", ""))[0]:
                best[cat] = (val, sentence, backend)
    for cat, (val, backend) in text_row.items():
        if cat in scores:
            best[cat] = (val, norm.text[:SNIPPET], backend)
    reasons: list[Reason] = []
    level = "approved"
    for cat, (val, sentence, backend) in best.items():
        scores[cat] = round(val, 4)
        cat_level = thresholds.level_of(cat, val)
        if cat_level != "approved":
            reasons.append(Reason(cat, sentence[:SNIPPET], round(val, 4), backend, cat_level))
            level = max_level(level, cat_level)
    notes = []
    if norm.hidden_removed:
        notes.append(f"removed {norm.hidden_removed} hidden or control characters before scoring")
    if norm.tags_removed:
        notes.append(f"removed {norm.tags_removed} HTML tags before scoring")
    if norm.emoji_only:
        notes.append("emoji only: nothing for the text backends to score")
    if norm.truncated:
        level = max_level(level, "review_required")
        reasons.append(
            Reason("too_long", f"{norm.original_chars} characters", 1.0, "normalise", "review_required")
        )
        notes.append(f"only the first {len(norm.text)} of {norm.original_chars} characters were scored")
    if guard is not None:
        share, first = guard_unsupported_share(guard)
        if share > settings.guard_review_share:
            level = max_level(level, "review_required")
            reasons.append(
                Reason("unsupported_claims", first[:SNIPPET], round(share, 4), "guard", "review_required")
            )
    reasons.sort(key=lambda r: (-LEVELS.index(r.level), -r.score))
    return Moderation(
        level=level,
        scores=scores,
        reasons=tuple(reasons),
        backends_ran=tuple(ran),
        fallbacks=tuple(fallbacks),
        notes=tuple(notes),
    )
