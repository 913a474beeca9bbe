"""Post generation: brief + strategy + passages -> a checked LinkedIn `Draft`.

`generate_draft` builds the prompt, runs the fallback chain, and post-processes
the answer: strips echoed instructions and markup, drops sentences that carry
links or @handles absent from the sources, enforces LinkedIn's character limit
at a sentence boundary, draws 3-5 hashtags from the content (with the
strategy's hashtag policy), and scores quality. Junk answers (empty, too short,
echoed prompt, off-topic) count as failed attempts so the chain falls through,
the template writer last. Claim checking is `chains.guard`'s job, not this one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from chains.card_writer import effective_hook
from chains.errors import NoPassagesError
from chains.hashtags import card_hashtags
from chains.prompts import SOURCES_CLOSE, SOURCES_OPEN, build_post_request, looks_like_instruction
from chains.providers import FallbackChain, TokenSink
from chains.quality import LENGTH_TARGETS, extract_hashtags, linkedin_fold, quality_report, score_quality
from chains.sentences import guess_project_name, tokens
from chains.types import Brief, ChainResult, Draft, Request, Strategy
from rag.card import card_passages
from rag.card_types import ProjectCard
from rag.types import Passage
from utils.plain_text import has_markup, plain_post_text

if TYPE_CHECKING:
    from utils.settings import Settings

__all__ = [
    "generate_draft",
    "clean_output",
    "check_post",
    "looks_like_code",
    "trim_to_limit",
    "make_caption",
    "linkedin_fold",
    "extract_hashtags",
    "score_quality",
    "MIN_POST_CHARS",
]

MIN_POST_CHARS = 120
MIN_GROUNDED = 0.3  # share of a post's content words that must occur in the sources
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_URL = re.compile(r"https?://[^\s)>\]]+|www\.[^\s)>\]]+", re.I)
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.-]{1,38}")
_PREAMBLE = re.compile(
    r"^\s*(?:(?:sure|certainly|okay|ok|of course)[,!.]?\s*)?(here(?:'s| is| are)\b[^\n]{0,40}\b(?:post|draft|version|text|rewrite)\b[^\n]{0,30}[:.]?|"
    r"(?:the |your |a )?(?:revised |final )?(?:linkedin )?(?:post|draft|answer|text)\s*:)?\s*$",
    re.I,
)
_ROLE = re.compile(r"^\s*(system|user|assistant|human|ai)\s*:", re.I)
_TAG_LINE = re.compile(r"^\s*(#\w+[\s,]*)+$")
_CODE_LINE = re.compile(
    r"^(```|def |class |import |from \S+ import|return\b|@\w+|[{}\[\]();]+$)|[=;{}]\s*$|\w\(.*\)\s*[:;]?$"
)


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def clean_output(text: str, passages: Sequence[Passage] = ()) -> tuple[str, tuple[str, ...]]:
    """Text without echoed prompts, markup, trailing hashtags, injected or ungrounded link sentences."""
    source = "\n".join(p.text for p in passages)
    warnings: list[str] = []
    lines: list[str] = []
    dropped_instr = dropped_links = 0
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        s = line.strip()
        if (
            s.startswith(("```", "[source ", "[project card", "<<<", "‹‹‹"))
            or SOURCES_OPEN in s
            or SOURCES_CLOSE in s
            or _ROLE.match(s)
            or (s and _PREAMBLE.match(s))
            or re.match(r"^<\|?\w+\|?>", s)
        ):
            continue
        line = re.sub(r"^#{1,6}\s+", "", line).replace("**", "").replace("__", "")
        kept = []
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            if looks_like_instruction(sentence):
                dropped_instr += 1
                continue
            urls = [u.rstrip(".,;:") for u in _URL.findall(sentence)]
            handles = _HANDLE.findall(sentence)
            if any(u not in source for u in urls) or any(h not in source for h in handles):
                dropped_links += 1
                continue
            kept.append(sentence)
        lines.append(" ".join(kept) if kept else ("" if line.strip() else line))
    while lines and (not lines[-1].strip() or _TAG_LINE.match(lines[-1])):
        lines.pop()
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if dropped_instr:
        warnings.append(f"removed {dropped_instr} sentence(s) that read like instructions")
    if dropped_links:
        warnings.append(f"removed {dropped_links} sentence(s) with links or handles not in the sources")
    return body, tuple(warnings)


def _ngrams(words: list[str], n: int = 4) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def looks_like_code(text: str) -> bool:
    """True when most lines of `text` look like source code rather than prose."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return False
    code = sum(bool(_CODE_LINE.search(ln)) for ln in lines)
    return code / len(lines) > 0.4


def check_post(text: str, request: Request, passages: Sequence[Passage] = (), raw: str = "") -> str:
    """ "" when a cleaned answer looks like a real post, else why it is junk (`raw`: the uncleaned answer)."""
    if raw and (SOURCES_OPEN in raw or re.search(r"^\s*\[source \d+:", raw, re.M)):
        return "output echoes the prompt's sources block"
    if looks_like_code(raw or text):
        return "output is code, not prose"
    if len(text) < MIN_POST_CHARS:
        return f"output too short ({len(text)} characters)"
    words = re.findall(r"\w+", text.lower())
    if len(words) < 20:
        return f"output too short ({len(words)} words)"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) >= 4 and len(set(lines)) / len(lines) < 0.6:
        return "output repeats itself"
    if len(set(words)) / len(words) < 0.3:
        return "output repeats itself"
    if "text" in request.context:  # a rewrite may repeat the text it revises, not the instructions
        instructions = request.system + "\n" + str(request.context.get("instruction", ""))
    else:
        # the task may come before or after the quoted sources
        instructions = "\n".join(
            (request.system, request.user.split(SOURCES_OPEN)[0], request.user.split(SOURCES_CLOSE)[-1])
        )
    # the worked example's post is part of the prompt: a copy of it is an echo, not a post
    instructions += "".join(f"\n{user}\n{answer}" for user, answer in request.shots)
    grams = _ngrams(words)
    echoed = grams & _ngrams(re.findall(r"\w+", instructions.lower()))
    if grams and len(echoed) / len(grams) > 0.3:
        return "output echoes the prompt"
    vocab = set(tokens(" ".join(p.text for p in passages or request.passages)))
    content = tokens(text)
    if vocab and content:
        grounded = sum(t in vocab for t in content) / len(content)
        if grounded < MIN_GROUNDED:
            return f"output is off-topic (only {grounded:.0%} of its words occur in the sources)"
    return ""


def trim_to_limit(text: str, max_chars: int) -> tuple[str, bool]:
    """`text` cut at the last sentence end within `max_chars` (word boundary as a fallback)."""
    if len(text) <= max_chars:
        return text, False
    head = text[:max_chars]
    cut = max((m.end() for m in re.finditer(r"[.!?](?=\s)|\n", head + " ")), default=0)
    if cut >= max_chars * 0.5:
        return head[:cut].rstrip(), True
    words = head[: max_chars - 1].rsplit(" ", 1)[0].rstrip()
    return words + "…", True


def make_caption(text: str, hook: str, max_chars: int = 150) -> str:
    """A one-line caption: the first body sentence after the hook, cut at a word boundary."""
    body = text[len(hook) :] if text.startswith(hook) else text
    candidates = [
        s.strip() for s in _sentences(body) if len(s.strip()) >= 30 and not s.strip().startswith("#")
    ]
    line = " ".join((candidates[0] if candidates else hook).split())
    if len(line) <= max_chars:
        return line
    return line[: max_chars - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _hook_of(text: str) -> str:
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(first) > 250:
        sentences = _sentences(first)
        first = sentences[0].strip() if sentences else first[:250]
    return first


def generate_draft(
    brief: Brief,
    strategy: Strategy,
    passages: list[Passage],
    chain: FallbackChain,
    settings: Settings,
    *,
    project_name: str = "",
    item_id: int | None = None,
    run_id: str | None = None,
    card: ProjectCard | None = None,
    on_token: TokenSink | None = None,
) -> Draft:
    """Write, clean, trim, tag and score one LinkedIn post from the passages (and the project card).

    With a `card`, the writers write from it (the template composes the post from it, LLM prompts
    quote it), hashtags come from it, and its values count as sources for the checks. `on_token`
    receives the raw text as a streaming provider writes it (see `chains.providers.TokenSink`); the
    returned `Draft` is the cleaned, checked version.
    """
    if not passages:
        raise NoPassagesError("No passages to write from: pick a source with a README or docs")
    name = (card.name.value if card is not None else "") or project_name or guess_project_name(passages)
    sources = [*passages, *card_passages(card)] if card is not None else list(passages)
    main_url = card.main_url if card is not None else ""
    lo, hi = LENGTH_TARGETS.get(strategy.length, LENGTH_TARGETS["medium"])
    request = build_post_request(
        brief,
        strategy,
        passages,
        project_name=name,
        max_tokens=max(200, min(900, hi // 3)),
        temperature=settings.temperature,
        card=card,
    )

    def plain(raw: str) -> tuple[str, tuple[str, ...]]:
        body, warnings = clean_output(raw, sources)
        return (plain_post_text(body, main_url) if has_markup(body) else body), warnings

    def check(raw: str) -> str:
        return check_post(plain(raw)[0], request, sources, raw=raw)

    result: ChainResult = chain.run(request, check=check, item_id=item_id, run_id=run_id, on_token=on_token)
    body, warnings = plain(result.completion.text)
    warnings_list = list(warnings)
    if card is not None and result.provider == "template":
        hook_note = effective_hook(card, strategy.hook)[1]
        if hook_note:
            warnings_list.append(hook_note)
    for a in result.attempts:
        if not a.ok and not a.skipped:
            warnings_list.append(f"provider {a.provider}/{a.model} failed: {a.error}")

    if card is not None:
        context = "\n".join(p.text for p in passages)
        hashtags = card_hashtags(card, body, policy=strategy.hashtag_policy, context=context)
    else:
        hashtags = extract_hashtags(body, passages, project_name=name, policy=strategy.hashtag_policy)
    tag_line = " ".join(hashtags)
    budget = settings.linkedin_max_chars - (len(tag_line) + 2 if tag_line else 0)
    body, trimmed = trim_to_limit(body, budget)
    if trimmed:
        warnings_list.append(f"trimmed to {settings.linkedin_max_chars} characters")
    text = f"{body}\n\n{tag_line}" if tag_line else body
    hook = _hook_of(body)
    quality = quality_report(
        text,
        hook,
        hashtags,
        passages,
        project_name=name,
        length=strategy.length,
        fold_chars=settings.fold_chars,
    )
    return Draft(
        text=text,
        hook=hook,
        hashtags=hashtags,
        caption=make_caption(body, hook),
        quality=quality.score,
        quality_parts=quality.parts,
        quality_reasons=quality.reasons,
        provider=result.provider,
        model=result.completion.model,
        attempts=result.attempts,
        strategy=strategy,
        brief=brief,
        fold_index=linkedin_fold(text, settings.fold_chars),
        warnings=tuple(warnings_list),
    )
