"""Is a guard revision still a post? If not, what the item keeps instead.

`post_is_broken(text, original)` says why a text is no longer a post: nothing
left, only hashtags, tags or markup left, the opening dropped, or most of the
original's content gone; None when it is fine. `settle_revision` applies it to
a `GuardReport`: it keeps a sound revision, otherwise asks `fallback` for
another post (the template writer's, see `template_post`), checks that one
again with `recheck`, and keeps it when it is sound; when nothing sound is
left it says the item failed, with the reason. It never returns a text of only
tags or markup. It does not store anything or set statuses (core does).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from chains.guard.report import GuardReport
from chains.quality_checks import name_variants

__all__ = [
    "MIN_WORDS",
    "KEEP_SHARE",
    "OPENING_SHARE",
    "Settled",
    "post_is_broken",
    "prose_words",
    "settle_revision",
    "template_post",
]

MIN_WORDS = 8  # fewer prose words than this is not a post (a hook alone is about 8-15 words)
KEEP_SHARE = 0.5  # a revision keeping less than half the draft's content words dropped "most" of it
OPENING_SHARE = 1 / 3  # the opening survives when a leading sentence keeps a third of its words

_HASHTAG = re.compile(r"(?<![\w&])#\w[\w-]*")
_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^<>]{0,200}>|<!--.*?-->", re.S)
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_SMALL = frozenset(
    "a an and are as at be but by for from has have in is it its of on or so that the this to was we "
    "were will with you your".split()
)


def prose_words(text: str) -> list[str]:
    """The words a reader gets from `text`: hashtags, HTML tags, entities, URLs, code and markup removed.

    Example: prose_words("</P> #rust #cli") == []
    """
    text = html.unescape(_TAG.sub(" ", text or ""))
    text = _TAG.sub(" ", text)  # entities that decoded into tags
    text = _MD_LINK.sub(r" \1 ", _CODE.sub(" ", text))
    text = _HASHTAG.sub(" ", _URL.sub(" ", text))
    return _WORD.findall(text)


def _content(words: list[str]) -> list[str]:
    return [w.lower() for w in words if len(w) > 2 and w.lower() not in _SMALL]


def _sentences(text: str) -> list[str]:
    body = _HASHTAG.sub(" ", _TAG.sub(" ", text or ""))
    return [s.strip() for s in _SENTENCE_END.split(body) if len(prose_words(s)) >= 2]


def _first_line(text: str) -> str:
    return next((ln.strip() for ln in (text or "").splitlines() if len(prose_words(ln)) >= 2), "")


def _names(sentence: str, name: str) -> bool:
    low = sentence.lower()
    return any(re.search(rf"(?<![\w]){re.escape(v)}(?![\w])", low) for v in name_variants(name))


def _opening_kept(text: str, original: str, name: str = "") -> bool:
    """Whether the revision still opens as the original did.

    True when its first line is what is left of the original's first line (a sentence of it
    dropped, the rest kept), or one of its first two sentences names the project (`name`) or
    keeps a third of the words of the original's first sentence or first line.
    """
    first, head = _first_line(text), _first_line(original)
    if not head or (first and first in head):
        return True
    originals = _sentences(original)
    openings = [set(_content(prose_words(x))) for x in (originals[0] if originals else "", head)]
    for sentence in _sentences(text)[:2]:
        words = set(_content(prose_words(sentence)))
        if name and _names(sentence, name):
            return True
        for opening in openings:
            if opening and len(opening & words) >= max(1.0, OPENING_SHARE * len(opening)):
                return True
    return not any(openings)


def post_is_broken(text: str, original: str = "", name: str = "") -> str | None:
    """Why `text` (a revision of `original`, when given) is not a post any more, or None when it is one.

    `name`: the project's name; a revision whose first sentences name it still has its opening.

    Example: post_is_broken("</P> #a #b #c #d #e") == "only tags or markup are left"
    """
    words = prose_words(text)
    if not words:
        if (text or "").strip():
            return "only tags or markup are left"
        return "nothing is left"
    if len(words) < MIN_WORDS:
        return f"only {len(words)} words are left besides tags and markup"
    if not original.strip():
        return None
    before = _content(prose_words(original))
    after = _content(words)
    if before and len(after) < KEEP_SHARE * len(before):
        return f"most of the content was dropped (kept {len(after)} of {len(before)} content words)"
    if not _opening_kept(text, original, name):
        return "the opening was dropped"
    return None


@dataclass(frozen=True)
class Settled:
    """What an item keeps after the guard: the text, where it came from, its report, and why."""

    text: str  # "" when the item failed
    source: str  # "draft" | "revision" | "fallback" | "failed"
    report: GuardReport  # the report of `text` (for "failed": the draft's, confidence 0)
    reason: str = ""  # why the revision was not kept, or why the item failed; "" when all went well
    draft_report: GuardReport | None = None  # the draft's report with the reason in its notes

    @property
    def failed(self) -> bool:
        """True when no sound post is left."""
        return self.source == "failed"


def settle_revision(
    draft: str,
    report: GuardReport,
    *,
    fallback: Callable[[], str] | None = None,
    recheck: Callable[[str], GuardReport] | None = None,
    name: str = "",
) -> Settled:
    """The text an item keeps after the guard's `report` on `draft`: revision, fallback post, or failure.

    `fallback()` writes another post (raises or returns "" when it cannot); `name` is the project's;
    `recheck(text)` runs the guard again on it. The fallback's own revision is
    kept when sound, else the fallback as written when that is sound and the
    recheck found nothing to change; otherwise the item failed.
    """
    revised = report.revised_text if report.changed else draft
    why = post_is_broken(revised, draft if report.changed else "", name)
    if why is None:
        return Settled(revised, "revision" if report.changed else "draft", report, draft_report=report)
    what = "the guard's revision" if report.changed else "the draft"
    reason = f"{what} is broken: {why}"
    if fallback is None:
        return _failed(report, f"{reason}; no fallback writer")
    try:
        other = (fallback() or "").strip()
    except Exception as exc:  # a failing fallback is a reason to fail the item, not a crash
        return _failed(report, f"{reason}; the fallback writer failed ({type(exc).__name__}: {exc})"[:500])
    why_other = post_is_broken(other)
    if why_other is not None:
        return _failed(report, f"{reason}; the fallback post is broken too: {why_other}")
    if recheck is None:
        why_kept = f"{reason}; kept the fallback post (not re-checked)"
        return Settled(other, "fallback", report, why_kept, _noted(report, why_kept))
    again = recheck(other)
    kept = again.revised_text if again.changed else other
    why_again = post_is_broken(kept, other if again.changed else "", name)
    if why_again is not None:
        return _failed(report, f"{reason}; the fallback post's revision is broken too: {why_again}")
    why_kept = f"{reason}; kept the template post, checked again"
    return Settled(kept, "fallback", again, why_kept, _noted(report, why_kept))


def _noted(report: GuardReport, reason: str) -> GuardReport:
    return replace(report, notes=(*report.notes, f"integrity: {reason}"))


def _failed(report: GuardReport, reason: str) -> Settled:
    failed = replace(_noted(report, reason), confidence=0.0)
    return Settled("", "failed", failed, reason, failed)


def template_post(data: Mapping[str, Any], settings: Any, *, project_name: str = "") -> str:
    """The template writer's post for a stored version's `data` (brief, strategy, passages), or ""."""
    from chains.generate import generate_draft
    from chains.providers import FallbackChain, get_provider
    from chains.types import Brief, Strategy
    from rag.types import Passage

    def build(cls: type, raw: Any) -> Any:
        names = cls.__dataclass_fields__  # type: ignore[attr-defined]
        return cls(**{k: v for k, v in (raw or {}).items() if k in names})

    passages = [build(Passage, p) for p in data.get("passages", ()) or ()]
    if not passages:
        return ""
    name = project_name or str((data.get("source") or {}).get("name", ""))
    chain = FallbackChain(list(get_provider("template")(settings)))
    draft = generate_draft(
        build(Brief, data.get("brief")),
        build(Strategy, data.get("strategy")),
        passages,
        chain,
        settings,
        project_name=name,
    )
    return draft.text
