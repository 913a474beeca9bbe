"""The parts of the post quality score, each a 0-100 value with the reason it has that value.

One pure function per part, over the post text (and the sources' vocabulary
where grounding matters): is the project named, is it plain text (no
Markdown or HTML), is it about the project (not contributing, support,
licence, sponsor or CI boilerplate), is it whole sentences (not man-page or
chunk fragments, lists of links), are the hashtags words (not URL or
repository fragments), are its numbers in the sources, does it close with a
question or a call to action. Regexes and word sets only: no model, no I/O.
`chains.quality` weighs the parts and applies the caps; this module does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from chains.sentences import tokens

__all__ = [
    "Part",
    "JUNK_TAG_WORDS",
    "body_of",
    "post_lines",
    "check_names_project",
    "check_plain_text",
    "check_on_topic",
    "check_sentences",
    "check_hashtag_terms",
    "check_numbers",
    "check_closing",
    "check_substance",
    "check_opening",
    "name_variants",
]

# Words that are URL, path or repository fragments, never a topic worth a hashtag.
JUNK_TAG_WORDS = frozenset(
    """https www com org net io htm md rst txt png svg gif jpg github gitlab bitbucket readthedocs
    commit commits date readme chapter install installation pip src lib blob tree master main
    issues issue pull pulls badge badges license licence shields img href url link links toc
    contents section page pages file files todo fixme yml cfg setup latest stable en
    """.split()
)


@dataclass(frozen=True)
class Part:
    """One part of the score: its value 0-100, why, and whether it caps the whole score."""

    value: float
    reason: str
    caps: bool = False  # True: a defect that keeps the post at or below the cap


_HASHTAG = re.compile(r"(?<![\w&/])#([A-Za-z0-9_][\w-]*)")
_TAG_LINE = re.compile(r"^\s*(?:#[\w-]+[\s,]*)+$")
_MD_LINK = re.compile(r"!?\[[^\]\n]{0,200}\]\([^)\s]{0,400}\)|\[[^\]\n]{1,200}\]\[[^\]\n]{0,60}\]")
_CODE_TICK = re.compile(r"`[^`\n]{1,200}`|```")
_BOLD = re.compile(r"\*\*[^*\n]{1,200}\*\*|(?<!\w)__[A-Za-z][^_\n]{0,200}\s[^_\n]{0,200}__(?!\w)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S", re.M)
_HTML_TAG = re.compile(r"</?\s*[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,200})?/?>")
_ENTITY = re.compile(r"&(?:[a-z]{2,8}|#\d{2,5});")
_TABLE = re.compile(r"^\s*\|.*\|\s*$", re.M)
_STAR_BULLET = re.compile(r"^\s*\*\s+\S", re.M)
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.I)

_BOILERPLATE = (
    (
        "contributing",
        r"\b(?:(?:send|open|submit|make) (?:us |me )?(?:a |your )?(?:pull request|PR)s?|pull requests (?:are|is) welcome|"
        r"contributions? (?:are |is )?(?:very )?(?:much )?welcome|contribut(?:ing|ion|or)s? guide|contributing\.md|"
        r"(?:ways|how) to contribute|report (?:a |any |the )?bugs?|request (?:a )?feature|feature requests?|"
        r"open (?:an|a new) issue|file an issue|fork (?:the|this) repo)\b",
    ),
    (
        "support",
        r"\b(?:(?:commercial|professional|paid|enterprise) support|may only provide support|"
        r"support (?:for )?(?:problems|questions)|questions regarding|for support,? (?:please )?(?:contact|visit|see|use|join)|"
        r"help forum|mailing list|discord (?:server|channel)|gitter|stack ?overflow|"
        r"ask(?:ing)? (?:a |your )?questions? (?:on|in|at|via|and)|say hello|get in touch)",
    ),
    (
        "licence",
        r"\b(?:licen[sc]ed under|permission is hereby granted|without warranty|all rights reserved|"
        r"copyright \(c\)|copyright \d{4}|terms of the (?:mit|apache|bsd|gnu))",
    ),
    ("code of conduct", r"\bcode of conduct\b"),
    (
        "sponsors",
        r"\b(?:sponsor(?:s|ed|ing)? (?:us|me|this|the project|(?:its |the )?development)|our (?:amazing |generous )?sponsors|"
        r"become a (?:sponsor|backer)|backers|donat(?:e|ion)s?|patreon|open ?collective|buy me a coffee|tidelift)",
    ),
    (
        "changelog or CI",
        r"\b(?:bump(?:ed)? (?:version|deps|dependencies)|merge pull request|signed-off-by|"
        r"fix(?:es|ed)?\s*\(?ci\)?\b|ci (?:bug|fix|failure|job)|ci/test|nightly (?:build|toolchain|rustc)|"
        r"regression in (?:the )?ci|revert \"|^ci:)",
    ),
    ("table of contents", r"\b(?:table of contents|back to top)\b"),
    ("badges", r"\b(?:build status|coverage status|downloads/month|pypi version|npm version)\b"),
)
_BOILERPLATE_RE = [(name, re.compile(p, re.I)) for name, p in _BOILERPLATE]

_OPTION = re.compile(r"(?:^|[\s,(])--?[A-Za-z][\w-]*(?:[ =]<?[A-Z_]+>?)?(?:,\s*--?[A-Za-z][\w-]*)")
_MANPAGE = re.compile(
    r"^\s*(?:[-•*]\s*)?--?[A-Za-z]|\[OPTIONS?\]|<[a-z_]+>\s|^\s*(?:usage|synopsis|options|description)\s*:",
    re.I,
)
_STOCK_OPENERS = re.compile(
    r"^(?:here is the (?:short )?story of|here(?:'s| is) (?:a|the) (?:post|summary) (?:about|of)|"
    r"in this post|this post is about|check out this|let me tell you about)\b",
    re.I,
)
_CTA = re.compile(
    r"\?\s*$|\b(?:try|install|star|give it a|check (?:it|out)|read|get started|start|clone|run|"
    r"share|tell me|let me know|what do you|would you|have you|how do you|pip install|npm install|"
    r"cargo add|go install|go get|brew install|docs? at|link in|download)\b",
    re.I,
)
_BULLET = re.compile(r"^\s*(?:[-*•▪►✅🔹]|\d{1,2}[.)])\s+")


def body_of(text: str) -> str:
    """The post without its trailing hashtag lines."""
    lines = (text or "").rstrip().splitlines()
    while lines and (not lines[-1].strip() or _TAG_LINE.match(lines[-1])):
        lines.pop()
    return "\n".join(lines)


def post_lines(body: str) -> list[tuple[str, bool]]:
    """(sentence or list item, is_item) of a post body, in order; blank lines skipped."""
    out: list[tuple[str, bool]] = []
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        bullet = _BULLET.match(line)
        if bullet:
            out.append((line[bullet.end() :].strip(), True))
            continue
        for piece in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(“])", line):
            if piece.strip():
                out.append((piece.strip(), False))
    return out


def name_variants(name: str) -> list[str]:
    """Lower-case spellings of a project name: as given, with -, _, . or space, and joined.

    Example: name_variants("rich-click")[:3] == ["rich-click", "rich click", "rich_click"]
    """
    name = " ".join((name or "").split()).lower()
    if not name:
        return []
    words = [w for w in re.split(r"[\s_\-.]+", name) if w]
    variants = [name, " ".join(words), "_".join(words), "-".join(words), "".join(words), ".".join(words)]
    return list(dict.fromkeys(v for v in variants if len(v) >= 2))


def _mentions(text: str, variants: Iterable[str]) -> bool:
    low = text.lower()
    return any(re.search(rf"(?<![\w]){re.escape(v)}(?![\w])", low) for v in variants)


def check_names_project(body: str, name: str) -> Part:
    """100 when the opening names the project, 70 when only the rest does, 0 (capped) when nothing does."""
    variants = name_variants(name)
    if not variants:
        return Part(60.0, "no project name given: cannot tell whether the post names it")
    prose = _HASHTAG.sub(" ", body)
    opening = "\n".join(prose.strip().splitlines()[:2])
    if _mentions(opening, variants):
        return Part(100.0, f"the opening names {name}")
    if _mentions(prose, variants):
        return Part(70.0, f"names {name}, but not in the opening")
    return Part(0.0, f"never names the project ({name})", caps=True)


def check_plain_text(body: str) -> Part:
    """100 for plain text; each kind of Markdown or HTML found costs 30 and caps the score."""
    found = []
    for label, pattern in (
        ("Markdown links", _MD_LINK),
        ("code ticks", _CODE_TICK),
        ("bold markers", _BOLD),
        ("headings", _HEADING),
        ("HTML tags", _HTML_TAG),
        ("HTML entities", _ENTITY),
        ("table rows", _TABLE),
    ):
        n = len(pattern.findall(body))
        if n:
            found.append(f"{n} {label}" if n > 1 else f"1 {label.rstrip('s')}")
    stars = len(_STAR_BULLET.findall(body))
    if not found and stars:
        return Part(80.0, f"{stars} '*' bullets (LinkedIn shows the asterisk; use •)")
    if not found:
        return Part(100.0, "plain text: no Markdown or HTML")
    return Part(
        max(0.0, 100.0 - 30.0 * len(found)), "Markdown/HTML in the text: " + ", ".join(found), caps=True
    )


def check_on_topic(lines: list[tuple[str, bool]]) -> Part:
    """Share of sentences that are about the project, not contributing/support/licence/CI boilerplate."""
    if not lines:
        return Part(0.0, "no sentences", caps=True)
    hits: dict[str, int] = {}
    bad = 0
    for line, _ in lines:
        kinds = [name for name, rx in _BOILERPLATE_RE if rx.search(line)]
        if kinds:
            bad += 1
            for k in kinds:
                hits[k] = hits.get(k, 0) + 1
    if not bad:
        return Part(100.0, "every sentence is about the project")
    share = bad / len(lines)
    what = ", ".join(f"{k} ({n})" for k, n in hits.items())
    return Part(round(100.0 * (1 - share) * 0.6, 1), f"boilerplate, not the project: {what}", caps=True)


_COMMAND_TAIL = re.compile(
    r"(?:^|[\s:])(?:\$ )?(?:pip3?|pipx|uv|poetry|conda|npm|npx|yarn|pnpm|cargo|go|brew|docker|git|python3?)\s[^.!?\s]+(?:\s[^.!?\s]+){0,4}$"
)
_COMMAND = re.compile(
    r"^(?:\$ )?(?:pip3?|pipx|uv|poetry|conda|npm|npx|yarn|pnpm|cargo|go|brew|docker|git|python3?|apt(?:-get)?)\s"
)


def _fragment_kind(line: str, is_item: bool, names: list[str]) -> str:
    words = line.split()
    if re.match(r"^(?:\$|>>>|\.\.\.|In \[\d+\]:)\s", line):
        return "a console prompt (pasted code)"
    if _COMMAND.match(line) and len(words) <= 8 and not re.search(r"[.!?]\s", line):
        return ""  # a command on its own line ("pip install rich") is how to start, not a fragment
    if _MANPAGE.search(line) or len(_OPTION.findall(line)) >= 1:
        return "command-line option text"
    bare = _MD_LINK.sub("", _URL.sub("", line)).strip(" -–—•*:|,.;")
    if (_MD_LINK.search(line) or _URL.search(line)) and len(bare.split()) <= 2:
        return "a bare link"
    code_start = re.match(r"^[a-z_][\w]*[.(_]", line)
    if (
        line[:1].islower()
        and not is_item
        and not code_start
        and not any(line.lower().startswith(n) for n in names)
    ):
        return "starts mid-sentence"
    if line.count("(") != line.count(")") or line.count('"') % 2:
        return "unbalanced brackets or quotes"
    if line.endswith(("...", "…", ",", ";", "(", "-", "–")):
        return "cut off"
    ends_in_code = _URL.search(words[-1]) or _COMMAND_TAIL.search(line)
    if (
        not is_item
        and not ends_in_code
        and len(words) >= 4
        and line[-1] not in ".!?:)\"'”"
        and not re.search(r"[\U0001F300-\U0001FAFF]$", line)
    ):
        return "no end punctuation"
    return ""


def check_sentences(lines: list[tuple[str, bool]], name: str = "") -> Part:
    """Share of lines that are whole sentences or list items; any fragment caps the score."""
    if not lines:
        return Part(0.0, "no sentences", caps=True)
    kinds: dict[str, int] = {}
    names = name_variants(name)
    for line, is_item in lines:
        kind = _fragment_kind(line, is_item, names)
        if kind:
            kinds[kind] = kinds.get(kind, 0) + 1
    if kinds.get("a bare link") == 1 and not any(_MD_LINK.search(line) for line, _ in lines):
        del kinds["a bare link"]  # "Docs: https://..." once is how a post points to the project
    bad = sum(kinds.values())
    if not bad:
        return Part(100.0, f"{len(lines)} whole sentences or list items")
    what = ", ".join(f"{k} ({n})" for k, n in kinds.items())
    return Part(round(100.0 * (1 - bad / len(lines)) * 0.6, 1), f"fragments: {what}", caps=True)


def check_hashtag_terms(hashtags: Iterable[str]) -> Part:
    """100 when every hashtag is a word worth following; URL/repository fragments or numbers cap the score."""
    tags = [t.lstrip("#") for t in hashtags if t.strip("#").strip()]
    if not tags:
        return Part(0.0, "no hashtags")
    junk = [
        "#" + t
        for t in tags
        if t.lower() in JUNK_TAG_WORDS
        or t.isdigit()
        or len(t) < 2
        or len(t) > 30
        or re.fullmatch(r"[\d_]+\w?", t)
    ]
    if not junk:
        return Part(100.0, "hashtags are topic words")
    return Part(round(100.0 * (1 - len(junk) / len(tags)), 1), "junk hashtags: " + " ".join(junk), caps=True)


def _figures(text: str) -> set[str]:
    """Numbers of a text in every spelling a post may use: "1,300" -> 1,300 and 1300; "97 %" -> 97%."""
    out: set[str] = set()
    for m in re.finditer(r"(?<![\w.])(\d+(?:[.,]\d+)*)(\s?%|x\b)?", text):
        value = m.group(1).replace(",", "")
        suffix = (m.group(2) or "").strip()
        for v in {value, value.rstrip("0").rstrip(".") if "." in value else value}:
            out.add(v)
            if suffix:
                out.add(v + suffix)
    return out


def check_numbers(body: str, vocabulary: str) -> Part:
    """Numbers of the post that the sources do not contain (invented figures) cap the score."""
    known = _figures(vocabulary)
    missing: list[str] = []
    checked = 0
    prose = _URL.sub(" ", _HASHTAG.sub(" ", body))
    for line in prose.splitlines():
        line = _BULLET.sub("", line.strip())  # "1." of a numbered list is not a claim
        for m in re.finditer(r"(?<![\w.])(\d+(?:[.,]\d+)*)(\s?%|x\b)?", line):
            value, suffix = m.group(1).replace(",", ""), (m.group(2) or "").strip()
            if len(value.replace(".", "")) == 1 and not suffix:
                continue  # "3 ways", "2 lines": counting words, rarely a claim
            checked += 1
            short = value.rstrip("0").rstrip(".") if "." in value else value
            if (value + suffix) not in known and short + suffix not in known:
                missing.append(m.group(0).strip())
    if not checked:
        return Part(100.0, "no figures to check")
    if not missing:
        return Part(100.0, f"{checked} figures, all in the sources")
    shown = ", ".join(dict.fromkeys(missing))
    return Part(max(0.0, 100.0 - 50.0 * len(missing)), f"figures not in the sources: {shown}", caps=True)


def check_substance(lines: list[tuple[str, bool]], vocabulary: set[str]) -> Part:
    """How many sentences or items state something the sources say (3+ content words, 60% of them grounded).

    Hype ("a game changer for every developer") states nothing; no grounded statement caps the score.
    """
    stems = {_stem(w) for w in vocabulary}
    grounded = 0
    for line, _ in lines:
        words = [_stem(w) for w in tokens(line)]
        if len(words) >= 3 and sum(w in stems for w in words) / len(words) >= 0.6:
            grounded += 1
    value = {0: 0.0, 1: 40.0, 2: 75.0}.get(grounded, 100.0)
    if grounded < 2:
        return Part(
            value, f"{grounded} sentences state something the sources say (2 or more expected)", caps=True
        )
    return Part(value, f"{grounded} statements grounded in the sources")


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def check_closing(lines: list[tuple[str, bool]]) -> Part:
    """100 when the last lines ask a question or invite an action (try, install, star, read)."""
    if not lines:
        return Part(0.0, "no closing")
    tail = [line for line, _ in lines[-2:]]
    if any(line.rstrip().endswith("?") for line in tail):
        return Part(100.0, "closes with a question")
    if any(_CTA.search(line) for line in tail):
        return Part(90.0, "closes with a call to action")
    return Part(30.0, "no question or call to action at the end")


def check_opening(hook: str, name: str, fold_chars: int) -> Part:
    """The first line: a whole sentence, within the fold, saying what the project is (not a stock phrase)."""
    hook = (hook or "").strip()
    if not hook:
        return Part(0.0, "no opening line")
    score, why = 40.0, []
    if 30 <= len(hook) <= 160:
        score += 20
    elif len(hook) < 15 or len(hook) > 220:
        score -= 20
        why.append("too short" if len(hook) < 15 else "too long")
    if len(hook) <= fold_chars:
        score += 10
    else:
        why.append("runs past the see-more fold")
    if _mentions(hook, name_variants(name)):
        score += 20
        why.append("names the project")
    if hook.rstrip()[-1:] in ".!?:" or re.search(r"[\U0001F300-\U0001FAFF]$", hook):
        score += 10
    else:
        why.append("not a whole sentence")
    stock = bool(_STOCK_OPENERS.search(hook))
    if stock:
        score -= 35
        why.append("a stock phrase")
    if _MD_LINK.search(hook) or _HTML_TAG.search(hook) or _CODE_TICK.search(hook) or _HASHTAG.match(hook):
        score -= 30
        why.append("markup")
    value = max(0.0, min(100.0, score))
    return Part(value, "opening " + (", ".join(why) if why else "is a plain sentence"), caps=stock)
