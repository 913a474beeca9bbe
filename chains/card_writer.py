"""The template writer's post from a `ProjectCard`: hook, what the project is, highlights, how to start, a question.

`compose_card_post(card, brief, strategy)` writes plain text (bullets are `•`)
for every style and hook type. Facts come only from the card, whose values are
the project's own words cut down by deletion; the writer's own words are
framing that states no fact ("Meet X.", "Get started:", the closing
question). `effective_hook` says which hook a card allows (a statistic hook
needs a number in the card; a story hook needs the problem) and why another
was used. It does not add hashtags (`chains.hashtags`) or check claims.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from chains.types import Brief, Strategy
from rag.card_types import CardField, ProjectCard
from rag.phrases import condense, is_prose, not_a_feature
from rag.sections import boilerplate_text
from rag.types import Passage

__all__ = [
    "usage_lines",
    "compose_card_post",
    "effective_hook",
    "opening_line",
    "noun_phrase",
    "card_number_line",
    "NoCardContentError",
]

FEATURES_BY_LENGTH = {"short": 2, "medium": 3, "long": 4}
# At most this many lines of a usage example: more and the post reads as code (and fails the code check).
CODE_LINES = {"short": 3, "medium": 4, "long": 5}
AUDIENCE_CALL = {"developers": "Developers", "engineering_leaders": "Engineering leaders",
                 "data_scientists": "Data scientists"}  # fmt: skip
_NUMBER = re.compile(
    r"\b\d+(?:[.,]\d+)?(?:\s?-\s?\d+)?\s?(?:x|×|%|\+|k|K|M|ms|µs|times|million|thousand|billion)(?!\w)"
    r"|\b\d{2,}(?:,\d{3})*\+?\s+(?!\d)[a-z]{3,}"
)
_VERSIONISH = re.compile(
    r"(?i:\b(python|node|go|java|rust|version|v|draft|php|ruby|pep|rfc|iso|utf|http|ieee|ecma|x)[\s-]?\d)"
    r"|\b[A-Z]{2,}[\s-]?\d"
)
_THIS = re.compile(
    r"^(?:this|the)\s+(?:(?:mini-|small |tiny |simple )?(?:library|package|module|project|tool|crate|gem|plugin|"
    r"repository|repo|framework|extension|app|application|sdk|cli)\s+)?(?=is\b|provides\b|lets\b|helps\b|makes\b|"
    r"allows\b|offers\b|contains\b|implements\b)",
    re.I,
)
_FULL_SENTENCE = re.compile(r"\b(is|are|was|were|has|have|provides?|lets?|helps?|makes?|allows?|offers?|supports?|"
                            r"gives?|turns?|brings?|can|will|should|must|enables?|reads?|writes?|runs?|generates?|"
                            r"converts?|reduces?|aims?|uses?|contains?|includes?)\b", re.I)  # fmt: skip
_DANGLING = frozenset("of for to and or the a an with in on by from as at into via".split())
_THIRD_PERSON = re.compile(r"^(makes|provides|lets|helps|allows|offers|brings|turns|gives|adds|runs|reads|"
                           r"writes|generates|converts|creates|builds|parses|validates|formats|checks)\b", re.I)  # fmt: skip
CLOSINGS = {
    "announcement": "Would {name} fit into your stack? Tell me in the comments.",
    "tutorial": "What would you build with {name} first? Share it below.",
    "story": "Have you run into the same problem? How did you solve it?",
    "story_plain": "What would you point {name} at first? Tell me in the comments.",
    "listicle": "Which of these would you use first?",
    "release_notes": "Which change in {version} matters most to you?",
    "release_plain": "What would you like to see in the next release of {name}?",
}


class NoCardContentError(ValueError):
    """The card says nothing beyond the project's name, so there is no post to write from it."""


def _sentence(text: str) -> str:
    text = " ".join(text.split()).rstrip()
    return text if text.endswith((".", "!", "?")) else text.rstrip(":;,") + "."


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    acronym = len(first) > 1 and sum(c.isupper() for c in first) > 1
    return text if acronym else text[:1].lower() + text[1:]


def _starts_with_name(text: str, name: str) -> bool:
    return re.sub(r"[^a-z0-9]", "", text.lower()).startswith(re.sub(r"[^a-z0-9]", "", name.lower())[:12])


def noun_phrase(card: ProjectCard) -> str:
    """What the project is as a short noun phrase from its tagline ("a fast JSON library for Python"), or ""."""
    if card.tagline is None:
        return ""
    t = _THIS.sub(f"{card.name.value} ", card.tagline.value).strip()
    subject = (
        r"^(?:the\s+)?" + re.escape(card.name.value) + r"(?:\s*\([^)]*\))?\s+(?:is|are)\s+((?:an?|the)\s.+)$"
    )
    m = re.match(subject, t, re.I)
    phrase = m.group(1) if m else (t if _is_noun_phrase(t) else "")
    phrase = condense(phrase, 100) if phrase else ""
    cut = re.split(r",?\s+(?:that|which|who|where|to)\b", phrase)[0].strip()
    if cut != phrase and len(cut.split()) <= 3:
        return ""  # "the Python package" alone says nothing; the clause was the point
    phrase = cut
    words = phrase.split()
    if not 3 <= len(words) <= 14 or words[-1].lower() in _DANGLING:
        return ""
    return _lower_first(phrase)


def _is_noun_phrase(text: str) -> bool:
    return (
        bool(re.match(r"^(an?|the)\s", text, re.I))
        and not _FULL_SENTENCE.search(text)
        and len(text.split()) <= 16
    )


def opening_line(card: ProjectCard) -> str:
    """The project in its own words: its tagline, made a sentence that names it."""
    name = card.name.value
    if card.tagline is None:
        return ""
    t = card.tagline.value
    if len(t) > 220:
        t = condense(t, 30) or t
    t = _THIS.sub(f"{name} ", t).strip()
    if _starts_with_name(t, name) or re.match(r"^(the )?" + re.escape(name), t, re.I):
        return _sentence(t)
    if _is_noun_phrase(t):
        return _sentence(f"{name} is {_lower_first(t)}")
    if _THIRD_PERSON.match(t):
        return _sentence(f"{name} {_lower_first(t)}")
    if _FULL_SENTENCE.search(t) and (t[:1].isupper() or re.match(r"^[a-z][\w.-]*[_\-.0-9]\w*\s", t)):
        return _sentence(t)
    return _sentence(f"{name}: {t}")


def card_number_line(card: ProjectCard) -> CardField | None:
    """The first card line (feature, tagline, problem, change) that carries a real number, not a version."""
    pool = [*card.features, *(x for x in (card.tagline, card.problem) if x),
            *(card.release.changes if card.release else ())]  # fmt: skip
    for f in pool:
        m = _NUMBER.search(f.value)
        if (
            m
            and not _VERSIONISH.search(f.value[max(0, m.start() - 12) : m.end()])
            and not re.search(r"\b(19|20)\d\d\b", m.group(0))
        ):
            return f
    return None


def effective_hook(card: ProjectCard, wanted: str) -> tuple[str, str]:
    """(hook type the card allows, "" or a warning saying why another hook was used)."""
    if wanted == "statistic" and card_number_line(card) is None:
        fallback = "bold_claim"
        return fallback, "no number in the project's card: opened with a bold claim instead of a statistic"
    if wanted == "story" and card.problem is None:
        return "question", "the project's card names no problem: opened with a question instead of a story"
    return wanted, ""


def _hook(card: ProjectCard, hook: str, audience: str) -> str:
    name = card.name.value
    np = noun_phrase(card)
    if hook == "statistic":
        line = card_number_line(card)
        if line is not None:
            return f"{_sentence(line.value)} That is {name}."
    if hook == "bold_claim":
        opening = opening_line(card)
        if opening and len(opening) <= 160 and _starts_with_name(opening, name) and len(card.features) >= 2:
            return opening
        return f"One project worth your time this week: {name}."  # the opening says what it is next
    if hook == "story":
        return f"Every tool starts with a problem. Here is the one {name} takes on."
    if hook == "contrarian":
        # A question states nothing the guard could strike; the opening that follows is the one sentence.
        tail = "" if _starts_with_name(opening_line(card), name) else f" Here is {name}."
        return f"Hot take: shouldn't the best tools fit in one sentence?{tail}"
    call = AUDIENCE_CALL.get(audience)
    if np and np.lower().startswith(("a ", "an ")):
        return f"{call}, looking for {np}?" if call else f"Looking for {np}?"
    return f"{call}: have you tried {name} yet?" if call else f"Have you tried {name} yet?"


def usage_lines(code: str, limit: int) -> list[str]:
    """The first lines of a usage example, comments and doctest output dropped, cut where brackets balance.

    An example LinkedIn would mangle (Markdown-like `**`, `__`, backticks, tags) gives no lines.
    """
    raw_lines = code.splitlines()
    if any(ln.lstrip().startswith(">>> ") for ln in raw_lines):  # a doctest: its prompts, not its output
        raw_lines = [
            re.sub(r"^\s*(>>>|\.\.\.) ?", "", ln) for ln in raw_lines if re.match(r"^\s*(>>>|\.\.\.)", ln)
        ]
    if any(re.search(r"\*\*|__\w|`|</?[A-Za-z][^>]*>|&\w+;", ln) for ln in raw_lines):
        return []
    lines = []
    for raw in raw_lines:
        line = re.sub(r"\s{2,}#.*$", "", raw.rstrip())
        if line.strip() and not re.match(r"^\s*(#|//)", line):
            lines.append(line)
    best = 0
    depth = 0
    for i, line in enumerate(lines[: limit + 4], 1):
        depth += sum(line.count(c) for c in "([{") - sum(line.count(c) for c in ")]}")
        if depth == 0 and (i <= limit or best == 0):
            best = i
    kept = lines[: best or limit]
    while kept and (kept[-1].rstrip().endswith(":") or kept[-1].lstrip().startswith("@")):
        kept.pop()  # a block opener or decorator without its body
    return kept


def _overlaps(a: str, b: str) -> bool:
    wa, wb = set(re.findall(r"[a-z0-9]+", a.lower())), set(re.findall(r"[a-z0-9]+", b.lower()))
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) >= 0.7


def _bullet(text: str, name: str) -> str:
    """A feature as a bullet line: first letter capitalised unless it starts with the name or an identifier."""
    first = text.split(" ", 1)[0]
    if first == name or not first.isalpha() or not first[:1].islower():
        return text
    return text[:1].upper() + text[1:]


def _passage_features(passages: Sequence[Passage], have: set[str], n: int) -> list[str]:
    from chains.sentences import extract_sentences

    out: list[str] = []
    for s in extract_sentences(passages):
        if s.kind not in ("readme", "docs") or boilerplate_text(s.text):
            continue
        short = condense(s.text)
        key = short.lower()
        if re.search(r"[\[\]]|^(note|see|we|our|you)\b", short, re.I) or any(
            _overlaps(short, h) for h in have
        ):
            continue
        if short and len(short.split()) >= 3 and is_prose(short) and key not in have and not not_a_feature(short):
            have.add(key)
            out.append(short)
        if len(out) >= n:
            break
    return out


def _features(
    card: ProjectCard, topic: str, n: int, passages: Sequence[Passage], skip: str = ""
) -> list[str]:
    feats = [f.value for f in card.features if f.value != skip]
    if topic.strip():
        words = {w.lower() for w in re.findall(r"\w{3,}", topic)}
        feats.sort(key=lambda f: -len(words & {w.lower() for w in re.findall(r"\w{3,}", f)}))
    feats = feats[:n]
    if len(feats) < 2 and passages:
        have = {f.lower() for f in feats} | {(card.tagline.value if card.tagline else "").lower()}
        feats += _passage_features(passages, have, n - len(feats))
    return feats


def compose_card_post(
    card: ProjectCard,
    brief: Brief | None = None,
    strategy: Strategy | None = None,
    passages: Sequence[Passage] = (),
) -> str:
    """A plain-text LinkedIn post written from the card (hashtags are added by the caller)."""
    brief = brief or Brief()
    strategy = strategy or Strategy()
    name = card.name.value
    style = brief.style
    hook_type, _ = effective_hook(card, strategy.hook)
    n = FEATURES_BY_LENGTH.get(strategy.length, 3)
    opening = opening_line(card)
    number = card_number_line(card) if hook_type == "statistic" else None
    features = _features(card, brief.topic, n, passages, skip=number.value if number else "")
    if not opening and not features:
        raise NoCardContentError(
            f"The README of {name} does not say what the project is (only a title, badges or links): "
            "add a one-line description under the title, or pick another source"
        )
    parts = [_hook(card, hook_type, brief.audience)]
    if hook_type == "story" and card.problem is not None:
        parts.append(_sentence(card.problem.value))
    if opening and opening != parts[0]:
        parts.append(opening)
    if style == "story" and card.problem is not None and hook_type != "story":
        parts.insert(1, _sentence(card.problem.value))
    install = card.install[0].value if card.install else ""
    release = card.release
    if style == "release_notes" and release is not None:
        date = f" ({release.date.value})" if release.date else ""
        parts.append(f"{name} {release.version.value}{date} is the latest release.")
        changes = [c.value for c in release.changes][:n]
        if changes:
            parts.append("What's new:\n" + "\n".join(f"• {_bullet(c, name)}" for c in changes))
        elif features:
            parts.append("Highlights:\n" + "\n".join(f"• {_bullet(f, name)}" for f in features))
    elif style == "listicle" and len(features) >= 2:
        items = [*(_bullet(f, name) for f in features), *([f"Install it with: {install}"] if install else [])]
        parts.append(
            f"{len(items)} things to know about {name}:\n"
            + "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1))
        )
        install = ""
    elif style == "tutorial" and (install or card.usage):
        steps = []
        if install:
            steps.append(f"Install it: {install}")
        if card.usage is not None:
            shown = min(len(features), max(2, n - 1))
            prose = (
                3 + bool(opening) + (shown + 1 if shown else 0) + bool(install)
            )  # hook, "Try it:", closing
            cap = min(CODE_LINES.get(strategy.length, 4), prose * 6 // 10)
            code = [ln for ln in usage_lines(card.usage.value, cap)
                    if not install or ln.strip().lstrip("$ ") != install]  # fmt: skip
            if len(code) >= 2 or code and len(code[0]) > 20:
                steps.append("Try it:\n" + "\n".join(code))
        if not steps:
            pass
        elif len(steps) == 1:
            parts.append(steps[0].replace("Install it: ", "Get started: "))
        else:
            parts.append(
                f"Get started in {len(steps)} steps:\n"
                + "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
            )
        if features:
            parts.append(
                "What you get:\n" + "\n".join(f"• {_bullet(f, name)}" for f in features[: max(2, n - 1)])
            )
        install = ""
    elif features:
        label = {"story": "What it brings:", "release_notes": "Highlights:"}.get(style, "What it offers:")
        parts.append(label + "\n" + "\n".join(f"• {_bullet(f, name)}" for f in features))
    if install:
        parts.append(f"Get started: {install}")
    if style == "release_notes":
        closing = CLOSINGS["release_notes" if release is not None and release.changes else "release_plain"]
    elif style == "story":
        closing = CLOSINGS["story" if card.problem is not None else "story_plain"]
    elif style == "listicle" and len(features) < 2:
        closing = CLOSINGS["announcement"]
    else:
        closing = CLOSINGS.get(style, CLOSINGS["announcement"])
    parts.append(closing.format(name=name, version=release.version.value if release else ""))
    return "\n\n".join(p for p in parts if p)
