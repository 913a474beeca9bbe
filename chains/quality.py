"""LinkedIn post measurements: the "see more" fold, hashtags drawn from content, a quality score.

Pure functions over text and passages; no providers, no I/O. The quality score
(`quality_report`) is a weighted mean of twelve parts, each 0-100 with a reason:
specificity (words and identifiers from the sources), opening (hook strength),
length fit, readability, hashtag count, and the checks of `chains.quality_checks`
(names the project, plain text, on topic, whole sentences, hashtag terms,
figures in the sources, closing). A post with a defect that no reader forgives
(boilerplate, Markdown/HTML, junk hashtags, a fragment, an invented figure, no
project name) is capped at `QUALITY_CAP`. It measures form, not truth:
`chains.guard` checks claims.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chains.prompts import LENGTH_TARGETS
from chains.quality_checks import (
    Part,
    body_of,
    check_closing,
    check_hashtag_terms,
    check_names_project,
    check_numbers,
    check_on_topic,
    check_opening,
    check_plain_text,
    check_sentences,
    check_substance,
    post_lines,
)
from chains.sentences import STOPWORDS, guess_project_name, tokens
from rag.types import Passage

__all__ = [
    "LENGTH_TARGETS",
    "QUALITY_CAP",
    "QUALITY_WEIGHTS",
    "QualityReport",
    "combine_parts",
    "quality_report",
    "SUGGESTED_TAGS",
    "linkedin_fold",
    "extract_hashtags",
    "hashtag",
    "score_quality",
]

# Weights of the parts (they need not sum to 1); fitted on bench/data/quality_posts.jsonl by
# scripts/fit_quality.py and rounded. A part that finds a defect (boilerplate, Markdown/HTML, junk
# hashtags, a fragment, an invented figure, no project name) also caps the score at QUALITY_CAP.
QUALITY_WEIGHTS = {
    "specificity": 1.0,
    "hook_strength": 1.0,
    "length_fit": 0.5,
    "readability": 0.5,
    "hashtag_count": 0.5,
    "names_project": 1.5,
    "plain_text": 1.5,
    "on_topic": 1.5,
    "sentences": 1.5,
    "hashtag_terms": 1.0,
    "numbers": 1.0,
    "closing": 0.5,
    "substance": 1.0,
}
QUALITY_CAP = 60.0
# Broad tags for the `add_suggested_tag` policy: (pattern in the sources, tag); most matches win.
SUGGESTED_TAGS = (
    (r"\b(pip install|pypi|python|\.py\b|pyproject)", "#python"),
    (r"\b(npm|node\.?js|typescript|javascript|package\.json)\b", "#javascript"),
    (r"\b(cargo|crates\.io|rust)\b", "#rust"),
    (r"\b(go get|golang|go\.mod)\b", "#golang"),
    (r"\b(llm|machine learning|neural|embedding|model training|pytorch)\b", "#machinelearning"),
    (r"\b(cli|command[- ]line|terminal|developer tools?)\b", "#devtools"),
)
DEFAULT_SUGGESTED_TAG = "#opensource"


def suggested_tag(blob: str) -> str:
    """The broad tag whose pattern matches the lower-cased sources most often (ties: list order)."""
    counts = [(len(re.findall(pat, blob)), -i, tag) for i, (pat, tag) in enumerate(SUGGESTED_TAGS)]
    best = max(counts)
    return best[2] if best[0] else DEFAULT_SUGGESTED_TAG


FALLBACK_TAGS = ("#opensource", "#softwaredevelopment", "#programming")
_GENERIC = frozenset("file files code project projects example examples line lines readme docs data".split())


def linkedin_fold(text: str, fold_chars: int = 210) -> int:
    """Index where LinkedIn's "see more" fold falls: the last word boundary at or before `fold_chars`.

    Example: linkedin_fold("a" * 10, 210) == 10
    """
    if len(text) <= fold_chars:
        return len(text)
    head = text[: fold_chars + 1]
    cut = max(head.rfind(" "), head.rfind("\n"))
    return cut if cut > 0 else fold_chars


def hashtag(term: str) -> str:
    """A hashtag for a term or name: "#" plus its alphanumeric words, camel-cased when several.

    Example: hashtag("herald-cli") == "#HeraldCli"
    """
    words = re.findall(r"[A-Za-z0-9]+", term)
    if not words:
        return ""
    if len(words) == 1:
        return "#" + words[0]
    return "#" + "".join(w[:1].upper() + w[1:] for w in words)


def _drawn(text: str, passages: Sequence[Passage], project_name: str, limit: int) -> list[str]:
    """Key terms of the passages as tags, ranked by frequency (doubled when the post uses them).

    The project name competes as one more term with the mean count of its words.
    """
    counts: Counter[str] = Counter()
    for p in passages:
        counts.update(t for t in tokens(p.text) if t.isalpha())
    in_text = set(tokens(text))
    lead = set(tokens(text[:400]))  # the hook and first sentences say what the project is
    name_tokens = set(tokens(project_name))

    def weight(t: str) -> float:
        return counts[t] * (2 if t in in_text else 1) + (2 if t in lead else 0)

    scored = [
        (weight(t), "#" + t)
        for t in counts
        if t not in STOPWORDS and t not in _GENERIC and t not in name_tokens
    ]
    if project_name and name_tokens:
        name_weight = sum(weight(t) for t in name_tokens) / len(name_tokens)
        if name_weight:
            scored.append((name_weight, hashtag(project_name)))
    scored.sort(key=lambda pair: (-pair[0], -len(pair[1]), pair[1]))
    tags: list[str] = []
    stems: set[str] = set()
    for _, tag in scored:
        stem = tag.lower().rstrip("s")
        if stem not in stems:
            stems.add(stem)
            tags.append(tag)
    return tags[:limit]


def extract_hashtags(
    text: str,
    passages: Sequence[Passage],
    *,
    project_name: str = "",
    policy: str = "nop",
    min_tags: int = 3,
    max_tags: int = 5,
) -> tuple[str, ...]:
    """3-5 hashtags drawn from the sources' key terms (ranked by frequency, boosted when in `text`).

    `policy` "nop" keeps them as drawn; "boost_tag" puts the project's own tag first
    (adding it if missing); "add_suggested_tag" adds one broad tag (#python, #devtools,
    ... by detected language or topic, else #opensource).
    """
    tags = _drawn(text, passages, project_name, max_tags)
    if policy == "boost_tag" and project_name:
        own = hashtag(project_name)
        tags = [own] + [t for t in tags if t.lower() != own.lower()]
    elif policy == "add_suggested_tag":
        blob = "\n".join(p.text for p in passages).lower()
        broad = suggested_tag(blob)
        tags = [t for t in tags if t.lower() != broad][: max_tags - 1] + [broad]
    seen: set[str] = set()
    unique = [t for t in tags if t and not (t.lower() in seen or seen.add(t.lower()))]
    for tag in FALLBACK_TAGS:
        if len(unique) >= min_tags:
            break
        if tag not in seen:
            unique.append(tag)
            seen.add(tag)
    return tuple(unique[:max_tags])


def _syllables(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word.lower())
    n = len(groups) - (1 if word.lower().endswith("e") and len(groups) > 1 else 0)
    return max(n, 1)


def _readability(text: str) -> float:
    words = re.findall(r"[A-Za-z]+", text)
    sentences = max(len(re.findall(r"[.!?](\s|$)|\n", text)), 1)
    if not words:
        return 0.0
    fre = 206.835 - 1.015 * (len(words) / sentences) - 84.6 * (sum(map(_syllables, words)) / len(words))
    score = 20 + 80 * min(max(fre, 0.0), 60.0) / 60.0
    longest = max((len(p) for p in text.split("\n\n")), default=0)
    if longest > 500:
        score -= 15
    return max(0.0, min(100.0, score))


def _specificity(text: str, vocab: set[str]) -> Part:
    content = tokens(text)
    if not content:
        return Part(0.0, "no content words")
    grounded = sum(t in vocab for t in content) / len(content)
    specific = {
        w
        for w in re.findall(r"[A-Za-z0-9_.\-]+", text)
        if w.lower().strip(".-") in vocab
        and (any(c.isdigit() for c in w) or re.search(r"[a-z][A-Z]|_|-\w", w) or w[:1].isupper())
    }
    value = 100 * (0.6 * grounded + 0.4 * min(1.0, len(specific) / 6))
    return Part(value, f"{grounded:.0%} of content words and {len(specific)} names come from the sources")


def _length_fit(n: int, length: str) -> float:
    lo, hi = LENGTH_TARGETS.get(length, LENGTH_TARGETS["medium"])
    if lo <= n <= hi:
        return 100.0
    if n < lo:
        return 100.0 * n / lo
    return max(0.0, 100.0 - 100.0 * (n - hi) / (hi * 0.5))


def _hashtag_score(count: int) -> float:
    return {0: 0.0, 1: 30.0, 2: 60.0, 6: 60.0, 7: 30.0}.get(count, 100.0 if 3 <= count <= 5 else 0.0)


@dataclass(frozen=True)
class QualityReport:
    """A post's quality 0-100, its parts (each 0-100), why each part has its value, and the caps hit."""

    score: float
    parts: dict[str, float]
    reasons: dict[str, str]
    caps: tuple[str, ...] = ()  # the parts whose defect keeps the score at or below QUALITY_CAP


def quality_report(
    text: str,
    hook: str,
    hashtags: Sequence[str],
    passages: Sequence[Passage],
    *,
    project_name: str = "",
    length: str = "medium",
    fold_chars: int = 210,
) -> QualityReport:
    """Score a post: weighted mean of `QUALITY_WEIGHTS` parts, at most `QUALITY_CAP` when a part caps it.

    The project name defaults to the README's first heading.
    """
    name = project_name or guess_project_name(passages)
    body = body_of(text)
    lines = post_lines(body)
    vocabulary = "\n".join(p.text for p in passages)
    vocab = set(tokens(vocabulary))
    n_tags = len(hashtags)
    checks: dict[str, Part] = {
        "specificity": _specificity(body, vocab),
        "hook_strength": check_opening(hook, name, fold_chars),
        "length_fit": Part(_length_fit(len(text), length), f"{len(text)} characters for a {length} post"),
        "readability": Part(_readability(body), "Flesch reading ease and paragraph length"),
        "hashtag_count": Part(_hashtag_score(n_tags), f"{n_tags} hashtags (3-5 is best)"),
        "names_project": check_names_project(body, name),
        "plain_text": check_plain_text(body),
        "on_topic": check_on_topic(lines),
        "sentences": check_sentences(lines, name),
        "hashtag_terms": check_hashtag_terms(hashtags),
        "numbers": check_numbers(body, vocabulary),
        "closing": check_closing(lines),
        "substance": check_substance(lines, vocab),
    }
    parts = {k: round(max(0.0, min(100.0, c.value)), 1) for k, c in checks.items()}
    caps = tuple(k for k, c in checks.items() if c.caps)
    reasons = {k: c.reason for k, c in checks.items()}
    return QualityReport(combine_parts(parts, caps), parts, reasons, caps)


def combine_parts(
    parts: Mapping[str, float], caps: Sequence[str] = (), weights: Mapping[str, float] | None = None
) -> float:
    """The score from its parts: their weighted mean, capped when a part found a defect.

    A capped post scores at most `QUALITY_CAP`, less the worse its worst capping part is
    (a post of only tags scores lower than one with a single Markdown link).
    """
    weights = QUALITY_WEIGHTS if weights is None else weights
    total = sum(weights[k] * parts.get(k, 0.0) for k in weights) / max(sum(weights.values()), 1e-9)
    if caps:
        total = min(total, QUALITY_CAP * (0.5 + 0.5 * min(parts[k] for k in caps) / 100.0))
    return round(max(0.0, min(100.0, total)), 1)


def score_quality(
    text: str,
    hook: str,
    hashtags: Sequence[str],
    passages: Sequence[Passage],
    *,
    project_name: str = "",
    length: str = "medium",
    fold_chars: int = 210,
) -> tuple[float, dict[str, float]]:
    """(quality 0-100, parts each 0-100) for a post; see `quality_report` for the reasons."""
    report = quality_report(
        text, hook, hashtags, passages, project_name=project_name, length=length, fold_chars=fold_chars
    )
    return report.score, report.parts
